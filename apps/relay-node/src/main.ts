import { createNodeRuntime, loadToolsModule } from '@rtwire/node';
import {
  createRelayFromEnv,
  describeRelayConfig,
  listenFailureMessage,
  REALTIME_PATH,
  upstreamName,
} from '@rtwire/relay';
import { startRelayServer } from './server.ts';

const toolsModule = process.env.RELAY_TOOLS_MODULE?.trim();
let toolHandlers: Awaited<ReturnType<typeof loadToolsModule>> = {};
if (toolsModule) {
  try {
    toolHandlers = await loadToolsModule(toolsModule);
  } catch (error) {
    process.stderr.write(
      `rtwire relay: RELAY_TOOLS_MODULE: could not be loaded (${error instanceof Error ? error.message.split('\n')[0] : 'unknown error'})\n`,
    );
    process.exit(2);
  }
}
const relay = createRelayFromEnv(process.env, createNodeRuntime({ toolHandlers }));
if (!relay.ok) {
  for (const error of relay.errors)
    process.stderr.write(`rtwire relay: ${error.variable}: ${error.message}\n`);
  process.exit(2);
}
const { config, logger, connectUpstream, policy } = relay;
logger.log('info', 'relay.config', describeRelayConfig(config));

const server = await startRelayServer({
  config,
  logger,
  connectUpstream,
  policy,
  toolHandlers,
}).catch((error: unknown) => {
  process.stderr.write(`rtwire relay: ${listenFailureMessage(error, config.host, config.port)}\n`);
  process.exit(1);
});
const wsUrl = `${server.url.replace(/^http/, 'ws')}${REALTIME_PATH}`;
process.stdout.write(
  `rtwire relay listening on ${server.url} (realtime endpoint ${wsUrl}, upstream ${upstreamName(config)})\n`,
);

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
