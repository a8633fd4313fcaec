/**
 * `@rtwire/relay/internal`: the pieces the relay is built from, for adapters and tests that
 * need one of them. Not part of the stable API: names and signatures here may change in any
 * release, without a major version.
 *
 * @example
 * ```ts
 * import { peekEventType } from '@rtwire/relay/internal';
 *
 * peekEventType('{"type":"response.done","response":{}}'); // 'response.done'
 * ```
 *
 * @module
 */
export { parseCredential, parseSubprotocols } from './host/admission.ts';
export { constantTimeEqual } from './host/constant-time-equal.ts';
export { CONNECT_LATENCY_BUCKETS_MS } from './observe/relay-metrics.ts';
export {
  applyClientPolicy,
  type ClientPolicyState,
  clientViewOfSession,
  declareServerTool,
  initialSessionUpdate,
  type PolicyVerdict,
} from './policy/client-policy.ts';
export { escapePointer } from './policy/json-schema.ts';
export { errorOutput, runServerTool } from './policy/server-tools.ts';
export { createEventTypePeeker } from './session/cached-type-peeker.ts';
export { clientCloseCode, isAbnormalClose, isResumableClose } from './session/close-codes.ts';
export { offendingEventId, relayErrorEvent } from './session/error-event.ts';
export { frameSize } from './session/frame-size.ts';
export { PEEK_LIMIT, peekEventType } from './session/peek-event-type.ts';
export { createRateLimiter, type RateLimiter } from './session/rate-limiter.ts';
export { createListenerGate, type ListenerGate } from './sockets/listener-gate.ts';
