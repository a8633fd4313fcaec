/**
 * The Realtime relay on Node: mount it on your own `http.Server` or `https.Server` (express,
 * fastify and hono's Node server run on one), or use its `ws` pieces, the client socket
 * adapter and the upstream connector, with `@rtwire/relay` directly.
 *
 * @example
 * ```ts
 * import { createServer } from 'node:http';
 * import { mountRelay } from '@rtwire/node';
 *
 * const server = createServer((request, response) => {
 *   if (!relay.handleRequest(request, response)) response.writeHead(404).end();
 * });
 * const relay = mountRelay(server);
 * server.listen(8787);
 * ```
 *
 * @module
 */
export {
  CALLS_PATH,
  TRANSLATION_CALLS_PATH,
  UnanswerableOfferError,
  type WebRtcStack,
} from './calls/call-server.ts';
export type { CallTransport, CallTransportHandlers } from './calls/call-socket.ts';
export { createWrtcStack, type WrtcStackOptions } from './calls/wrtc-stack.ts';
export {
  type LoadRelayFromEnvOptions,
  loadRelayFromEnv,
  type NodeRelayFromEnv,
} from './load-relay-from-env.ts';
export { type MountedRelay, type MountRelayOptions, mountRelay } from './mount-relay.ts';
export { createNodeRuntime, type NodeRuntimeOptions } from './node-runtime.ts';
export { connectRedis } from './redis-connection.ts';
export { rejectUpgrade } from './reject-upgrade.ts';
export { loadToolsModule, type ToolsModuleExport } from './tools-module.ts';
export {
  CLOSE_HANDSHAKE_TIMEOUT_MS,
  createWsDuplexSocket,
  type WsDuplexOptions,
} from './ws-duplex-socket.ts';
export { createWsUpstreamConnector, type WsUpstreamOptions } from './ws-upstream-connector.ts';
