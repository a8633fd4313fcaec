/**
 * The runtime-neutral core of the rtwire relay: a host (admission, routes, sessions, metrics,
 * draining) and the session that pipes a client to its upstream, assembled from a plain
 * environment record by `createRelayFromEnv`. It relays to a Realtime API over WebSocket and
 * imports no engine: the simulator and cascades are `@rtwire/relay/engine`; the runtimes are
 * `@rtwire/relay/deno`, `@rtwire/relay/workers` and `@rtwire/node`.
 *
 * @example
 * ```ts
 * import { createFetchRelay } from '@rtwire/relay';
 *
 * const relay = createFetchRelay({ UPSTREAM_URL: 'wss://api.openai.com/v1/realtime', OPENAI_API_KEY: key }, runtime);
 * if (relay.ok) Bun.serve({ fetch: relay.fetch });
 * ```
 *
 * @module
 */

export {
  type BetaProtocolOptions,
  withBetaProtocol,
} from './beta-protocol/beta-client-socket.ts';
export {
  BETA_SUBPROTOCOL,
  type BetaProtocolMode,
  type BetaProtocolSession,
  betaProtocolSession,
  offersBetaProtocol,
} from './beta-protocol/beta-handshake.ts';
export {
  BETA_PROTOCOL_REFUSED,
  betaRefusalFeature,
} from './beta-protocol/beta-refusal-feature.ts';
export {
  betaClientEventToGa,
  gaClientEventToBeta,
} from './beta-protocol/translate-client-event.ts';
export {
  betaServerEventToGa,
  gaServerEventToBeta,
} from './beta-protocol/translate-server-event.ts';
export { callCorsHeaders, callPreflightHeaders } from './calls/call-cors.ts';
export {
  type CallDirectory,
  type CallDirectoryOptions,
  type CallRegistryOptions,
  callInstanceOf,
  createCallDirectory,
} from './calls/call-directory.ts';
export type { CallEnd, CallEndReason } from './calls/call-end.ts';
export {
  type CallOffer,
  type CallOfferError,
  type CallOfferResult,
  type CallSession,
  MAX_CALL_OFFER_BYTES,
  type ReadCallOfferOptions,
  readCallOffer,
} from './calls/call-offer.ts';
export {
  HANGUP_PATH,
  hangupCallId,
  ROUTED_HEADER,
  routeCallHangup,
  routedCallHeaders,
} from './calls/call-routing.ts';
export { CallSidebands } from './calls/call-sidebands.ts';
export type { RealtimeSessionRequest } from './calls/requested-session.ts';
export {
  CLIENT_SECRET_PREFIX,
  type ClientSecretClaims,
  ClientSecretKeys,
  type ClientSecretRefusal,
  isClientSecretKey,
} from './client-secrets/client-secret-token.ts';
export { CLIENT_SECRETS_PATH } from './client-secrets/mint-client-secret.ts';
export {
  type SealedTranslationSession,
  TRANSLATION_CLIENT_SECRETS_PATH,
} from './client-secrets/translation-secret-session.ts';
export {
  parseRelayConfig,
  type RelayConfig,
  type RelayConfigError,
  type RelayConfigResult,
} from './config/relay-config.ts';
export {
  createRelayFromEnv,
  type EngineUpstream,
  type RealtimeUpstreamSettings,
  type RedisConnection,
  type RelayFromEnv,
  type RelayRuntime,
} from './config/relay-from-env.ts';
export { deltaPayloadSpan } from './features/metering/delta-payload.ts';
export type { MeteringOptions } from './features/metering/metering-feature.ts';
export {
  type AdmissionDecision,
  authenticateRequest,
  REALTIME_PATH,
  sessionKindOf,
  TRANSLATIONS_PATH,
} from './host/admission.ts';
export {
  createFetchHandler,
  type UpgradeOptions,
  type WebSocketUpgrader,
} from './host/fetch-handler.ts';
export {
  createFetchRelay,
  type FetchRelay,
  type FetchRelayOptions,
  type FetchRuntime,
} from './host/fetch-relay.ts';
export type { HttpReply } from './host/http-reply.ts';
export { presentedClientSecret, type RelayCredential } from './host/relay-credential.ts';
export {
  type Admission,
  createRelayHost,
  type PendingSession,
  type RelayHost,
  type RelayHostOptions,
  type RelayRoute,
} from './host/relay-host.ts';
export type { JsonObject } from './json-object.ts';
export {
  type LocalAllowanceOptions,
  withLocalAllowance,
} from './metering/allowance-usage-store.ts';
export { MemoryUsageStore } from './metering/memory-usage-store.ts';
export { OpeningContext } from './metering/opening-context.ts';
export { RedisUsageStore, type RedisUsageStoreOptions } from './metering/redis-usage-store.ts';
export type { UsageRecord, UsageSink } from './metering/usage-record.ts';
export {
  type BatchedSinkOptions,
  createBatchedUsageSink,
  createHttpUsageSink,
  createRedisStreamUsageSink,
  type HttpUsageSinkOptions,
  type RedisStreamUsageSinkOptions,
  teeUsageSinks,
} from './metering/usage-sinks.ts';
export type {
  Exhausted,
  Meter,
  MeterAmounts,
  MeterCap,
  Reservation,
  ReserveRequest,
  SessionLease,
  UsageStore,
} from './metering/usage-store.ts';
export { usageWindow } from './metering/usage-window.ts';
export { createJsonLineLogger } from './observe/json-line-logger.ts';
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
  type TenantUsage,
} from './observe/relay-metrics.ts';
export type { JsonSchema, SchemaViolation } from './policy/json-schema.ts';
export {
  loadRelayPolicy,
  type ModelPrice,
  parseRelayPolicy,
  type RelayPolicy,
  RelayPolicyError,
  type RelayPolicyResult,
  type ServerToolPolicy,
  type TenantLimits,
  type TenantPolicy,
  type UsageWindow,
  type WindowCaps,
} from './policy/relay-policy.ts';
export type { ServerToolCall, ServerToolHandler } from './policy/server-tools.ts';
export type { RedisCommand } from './redis/redis-command.ts';
export {
  type RelaySession,
  type RelaySessionLimits,
  type RelaySessionOptions,
  startRelaySession,
} from './relay-session.ts';
export { CloseCode } from './session/close-codes.ts';
export type { RelayErrorCode, RelayErrorDetails } from './session/error-event.ts';
export type {
  ClientFrame,
  ClientRefusal,
  ClientVerdict,
  EventTypeFilter,
  FeatureSession,
  RelayClientEvent,
  RelayFeature,
  RelayFeatureFactory,
  UpstreamFrame,
  UpstreamLink,
  UpstreamLoss,
  UpstreamMode,
  UpstreamVerdict,
} from './session/feature.ts';
export { PEEK_LIMIT, peekEventType } from './session/peek-event-type.ts';
export type { DuplexSocket, DuplexSocketHandlers } from './sockets/duplex-socket.ts';
export { createListenerGate, type ListenerGate } from './sockets/listener-gate.ts';
export {
  createWebSocketDuplex,
  type WebSocketDuplexOptions,
  type WebSocketLike,
} from './sockets/web-socket-duplex.ts';
export {
  type SessionKind,
  type UpstreamConnector,
  type UpstreamRequest,
  upstreamUrlFor,
} from './upstream/upstream-connector.ts';
export {
  createWebSocketUpstreamConnector,
  type WebSocketDialer,
  type WebSocketUpstreamOptions,
} from './upstream/web-socket-upstream-connector.ts';
