/**
 * Constructors for every OpenAI Realtime event, reusable context builders for the streaming
 * hot path, and a response writer that emits whole responses in the protocol's order.
 *
 * @example
 * ```ts
 * import { ResponseWriter, createEventIds } from '@rtwire/builders';
 *
 * const writer = new ResponseWriter({
 *   responseId: 'resp_1',
 *   eventIds: createEventIds(),
 *   emit: (event) => socket.send(JSON.stringify(event)),
 * });
 * const message = writer.message({ itemId: 'item_1', modality: 'text' });
 * message.text('Hello');
 * message.done();
 * writer.done();
 * ```
 *
 * @module
 */
export { ClientEvents } from './client-events.ts';
export { createEventIds, createSequentialIds, type EventIdSource } from './event-ids.ts';
export { FunctionCallWriter } from './function-call-writer.ts';
export {
  ContentEventBuilder,
  ItemEventBuilder,
  ResponseEventBuilder,
} from './generated/context-builders.ts';
export {
  type InterruptedResponse,
  interruptedResponseEvents,
  type OpenContentPart,
  type OpenOutputItem,
} from './interrupted-response.ts';
export { type MessageModality, MessageWriter } from './message-writer.ts';
export { RealtimeResponseBuilder } from './realtime-response-builder.ts';
export { type ResponseEventsOptions, responseEvents } from './response-events.ts';
export {
  type CancelReason,
  type ResponseDoneOptions,
  ResponseWriter,
  type ResponseWriterOptions,
  type ResponseWriterState,
} from './response-writer.ts';
export { ResponseWriterError, type ResponseWriterErrorCode } from './response-writer-error.ts';
export { ServerEvents } from './server-events.ts';
export { TranslationClientEvents } from './translation-client-events.ts';
export { TranslationServerEvents } from './translation-server-events.ts';
export { type TranslationSessionOptions, translationSession } from './translation-session.ts';
