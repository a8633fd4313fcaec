/**
 * The fast encoder for OpenAI Realtime API events: JSON text or UTF-8 bytes identical (once
 * parsed) to `JSON.stringify`, with precomputed prefixes for streaming contexts and audio
 * written straight from PCM.
 *
 * @example
 * ```ts
 * import { encoderFor, encodeServerEventBytes } from '@rtwire/serializer';
 *
 * // Realtime frames are text: bytes go out with `{ binary: false }` on Node's `ws`.
 * ws.send(encodeServerEventBytes({ type: 'input_audio_buffer.cleared', event_id: 'event_1' }), {
 *   binary: false,
 * });
 *
 * const encoder = encoderFor({
 *   level: 'content', responseId: 'resp_1', itemId: 'item_1', outputIndex: 0, contentIndex: 0,
 * });
 * ws.send(encoder.outputTextDeltaBytes('event_2', 'Hello'), { binary: false });
 * ws.send(encoder.outputAudioDeltaFromPcm('event_3', pcm16), { binary: false });
 * // A web-standard WebSocket (whose send(Uint8Array) is binary) takes the string instead.
 * webSocket.send(encoder.outputTextDelta('event_4', 'Hello'));
 * ```
 *
 * @module
 */
export {
  type ClientEventInput,
  encodeClientEvent,
  encodeClientEventBytes,
  encodeClientEventInto,
  encodeServerEvent,
  encodeServerEventBytes,
  encodeServerEventInto,
  type ServerEventInput,
} from './encode-event.ts';
export {
  encodeTranslationClientEvent,
  encodeTranslationClientEventBytes,
  encodeTranslationClientEventInto,
  encodeTranslationServerEvent,
  encodeTranslationServerEventBytes,
  encodeTranslationServerEventInto,
  type TranslationClientEventInput,
  type TranslationServerEventInput,
} from './encode-translation-event.ts';
export type {
  ContentEncoderContext,
  ContentEventEncoder,
  ContentEventFrames,
  EncoderContext,
  EncoderOf,
  IntoTwins,
  ItemEncoderContext,
  ItemEventEncoder,
  ItemEventFrames,
  ResponseEncoderContext,
  ResponseEventEncoder,
  ResponseEventFrames,
} from './encoder-context.ts';
export { encoderFor } from './encoder-for.ts';
export { MAX_ENCODE_DEPTH } from './engine/encode-value.ts';
export { type EventId, EventIdSequence } from './event-id-sequence.ts';
export { releaseFrame } from './release-frame.ts';
export {
  type TranslationEventEncoder,
  type TranslationEventFrames,
  translationEncoder,
} from './translation-encoder.ts';
