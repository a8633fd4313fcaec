import { encodeServerEvent, encodeServerEventBytes } from '@rtwire/serializer';
import type { RealtimeServerEvent } from '@rtwire/types';

/**
 * The form frames are handed over in. Either way each is one JSON text frame: send bytes as a
 * text frame (`ws.send(frame, { binary: false })`), never as binary; send a string as it is
 * (a web-standard `WebSocket.send(Uint8Array)` always sends binary).
 */
export type FrameFormat = 'bytes' | 'string';

/** The frame type a {@link FrameFormat} hands over. */
export type FrameOf<F extends FrameFormat> = F extends 'string' ? string : Uint8Array;

/** Where the engine's frames go, already encoded, in the session's {@link FrameFormat}. */
export interface FrameSink {
  readonly format: FrameFormat;
  /** Encodes and sends an event object (the events that are not on the streaming hot path). */
  event(event: RealtimeServerEvent): void;
  /** Sends a frame the caller encoded as text. */
  text(frame: string): void;
  /** Sends a frame the caller encoded as UTF-8 bytes. */
  bytes(frame: Uint8Array): void;
}

const utf8 = new TextDecoder();
const encoder = new TextEncoder();

/**
 * A {@link FrameSink} over a send function: events go through `@rtwire/serializer`, frames
 * the caller encoded pass through, converted only when the caller's form is not the
 * session's (audio frames are made as bytes, from PCM).
 *
 * @example
 * ```ts
 * const sink = createFrameSink('bytes', (frame) => ws.send(frame, { binary: false }));
 * sink.event({ type: 'input_audio_buffer.cleared', event_id: 'event_1' });
 * ```
 */
export function createFrameSink<F extends FrameFormat>(
  format: F,
  send: (frame: FrameOf<F>) => void,
): FrameSink {
  if (format === 'string') {
    const sendText = send as (frame: string) => void;
    return {
      format,
      event: (event) => sendText(encodeServerEvent(event)),
      text: sendText,
      bytes: (frame) => sendText(utf8.decode(frame)),
    };
  }
  const sendBytes = send as (frame: Uint8Array) => void;
  return {
    format,
    event: (event) => sendBytes(encodeServerEventBytes(event)),
    text: (frame) => sendBytes(encoder.encode(frame)),
    bytes: sendBytes,
  };
}
