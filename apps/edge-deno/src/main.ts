/**
 * `deno task start`: the relay on Deno.serve, on HOST / PORT (default 127.0.0.1:8788), with
 * the embedded simulator unless UPSTREAM_URL is set. SIGTERM / SIGINT drain the sessions
 * (1001) and stop within SHUTDOWN_TIMEOUT_MS.
 */
import { REALTIME_PATH } from '@rtwire/relay';
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

const upstream = config.upstreamUrl
  ? config.upstreamUrl.host
  : config.cascade
    ? `cascade ${new URL(config.cascade.baseURL).host}`
    : 'simulator';
let server: Deno.HttpServer;
try {
  server = Deno.serve(
    {
      hostname: config.host,
      port: config.port,
      onListen: ({ hostname, port }) => {
        const host = hostname.includes(':') ? `[${hostname}]` : hostname;
        console.log(
          `rtwire edge relay listening on http://${host}:${port} (realtime endpoint ws://${host}:${port}${REALTIME_PATH}, upstream ${upstream})`,
        );
      },
    },
    relay.fetch,
  );
} catch (error) {
  // A port in use or not ours is a setup problem, said as one, not a stack trace.
  const where = `${config.host}:${config.port}`;
  const reason =
    error instanceof Deno.errors.AddrInUse
      ? `${where} is already in use (set PORT to another port, or stop what holds it)`
      : error instanceof Deno.errors.PermissionDenied
        ? `${where} needs a permission this process does not have`
        : error instanceof Deno.errors.AddrNotAvailable
          ? `${config.host} is not an address of this machine (check HOST)`
          : `could not listen on ${where}`;
  console.error(`rtwire edge relay: ${reason}`);
  Deno.exit(1);
}

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  relay.host.drain();
  await relay.host.idle(config.shutdownTimeoutMs);
  await server.shutdown();
  Deno.exit(0);
};
Deno.addSignalListener('SIGTERM', stop);
Deno.addSignalListener('SIGINT', stop);
