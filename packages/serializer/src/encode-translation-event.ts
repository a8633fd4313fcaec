import type {
  RealtimeTranslationClientEvent,
  RealtimeTranslationServerEvent,
  UnknownEvent,
} from '@rtwire/types';
import { encodeBytes, encodeInto } from './encode-event.ts';
import { encodeEventString } from './encode-event-string.ts';

/** A translation server event to encode: a known one, or an unknown one with extra fields. */
export type TranslationServerEventInput = RealtimeTranslationServerEvent | UnknownEvent;
/** A translation client event to encode: a known one, or an unknown one with extra fields. */
export type TranslationClientEventInput = RealtimeTranslationClientEvent | UnknownEvent;

/**
 * Encodes a server event of a translation session as JSON text, with the guarantees of
 * {@link encodeServerEvent} (`JSON.parse` of it deep-equals `JSON.parse(JSON.stringify(event))`).
 * For the events a server streams, {@link translationEncoder} writes only what varies.
 *
 * @example
 * ```ts
 * socket.send(encodeTranslationServerEvent({ type: 'session.closed', event_id: 'event_9' }));
 * ```
 */
export function encodeTranslationServerEvent(event: TranslationServerEventInput): string {
  return encodeEventString(event);
}

/**
 * Encodes a server event of a translation session straight to UTF-8 bytes; see
 * {@link encodeServerEventBytes}.
 *
 * @example
 * ```ts
 * ws.send(encodeTranslationServerEventBytes(event), { binary: false });
 * ```
 */
export function encodeTranslationServerEventBytes(event: TranslationServerEventInput): Uint8Array {
  return encodeBytes(event);
}

/**
 * Encodes a server event of a translation session as UTF-8 into `target` at `offset` and
 * returns the byte length; see {@link encodeServerEventInto}.
 *
 * @example
 * ```ts
 * const length = encodeTranslationServerEventInto(event, buffer, 0);
 * ```
 */
export function encodeTranslationServerEventInto(
  event: TranslationServerEventInput,
  target: Uint8Array,
  offset = 0,
): number {
  return encodeInto(event, target, offset);
}

/**
 * Encodes a client event of a translation session as JSON text; see
 * {@link encodeTranslationServerEvent}.
 *
 * @example
 * ```ts
 * socket.send(encodeTranslationClientEvent({ type: 'session.input_audio_buffer.append', audio }));
 * ```
 */
export function encodeTranslationClientEvent(event: TranslationClientEventInput): string {
  return encodeEventString(event);
}

/**
 * Encodes a client event of a translation session straight to UTF-8 bytes.
 *
 * @example
 * ```ts
 * upstream.send(encodeTranslationClientEventBytes({ type: 'session.close' }), { binary: false });
 * ```
 */
export function encodeTranslationClientEventBytes(event: TranslationClientEventInput): Uint8Array {
  return encodeBytes(event);
}

/**
 * Encodes a client event of a translation session as UTF-8 into `target` at `offset` and
 * returns the byte length.
 *
 * @example
 * ```ts
 * const length = encodeTranslationClientEventInto({ type: 'session.close' }, buffer, 0);
 * ```
 */
export function encodeTranslationClientEventInto(
  event: TranslationClientEventInput,
  target: Uint8Array,
  offset = 0,
): number {
  return encodeInto(event, target, offset);
}
