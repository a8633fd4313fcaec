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
  describeRelayConfig,
  parseRelayConfig,
  type RelayConfig,
  type RelayConfigError,
  type RelayConfigResult,
  upstreamName,
} from './config/relay-config.ts';
export {
  createRelayFromEnv,
  type RealtimeUpstreamSettings,
  type RelayFromEnv,
  type RelayRuntime,
  upstreamFromConfig,
} from './config/relay-from-env.ts';
export {
  type AdmissionDecision,
  type AdmissionRequest,
  admitRequest,
  INSECURE_KEY_SUBPROTOCOL_PREFIX,
  REALTIME_PATH,
  REALTIME_SUBPROTOCOL,
} from './host/admission.ts';
export { CONSOLE_CSP, CONSOLE_PATHS, consoleReply, DEMO_PAGE_HTML } from './host/demo-page.ts';
export {
  createFetchHandler,
  type UpgradeOptions,
  type WebSocketUpgrader,
} from './host/fetch-handler.ts';
export { listenFailureMessage } from './host/listen-failure.ts';
export {
  type Admission,
  createRelayHost,
  type HttpReply,
  type PendingSession,
  type RelayHost,
  type RelayHostOptions,
  STATUS_PATHS,
} from './host/relay-host.ts';
export { createJsonLineLogger, createRelayLogger } from './observe/json-line-logger.ts';
export {
  createRedactingLogger,
  type LogFields,
  type LogLevel,
  type RelayLogger,
  silentLogger,
} from './observe/relay-logger.ts';
export {
  type Direction,
  type FrameCount,
  RelayMetrics,
} from './observe/relay-metrics.ts';
export { PROMETHEUS_CONTENT_TYPE, renderPrometheus } from './observe/render-prometheus.ts';
export {
  type JsonSchema,
  type SchemaViolation,
  type ValidateOptions,
  validateJsonSchema,
} from './policy/json-schema.ts';
export { RELAY_POLICY_SCHEMA } from './policy/policy-schema.ts';
export {
  loadRelayPolicy,
  parseRelayPolicy,
  policyForTenant,
  type RelayPolicy,
  RelayPolicyError,
  type RelayPolicyResult,
  type ServerToolPolicy,
  type TenantPolicy,
} from './policy/relay-policy.ts';
export {
  createHttpToolHandler,
  MAX_TOOL_OUTPUT_BYTES,
  type ServerToolCall,
  type ServerToolHandler,
} from './policy/server-tools.ts';
export { CloseCode } from './session/close-codes.ts';
export type { RelayErrorCode, RelayErrorDetails } from './session/error-event.ts';
export {
  type RelaySession,
  type RelaySessionLimits,
  type RelaySessionOptions,
  startRelaySession,
} from './session/relay-session.ts';
export type { DuplexSocket, DuplexSocketHandlers } from './sockets/duplex-socket.ts';
export {
  createInProcessSocket,
  type InProcessCallbacks,
  type InProcessEngine,
} from './sockets/in-process-socket.ts';
export {
  createWebSocketDuplex,
  type WebSocketDuplexOptions,
  type WebSocketLike,
} from './sockets/web-socket-duplex.ts';
export {
  createEngineConnector,
  type EngineConnectorOptions,
} from './upstream/engine-connector.ts';
export {
  createSimulatorConnector,
  type SimulatorConnectorOptions,
} from './upstream/simulator-connector.ts';
export {
  type UpstreamConnector,
  type UpstreamRequest,
  upstreamUrlFor,
} from './upstream/upstream-connector.ts';
export {
  createWebSocketUpstreamConnector,
  type WebSocketDialer,
  type WebSocketUpstreamOptions,
  whenOpen,
} from './upstream/web-socket-upstream-connector.ts';
