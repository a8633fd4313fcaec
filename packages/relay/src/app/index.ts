/**
 * `@rtwire/relay/app`: what a relay *process* says to its operator, for apps that run one
 * (`apps/relay-node`, `apps/edge-deno`, your own): the startup line's upstream, the config
 * as a log record with secrets masked, and one line for a port that could not be bound.
 * Nothing here is needed to embed the relay.
 *
 * @example
 * ```ts
 * import { listenFailureMessage, upstreamName } from '@rtwire/relay/app';
 *
 * console.log(`listening on ${url} (upstream ${upstreamName(config)})`);
 * server.on('error', (error) => console.error(listenFailureMessage(error, config.host, config.port)));
 * ```
 *
 * @module
 */
export {
  clientSecretKeyNotice,
  describeRelayConfig,
  upstreamName,
} from '../config/relay-config.ts';
export { listenFailureMessage } from '../host/listen-failure.ts';
