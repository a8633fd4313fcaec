/**
 * Types, constants, guards and a lossless validating decoder for every event of the OpenAI
 * Realtime API (GA protocol), generated from the official OpenAPI schemas.
 *
 * @example
 * ```ts
 * import { decodeServerEvent, redactForLog } from '@rtwire/types';
 *
 * socket.onmessage = ({ data }) => {
 *   const result = decodeServerEvent(data);
 *   if (!result.ok) return console.warn('bad frame', result.error.code, result.error.path);
 *   if (result.known && result.event.type === 'response.output_text.delta') {
 *     render(result.event.delta);
 *   }
 *   console.debug(redactForLog(result.event));
 * };
 * ```
 *
 * @module
 */

export {
  type ClientEventProblem,
  type ClientEventProblemCode,
  clientEventProblem,
} from './client-event-problem.ts';
export {
  createDecodeError,
  type DecodeError,
  type DecodeErrorCode,
  type DecodeErrorDetails,
  errorCodeOf,
  errorParamOf,
  isDecodeError,
  MAX_EVENT_ID_LENGTH,
} from './decode-error.ts';
export {
  type DecodeOptions,
  type DecodeResult,
  decodeClientEvent,
  decodeServerEvent,
} from './decode-event.ts';
export {
  decodeTranslationClientEvent,
  decodeTranslationServerEvent,
  type TranslationDecodeOptions,
} from './decode-translation-event.ts';
export type {
  ClientEventOf,
  ClientEventType,
  EventOf,
  RealtimeEvent,
  ServerEventOf,
  ServerEventType,
  UnknownEvent,
} from './event-of.ts';
export {
  CLIENT_EVENT_TYPES,
  CONTENT_SCOPED_EVENT_TYPES,
  ITEM_SCOPED_EVENT_TYPES,
  LEGACY_EVENT_NAMES,
  RESPONSE_SCOPED_EVENT_TYPES,
  type RealtimeClientEvent,
  type RealtimeServerEvent,
  SERVER_EVENT_TYPES,
} from './generated/event-types.ts';
export type * from './generated/schema-types.ts';
export {
  type RealtimeTranslationClientEvent,
  type RealtimeTranslationServerEvent,
  TRANSLATION_CLIENT_EVENT_TYPES,
  TRANSLATION_SERVER_EVENT_TYPES,
} from './generated/translation-event-types.ts';
export {
  type ContentScopedServerEvent,
  type ItemScopedServerEvent,
  isClientEvent,
  isContentScopedEvent,
  isEventType,
  isItemScopedEvent,
  isResponseScopedEvent,
  isServerEvent,
  type ResponseScopedServerEvent,
} from './guards.ts';
export type * from './nested-types.ts';
export { exceedsNesting, MAX_NESTING_DEPTH, nestingOverflowPath } from './nesting.ts';
export type { FrameInput } from './read-frame.ts';
export { MAX_LOG_DEPTH, redactForLog, redactionMarker } from './redact-for-log.ts';
export { RtwireError } from './rtwire-error.ts';
export { TRANSLATION_AUDIO } from './translation-audio.ts';
export { translationClientEventProblem } from './translation-client-event-problem.ts';
export type {
  TranslationClientEventOf,
  TranslationClientEventType,
  TranslationServerEventOf,
  TranslationServerEventType,
} from './translation-event-of.ts';
export { isTranslationClientEvent, isTranslationServerEvent } from './translation-guards.ts';
