/**
 * `deno task start`: the relay on Deno.serve, on HOST / PORT (default 127.0.0.1:8788), with
 * the embedded simulator unless UPSTREAM_URL is set. SIGTERM / SIGINT drain the sessions
 * (1001) and stop within SHUTDOWN_TIMEOUT_MS. Configuration and process lifecycle only: the
 * relay is `@rtwire/relay/deno`.
 */
import { REALTIME_PATH } from '@rtwire/relay';
import { clientSecretKeyNotice, listenFailureMessage, upstreamName } from '@rtwire/relay/app';
import { createDenoRelay } from '@rtwire/relay/deno';
import { engineUpstream } from '@rtwire/relay/engine';

const relay = createDenoRelay({ PORT: '8788', ...Deno.env.toObject() }, { engine: engineUpstream });
if (!relay.ok) {
  for (const problem of relay.errors)
    console.error(`rtwire edge relay: ${problem.variable}: ${problem.message}`);
  Deno.exit(2);
}
const { host } = relay;
const { config } = host;

// Before listening: whoever reads the line saying the relay is up may signal at once.
let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  host.drain();
  await host.idle(config.shutdownTimeoutMs);
  await host.close();
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
        const where = hostname.includes(':') ? `[${hostname}]` : hostname;
        console.log(
          `rtwire edge relay listening on http://${where}:${port} (realtime endpoint ws://${where}:${port}${REALTIME_PATH}, upstream ${upstreamName(config)})`,
        );
        const notice = clientSecretKeyNotice(config);
        if (notice !== undefined) console.log(notice);
      },
    },
    relay.fetch,
  );
} catch (error) {
  console.error(`rtwire edge relay: ${listenFailureMessage(error, config.host, config.port)}`);
  Deno.exit(1);
}
