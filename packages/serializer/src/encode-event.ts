import type { RealtimeClientEvent, RealtimeServerEvent, UnknownEvent } from '@rtwire/types';
import { encodeEventString } from './encode-event-string.ts';
import { ByteSink } from './engine/byte-sink.ts';
import { writeJsonValue } from './engine/encode-value.ts';
import { toJsonValue } from './engine/json-value.ts';

/** A server event to encode: any known event, or an unknown one with extra fields. */
export type ServerEventInput = RealtimeServerEvent | UnknownEvent;
/** A client event to encode: any known event, or an unknown one with extra fields. */
export type ClientEventInput = RealtimeClientEvent | UnknownEvent;

const sink = new ByteSink();

function encodeToSink(event: object): number {
  const value = toJsonValue(event, '');
  if (typeof value !== 'object' || value === null) {
    throw new TypeError('encode: the event must be a JSON object');
  }
  sink.position = 0;
  writeJsonValue(sink, value, 0);
  return sink.position;
}

/** Any event as UTF-8 bytes: what every `…Bytes` encoder of a whole event is. */
export function encodeBytes(event: object): Uint8Array {
  encodeToSink(event);
  return sink.toFrame();
}

/** Any event as UTF-8 into `target`: what every `…Into` encoder of a whole event is. */
export function encodeInto(event: object, target: Uint8Array, offset: number): number {
  const length = encodeToSink(event);
  if (!Number.isInteger(offset) || offset < 0 || offset + length > target.length) {
    throw new RangeError(
      `encode: target has ${target.length - offset} bytes free at offset ${offset}; the event needs ${length}`,
    );
  }
  target.set(sink.buffer.subarray(0, length), offset);
  return length;
}

/**
 * Encodes a server event as JSON text. `JSON.parse` of the result deep-equals
 * `JSON.parse(JSON.stringify(event))`: extra fields kept, `undefined` fields omitted, `-0` as
 * `0`, non-finite numbers as `null`, strings escaped as `JSON.stringify` escapes them.
 *
 * @example
 * ```ts
 * socket.send(encodeServerEvent({ type: 'input_audio_buffer.cleared', event_id: 'event_1' }));
 * ```
 */
export function encodeServerEvent(event: ServerEventInput): string {
  return encodeEventString(event);
}

/**
 * Encodes a client event as JSON text, with the guarantees of {@link encodeServerEvent}.
 *
 * @example
 * ```ts
 * socket.send(encodeClientEvent({ type: 'input_audio_buffer.append', audio: base64 }));
 * ```
 */
export function encodeClientEvent(event: ClientEventInput): string {
  return encodeEventString(event);
}

/**
 * Encodes a server event straight to UTF-8 bytes, without building the JSON string.
 *
 * The returned bytes are never written again by this package (a view of a slab region handed
 * out once), so they may be queued by a socket library that keeps a reference, as `ws` does.
 * Send them as a text frame: Realtime frames are always text.
 *
 * @example
 * ```ts
 * ws.send(encodeServerEventBytes(event), { binary: false });
 * ```
 */
export function encodeServerEventBytes(event: ServerEventInput): Uint8Array {
  return encodeBytes(event);
}

/**
 * Encodes a client event straight to UTF-8 bytes; see {@link encodeServerEventBytes}.
 *
 * @example
 * ```ts
 * upstream.send(encodeClientEventBytes({ type: 'response.cancel' }), { binary: false }); // Node ws
 * ```
 */
export function encodeClientEventBytes(event: ClientEventInput): Uint8Array {
  return encodeBytes(event);
}

/**
 * Encodes a server event as UTF-8 into `target` at `offset` and returns the byte length, for
 * loops that own their buffers and allocate nothing. Throws a `RangeError` (naming the sizes)
 * when `target` is too small. The caller decides when `target` may be reused.
 *
 * @example
 * ```ts
 * const buffer = new Uint8Array(64 * 1024);
 * const length = encodeServerEventInto(event, buffer, 0);
 * writeSync(fd, buffer.subarray(0, length));
 * ```
 */
export function encodeServerEventInto(
  event: ServerEventInput,
  target: Uint8Array,
  offset = 0,
): number {
  return encodeInto(event, target, offset);
}

/**
 * Encodes a client event as UTF-8 into `target` at `offset`; see {@link encodeServerEventInto}.
 *
 * @example
 * ```ts
 * const length = encodeClientEventInto({ type: 'response.cancel' }, buffer, 0);
 * ```
 */
export function encodeClientEventInto(
  event: ClientEventInput,
  target: Uint8Array,
  offset = 0,
): number {
  return encodeInto(event, target, offset);
}
