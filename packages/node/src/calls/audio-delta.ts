import { Buffer, isAscii } from 'node:buffer';
import { deltaPayloadSpan } from '@rtwire/relay';
import { type DeltaEnvelope, readEnvelopeHead, readEnvelopeTail } from './delta-envelope.ts';
import { parseFrame } from './parse-frame.ts';

/** An audio delta as a call plays it: its base64 audio and where that audio goes. */
export interface AudioDelta extends Readonly<DeltaEnvelope> {
  /** The audio, base64 as the frame carries it. */
  readonly delta: string;
}

/**
 * How much of a frame on either side of its payload is read for the envelope: the API writes
 * a few short members. A frame with more is parsed.
 */
const ENVELOPE_LIMIT = 1024;
const DELTA_KEY_LENGTH = '"delta":"'.length;

/**
 * The audio of a `response.output_audio.delta` or `session.output_audio.delta` frame, with its
 * `response_id`, `item_id` and `content_index` as a parse of the frame gives them, but read
 * without one: the payload (6.4 KB of base64 for 100 ms) is taken from where
 * `deltaPayloadSpan` finds it, and only the short envelope around it is read, member by member.
 * A frame of another shape (an escape in the payload or the envelope, a nested value, space
 * inside the key, a long envelope) is parsed, so the answer is the parse's. `undefined` when the
 * frame has no string `delta`, or is not JSON.
 *
 * The payload's characters are not checked one by one: one JSON forbids (a raw control
 * character) plays as base64 decoding reads it, where a parse would drop the frame.
 *
 * @example
 * ```ts
 * readAudioDelta('{"type":"response.output_audio.delta","response_id":"resp_1","item_id":"item_1","content_index":0,"delta":"AAAA"}');
 * // { responseId: 'resp_1', itemId: 'item_1', contentIndex: 0, delta: 'AAAA' }
 * ```
 */
export function readAudioDelta(frame: string | Uint8Array): AudioDelta | undefined {
  return peekAudioDelta(typeof frame === 'string' ? frame : bufferOf(frame)) ?? parsed(frame);
}

/** The delta read around its payload, or `undefined` when the frame must be parsed. */
function peekAudioDelta(frame: string | Buffer): AudioDelta | undefined {
  const span = deltaPayloadSpan(frame);
  if (span === undefined) return undefined;
  const [start, end] = span;
  const keyAt = start - DELTA_KEY_LENGTH;
  if (keyAt > ENVELOPE_LIMIT || frame.length - end > ENVELOPE_LIMIT) return undefined;
  const envelope: DeltaEnvelope = {
    responseId: undefined,
    itemId: undefined,
    contentIndex: undefined,
  };
  if (!readEnvelopeHead(textOf(frame, 0, keyAt), envelope)) return undefined;
  if (!readEnvelopeTail(textOf(frame, end + 1, frame.length), envelope)) return undefined;
  const delta = payloadOf(frame, start, end);
  // Base64 has no backslash: one is an escape (`\/`, `\u0041`), which the parse decodes.
  if (delta.includes('\\')) return undefined;
  // Written out: V8 spreads this envelope (its fields changed type) slower than a parse.
  const { responseId, itemId, contentIndex } = envelope;
  return { responseId, itemId, contentIndex, delta };
}

/** The envelope's text: from bytes as latin1, one character a byte, so offsets stay put. */
function textOf(frame: string | Buffer, start: number, end: number): string {
  return typeof frame === 'string' ? frame.slice(start, end) : frame.toString('latin1', start, end);
}

/**
 * The payload's text as the parse would have it. From bytes, ASCII (base64 always is) is
 * read as latin1, the cheaper decoder; anything else as UTF-8, the parse's decoding, because
 * base64 decoding reads a character past latin1 by its low byte and the two would differ.
 */
function payloadOf(frame: string | Buffer, start: number, end: number): string {
  if (typeof frame === 'string') return frame.slice(start, end);
  return frame.toString(isAscii(frame.subarray(start, end)) ? 'latin1' : 'utf8', start, end);
}

/** The frame's bytes as a Buffer, not copied: its searches are native (`memchr`). */
function bufferOf(frame: Uint8Array): Buffer {
  return Buffer.isBuffer(frame) ? frame : Buffer.from(frame.buffer, frame.byteOffset, frame.length);
}

/** The delta as a parse of the frame gives it: what every unusual frame gets. */
function parsed(frame: string | Uint8Array): AudioDelta | undefined {
  const event = parseFrame(frame);
  if (typeof event?.delta !== 'string') return undefined;
  const { response_id, item_id, content_index } = event;
  return {
    responseId: typeof response_id === 'string' ? response_id : undefined,
    itemId: typeof item_id === 'string' ? item_id : undefined,
    contentIndex: typeof content_index === 'number' ? content_index : undefined,
    delta: event.delta,
  };
}
