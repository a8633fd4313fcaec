import { loadRelayFromEnv } from '@rtwire/node';
import { REALTIME_PATH } from '@rtwire/relay';
import {
  clientSecretKeyNotice,
  describeRelayConfig,
  listenFailureMessage,
  upstreamName,
} from '@rtwire/relay/app';
import { startRelayServer } from './server.ts';

// Relative paths in the configuration mean the directory `pnpm start` was typed in (INIT_CWD),
// not this app's, where pnpm runs the script.
const relay = await loadRelayFromEnv(process.env);
if (!relay.ok) {
  for (const error of relay.errors)
    process.stderr.write(`rtwire relay: ${error.variable}: ${error.message}\n`);
  process.exit(2);
}
const { config, logger } = relay;
logger.log('info', 'relay.config', describeRelayConfig(config));

const server = await startRelayServer(relay).catch((error: unknown) => {
  process.stderr.write(`rtwire relay: ${listenFailureMessage(error, config.host, config.port)}\n`);
  process.exit(1);
});
// Before the line that says the relay is up: whoever reads it may signal at once, and a signal
// with no handler yet would kill the process instead of draining it.
let stopping = false;
const stop = (signal: string) => {
  if (stopping) return;
  stopping = true;
  logger.log('info', 'relay.signal', { signal });
  // The drain is bounded by shutdownTimeoutMs; this is the bound on the whole exit.
  setTimeout(() => process.exit(1), config.shutdownTimeoutMs + 2000).unref();
  void server.shutdown().then(() => process.exit(0));
};
process.on('SIGTERM', () => stop('SIGTERM'));
process.on('SIGINT', () => stop('SIGINT'));

const wsUrl = `${server.url.replace(/^http/, 'ws')}${REALTIME_PATH}`;
const calls = relay.calls === undefined ? '' : `, WebRTC calls at ${server.url}/v1/realtime/calls`;
process.stdout.write(
  `rtwire relay listening on ${server.url} (realtime endpoint ${wsUrl}, upstream ${upstreamName(config)}${calls})\n`,
);
const notice = clientSecretKeyNotice(config);
if (notice !== undefined) process.stdout.write(`${notice}\n`);
