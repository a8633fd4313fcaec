/**
 * `deno task start`: the relay on Deno.serve, on HOST / PORT (default 127.0.0.1:8788), with
 * the embedded simulator unless UPSTREAM_URL is set. SIGTERM / SIGINT drain the sessions
 * (1001) and stop within SHUTDOWN_TIMEOUT_MS.
 */
import { listenFailureMessage, REALTIME_PATH, upstreamName } from '@rtwire/relay';
import { createEdgeRelay, EdgeConfigError } from './create-handler.ts';
import { denoRuntime } from './deno-runtime.ts';

const env = { PORT: '8788', ...Deno.env.toObject() };
let relay: ReturnType<typeof createEdgeRelay>;
try {
  relay = createEdgeRelay(env, denoRuntime);
} catch (error) {
  if (!(error instanceof EdgeConfigError)) throw error;
  for (const problem of error.errors)
    console.error(`rtwire edge relay: ${problem.variable}: ${problem.message}`);
  Deno.exit(2);
}
const { config } = relay.host;

// Before listening: whoever reads the line saying the relay is up may signal at once.
let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  relay.host.drain();
  await relay.host.idle(config.shutdownTimeoutMs);
  await server?.shutdown();
  Deno.exit(0);
};
Deno.addSignalListener('SIGTERM', stop);
Deno.addSignalListener('SIGINT', stop);

let server: Deno.HttpServer | undefined;
try {
  server = Deno.serve(
    {
      hostname: config.host,
      port: config.port,
      onListen: ({ hostname, port }) => {
        const host = hostname.includes(':') ? `[${hostname}]` : hostname;
        console.log(
          `rtwire edge relay listening on http://${host}:${port} (realtime endpoint ws://${host}:${port}${REALTIME_PATH}, upstream ${upstreamName(config)})`,
        );
      },
    },
    relay.fetch,
  );
} catch (error) {
  console.error(`rtwire edge relay: ${listenFailureMessage(error, config.host, config.port)}`);
  Deno.exit(1);
}
