import { type EventId, EventIdSequence } from '../event-id-sequence.ts';
import { writeCleanAscii } from './ascii-writer.ts';
import { base64Length, writeBase64 } from './base64.ts';
import { ByteSink } from './byte-sink.ts';
import { SIMD_MIN_LENGTH, stageCleanAscii, stagedBytes } from './clean-ascii.ts';
import { writeJsonValue } from './encode-value.ts';
import { quoteJsonString } from './escape-json-string.ts';
import { toJsonValue } from './json-value.ts';
import { outputSlab } from './output-slab.ts';
import {
  jsonFragmentBytes,
  maxJsonStringBytes,
  writeJsonString,
  writeJsonText,
} from './utf8-writer.ts';

/**
 * A constant piece of a frame, as text and as UTF-8 bytes. The bytes are made on first use:
 * a context encoder has some thirty fragments and a caller uses a few of them, often only in
 * one of the two forms, and building them all up front cost more than a whole response.
 */
export class Fragment {
  readonly text: string;
  #bytes: Uint8Array | undefined;

  constructor(text: string) {
    this.text = text;
  }

  /** The UTF-8 bytes of {@link text}, encoded once. */
  get bytes(): Uint8Array {
    if (this.#bytes === undefined) this.#bytes = jsonFragmentBytes(this.text);
    return this.#bytes;
  }
}

/**
 * The fragments every context shares (the `{"type":…,"event_id":` heads, keys, braces), by
 * text. Bounded by construction: only the encoders' own constant texts are cached here, never
 * one that holds a context's ids.
 */
const shared = new Map<string, Fragment>();

/** Builds a {@link Fragment} from JSON text. */
export function fragment(text: string): Fragment {
  return new Fragment(text);
}

/** The one {@link Fragment} of a constant JSON text (no ids in it), shared by every context. */
export function sharedFragment(text: string): Fragment {
  let found = shared.get(text);
  if (found === undefined) {
    found = new Fragment(text);
    shared.set(text, found);
  }
  return found;
}

/** The JSON of a string argument; anything but a string is a caller's type error. */
export function quoteArgument(value: string, name: string): string {
  if (typeof value !== 'string') throw argumentError(name);
  return quoteJsonString(value);
}

/** The JSON of an event id argument, a sequence's next id taken. */
export function quoteEventId(eventId: EventId): string {
  if (typeof eventId === 'string') return quoteJsonString(eventId);
  if (eventId instanceof EventIdSequence) return eventId.nextJson();
  throw eventIdError();
}

function argumentError(name: string): TypeError {
  return new TypeError(`encoderFor: ${name} must be a string`);
}

function eventIdError(): TypeError {
  return new TypeError('encoderFor: eventId must be a string or an EventIdSequence');
}

/** The most bytes an event id's JSON takes; checks that it is one. */
function eventIdBytes(eventId: EventId): number {
  if (typeof eventId === 'string') return maxJsonStringBytes(eventId.length);
  if (eventId instanceof EventIdSequence) return eventId.maxJsonBytes;
  throw eventIdError();
}

/**
 * Writes an event id's JSON (a sequence's next id, its digits in place) at `position` of the
 * output slab's buffer.
 */
function writeEventId(target: Uint8Array, position: number, eventId: EventId): number {
  return typeof eventId === 'string'
    ? writeShortString(target, position, eventId)
    : eventId.writeNext(target, position);
}

function copy(target: Uint8Array, position: number, bytes: Uint8Array): number {
  // TypedArray#set is a memcpy with a fixed ~15 ns entry cost; a loop wins only when tiny.
  if (bytes.length > 12) {
    target.set(bytes, position);
    return position + bytes.length;
  }
  for (let index = 0; index < bytes.length; index++) target[position++] = bytes[index]!;
  return position;
}

/**
 * Writes the JSON literal of a short string at `position` (a clean one in a single SWAR pass,
 * anything else with the escaping writer) and returns the next position. The slab must have
 * {@link maxJsonStringBytes} free bytes there.
 */
function writeShortString(target: Uint8Array, position: number, text: string): number {
  target[position] = 0x22;
  const end =
    text.length < SIMD_MIN_LENGTH
      ? writeCleanAscii(outputSlab.view, target, position + 1, text)
      : -1;
  if (end < 0) return writeJsonString(target, position, text);
  target[end] = 0x22;
  return end + 1;
}

/**
 * `head + json(eventId) + middle + json(value) + '}'` straight into the output slab, for any
 * event id (a {@link StringFrameWriter} takes a sequence's ids its faster way). A long clean
 * `value` (base64 audio) is scanned once and copied in.
 */
export function frameBytes(
  head: Fragment,
  eventId: EventId,
  middle: Fragment,
  value: string,
): Uint8Array {
  const idBytes = eventIdBytes(eventId);
  if (typeof value !== 'string') throw argumentError('the payload');
  if (value.length >= SIMD_MIN_LENGTH) return longFrameBytes(head, eventId, middle, value);
  const target = outputSlab.reserve(
    head.bytes.length + idBytes + middle.bytes.length + maxJsonStringBytes(value.length) + 1,
  );
  let position = copy(target, outputSlab.start, head.bytes);
  position = writeEventId(target, position, eventId);
  position = copy(target, position, middle.bytes);
  position = writeShortString(target, position, value);
  target[position++] = 0x7d;
  return outputSlab.commit(position);
}

/** Never given by a caller (this module keeps it): what a template holds before its first. */
const NO_SEQUENCE = new EventIdSequence('');
const EMPTY = new Uint8Array(0);

/**
 * Frames a template joins for one sequence before another may take its place: joining costs
 * about as much as a few frames, so an encoder shared by sessions that take turns frame by
 * frame joins at most once in this many, the others' frames taking the general path.
 */
const REJOIN_AFTER = 64;

/**
 * The constant bytes of one method's frames around a sequence's event id, joined: `head`, the
 * id's JSON (its digits current), then `middle`. A session gives the same
 * {@link EventIdSequence} frame after frame, so a frame copies this once (a single native
 * copy, against one for the head, a loop for the id and one for the middle) after writing
 * the next id's digits into it; only what follows the middle is written per frame.
 */
class IdTemplate {
  readonly #head: Fragment;
  readonly #middle: Fragment;
  /** The sequence the template holds the id of, and frames written since it was joined. */
  sequence: EventIdSequence = NO_SEQUENCE;
  #taken = 0;
  /** The joined bytes, the digits of the id last taken in them. */
  bytes: Uint8Array = EMPTY;
  #digitsAt = 0;
  #digits = 0;
  /** What the general path reserves for all but the variable part: the same, so slabs fill alike. */
  fixed = 0;

  constructor(head: Fragment, middle: Fragment) {
    this.#head = head;
    this.#middle = middle;
  }

  /**
   * Whether frames with ids of `sequence` are made here (joining it when another sequence has
   * had its turn), else by the general path.
   */
  joins(sequence: EventIdSequence): boolean {
    if (this.#taken < REJOIN_AFTER && this.sequence !== NO_SEQUENCE) return false;
    this.sequence = sequence;
    this.#taken = 0;
    this.#layout(sequence);
    return true;
  }

  /** Takes the sequence's next id into {@link bytes} and returns them. */
  take(): Uint8Array {
    const sequence = this.sequence;
    if (sequence.digitCount !== this.#digits) this.#layout(sequence);
    sequence.writeDigits(this.bytes, this.#digitsAt);
    this.#taken++;
    return this.bytes;
  }

  /**
   * Lays the bytes out for the sequence's digit count (when joined, then once per power of
   * ten). The middle is encoded straight into them, not through {@link Fragment.bytes}: a
   * middle holds a context's ids, so it is new for every content part, and its own bytes
   * would be two more buffers per part that the general path may never need.
   */
  #layout(sequence: EventIdSequence): void {
    const head = this.#head.bytes;
    const prefix = sequence.jsonHead;
    const middle = this.#middle.text;
    const digits = sequence.digitCount;
    const digitsAt = head.length + prefix.length;
    const middleAt = digitsAt + digits + 1;
    const room = new Uint8Array(middleAt + middle.length * 3);
    room.set(head);
    room.set(prefix, head.length);
    const end = writeJsonText(room, middleAt, middle);
    this.bytes = room.subarray(0, end);
    this.#digitsAt = digitsAt;
    this.#digits = digits;
    this.fixed = head.length + sequence.maxJsonBytes + (end - middleAt);
  }
}

/**
 * {@link frameBytes} of one method of one encoder (its `head` and `middle` fixed): the hot path
 * of every text delta. With a sequence's id, the frame is one copy of an {@link IdTemplate}
 * and the value; any other id, and a long value, take {@link frameBytes}'s own paths. The
 * bytes are the same either way.
 *
 * @example
 * ```ts
 * const delta = new StringFrameWriter(
 *   sharedFragment('{"type":"response.output_text.delta","event_id":'),
 *   fragment(',"response_id":"resp_1","item_id":"item_1","output_index":0,"content_index":0,"delta":'),
 * );
 * send(delta.bytes(sequence, 'Hel')); // the sequence's next id, written in place
 * ```
 */
export class StringFrameWriter {
  readonly #head: Fragment;
  readonly #middle: Fragment;
  readonly #template: IdTemplate;

  constructor(head: Fragment, middle: Fragment) {
    this.#head = head;
    this.#middle = middle;
    this.#template = new IdTemplate(head, middle);
  }

  /** `head + json(eventId) + middle + json(value) + '}'`, as {@link frameBytes} writes it. */
  bytes(eventId: EventId, value: string): Uint8Array {
    const template = this.#template;
    if (
      (eventId !== template.sequence &&
        !(eventId instanceof EventIdSequence && template.joins(eventId))) ||
      typeof value !== 'string' ||
      value.length >= SIMD_MIN_LENGTH
    ) {
      return frameBytes(this.#head, eventId, this.#middle, value);
    }
    const target = outputSlab.reserve(template.fixed + maxJsonStringBytes(value.length) + 1);
    const lead = template.take();
    let position = copy(target, outputSlab.start, lead);
    position = writeShortString(target, position, value);
    target[position++] = 0x7d;
    return outputSlab.commit(position);
  }
}

function longFrameBytes(head: Fragment, eventId: EventId, middle: Fragment, value: string) {
  // Event ids are short; a long one would restage the SIMD memory, so it goes the slow way.
  if (
    (typeof eventId === 'string' && eventId.length >= SIMD_MIN_LENGTH) ||
    !stageCleanAscii(value)
  ) {
    return frameBytesSlow(head, eventId, middle, value);
  }
  const length = value.length;
  const target = outputSlab.reserve(
    head.bytes.length + eventIdBytes(eventId) + middle.bytes.length + length + 3,
  );
  let position = copy(target, outputSlab.start, head.bytes);
  position = writeEventId(target, position, eventId);
  position = copy(target, position, middle.bytes);
  target[position] = 0x22;
  target.set(stagedBytes(length), position + 1);
  position += length + 1;
  target[position++] = 0x22;
  target[position++] = 0x7d;
  return outputSlab.commit(position);
}

function frameBytesSlow(head: Fragment, eventId: EventId, middle: Fragment, value: string) {
  const frame = startFrame(head);
  frame.eventId(eventId);
  frame.fragment(middle);
  frame.string(value, 'the payload');
  return frame.fragment(CLOSE).end();
}

/** `head + json(eventId) + tail` (events whose only variable field is the event id). */
export function eventIdFrameBytes(head: Fragment, eventId: EventId, tail: Fragment): Uint8Array {
  const target = outputSlab.reserve(head.bytes.length + eventIdBytes(eventId) + tail.bytes.length);
  let position = copy(target, outputSlab.start, head.bytes);
  position = writeEventId(target, position, eventId);
  position = copy(target, position, tail.bytes);
  return outputSlab.commit(position);
}

/**
 * `head + json(eventId) + middle + base64(pcm) + '"' + trailer + '}'`, `middle` ending with the
 * opening quote: base64 is clean by construction, so it is written in place with no escape
 * scan. `trailer` is the JSON of the fields after the audio (`,"elapsed_ms":1200`): ASCII the
 * caller made, copied as it is.
 */
export function pcmFrameBytes(
  head: Fragment,
  eventId: EventId,
  middle: Fragment,
  pcm: Uint8Array,
  trailer = '',
): Uint8Array {
  const idBytes = eventIdBytes(eventId);
  if (!(pcm instanceof Uint8Array)) throw new TypeError('encoderFor: pcm must be a Uint8Array');
  const target = outputSlab.reserve(
    head.bytes.length +
      idBytes +
      middle.bytes.length +
      base64Length(pcm.length) +
      trailer.length +
      2,
  );
  let position = copy(target, outputSlab.start, head.bytes);
  position = writeEventId(target, position, eventId);
  position = copy(target, position, middle.bytes);
  position = writeBase64(target, position, pcm);
  target[position++] = 0x22;
  for (let index = 0; index < trailer.length; index++) {
    target[position++] = trailer.charCodeAt(index);
  }
  target[position++] = 0x7d;
  return outputSlab.commit(position);
}

// Its own scratch sink, not the general encoder's: a value's toJSON may encode an event while
// a frame is half written here.
const sink = new ByteSink();
const CLOSE = sharedFragment('}');

/** A frame of several variable parts, written into a scratch sink and copied out once. */
class FrameBuilder {
  fragment(piece: Fragment): this {
    const target = sink.ensure(piece.bytes.length);
    sink.position = copy(target, sink.position, piece.bytes);
    return this;
  }

  string(value: string, name: string): this {
    if (typeof value !== 'string') throw argumentError(name);
    const target = sink.ensure(maxJsonStringBytes(value.length));
    sink.position = writeJsonString(target, sink.position, value);
    return this;
  }

  eventId(eventId: EventId): this {
    const target = sink.ensure(eventIdBytes(eventId));
    // Not writeEventId: its short-string path writes through the output slab's DataView.
    sink.position =
      typeof eventId === 'string'
        ? writeJsonString(target, sink.position, eventId)
        : eventId.writeNext(target, sink.position);
    return this;
  }

  value(value: unknown, key: string): this {
    writeJsonValue(sink, toJsonValue(value, key), 0);
    return this;
  }

  end(): Uint8Array {
    return sink.toFrame();
  }
}

const builder = new FrameBuilder();

/** Starts a frame of several variable parts with its constant head. */
export function startFrame(head: Fragment): FrameBuilder {
  sink.position = 0;
  return builder.fragment(head);
}

export { copy as copyFragment };
