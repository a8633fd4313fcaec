/**
 * The runtime-neutral core of the rtwire relay: request admission, the session that pipes a
 * client to its upstream (validation, limits, backpressure, close codes), metrics with a
 * Prometheus renderer, redacting log hooks, configuration from a plain env record, and the
 * embedded simulator as an upstream. Apps add a socket adapter and an HTTP server.
 *
 * @example
 * ```ts
 * import { admitRequest, createSimulatorConnector, parseRelayConfig, startRelaySession } from '@rtwire/relay';
 *
 * const decision = admitRequest({ url, headers, activeSessions }, config);
 * if (decision.ok) {
 *   startRelaySession({ client, connectUpstream: createSimulatorConnector(), model: decision.model, limits: config });
 * }
 * ```
 *
 * @module
 */
export {
  type AdmissionDecision,
  type AdmissionRequest,
  admitRequest,
  INSECURE_KEY_SUBPROTOCOL_PREFIX,
  parseSubprotocols,
  REALTIME_PATH,
  REALTIME_SUBPROTOCOL,
} from './admission.ts';
export { CloseCode, clientCloseCode, isAbnormalClose } from './close-codes.ts';
export { constantTimeEqual } from './constant-time-equal.ts';
export { DEMO_PAGE_HTML } from './demo-page.ts';
export type { DuplexSocket, DuplexSocketHandlers } from './duplex-socket.ts';
export {
  offendingEventId,
  type RelayErrorCode,
  type RelayErrorDetails,
  relayErrorEvent,
} from './error-event.ts';
export { createEventTypePeeker } from './event-type-peeker.ts';
export {
  createFetchHandler,
  type UpgradeOptions,
  type WebSocketUpgrader,
} from './fetch-handler.ts';
export { frameSize } from './frame-size.ts';
export {
  createInProcessSocket,
  type InProcessCallbacks,
  type InProcessEngine,
} from './in-process-socket.ts';
export { jsonLineLogger, relayLogger } from './json-line-logger.ts';
export { PEEK_LIMIT, peekEventType } from './peek-event-type.ts';
export { createRateLimiter, type RateLimiter } from './rate-limiter.ts';
export {
  describeRelayConfig,
  parseRelayConfig,
  type RelayConfig,
  type RelayConfigError,
  type RelayConfigResult,
} from './relay-config.ts';
export {
  type Admission,
  createRelayHost,
  type HttpReply,
  type PendingSession,
  type RelayHost,
  type RelayHostOptions,
} from './relay-host.ts';
export {
  createRedactingLogger,
  type LogFields,
  type LogLevel,
  type RelayLogger,
  silentLogger,
} from './relay-logger.ts';
export {
  CONNECT_LATENCY_BUCKETS_MS,
  type Direction,
  type FrameCount,
  RelayMetrics,
} from './relay-metrics.ts';
export {
  type RelaySession,
  type RelaySessionLimits,
  type RelaySessionOptions,
  startRelaySession,
} from './relay-session.ts';
export { PROMETHEUS_CONTENT_TYPE, renderPrometheus } from './render-prometheus.ts';
export { createSimulatorConnector, type SimulatorConnectorOptions } from './simulator-connector.ts';
export {
  type UpstreamConnector,
  type UpstreamRequest,
  upstreamUrlFor,
} from './upstream-connector.ts';
export {
  type WebSocketDuplexOptions,
  type WebSocketLike,
  webSocketDuplex,
} from './web-socket-duplex.ts';
export {
  createWebSocketUpstreamConnector,
  type WebSocketDialer,
  type WebSocketUpstreamOptions,
  whenOpen,
} from './web-socket-upstream-connector.ts';
