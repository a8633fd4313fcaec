import { ByteSink } from './byte-sink.ts';
import { SIMD_MIN_LENGTH, stageCleanAscii, stagedBytes } from './clean-ascii.ts';
import { writeJsonValue } from './encode-value.ts';
import { quoteJsonString } from './escape-json-string.ts';
import { toJsonValue } from './json-value.ts';
import { outputSlab } from './output-slab.ts';
import { jsonFragmentBytes, maxJsonStringBytes, writeJsonString } from './utf8-writer.ts';

/** A constant piece of a frame, as text and as UTF-8 bytes, both built once. */
export interface Fragment {
  readonly text: string;
  readonly bytes: Uint8Array;
}

/** Builds a {@link Fragment} from JSON text. */
export function fragment(text: string): Fragment {
  return { text, bytes: jsonFragmentBytes(text) };
}

/** The JSON of a string argument; anything but a string is a caller's type error. */
export function quoteArgument(value: string, name: string): string {
  if (typeof value !== 'string') throw argumentError(name);
  return quoteJsonString(value);
}

function argumentError(name: string): TypeError {
  return new TypeError(`encoderFor: ${name} must be a string`);
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
 * `head + json(eventId) + middle + json(value) + '}'` straight into the output slab: the hot
 * path of every delta. A long clean `value` (base64 audio) is scanned once and copied in.
 */
export function frameBytes(
  head: Fragment,
  eventId: string,
  middle: Fragment,
  value: string,
): Uint8Array {
  if (typeof eventId !== 'string') throw argumentError('eventId');
  if (typeof value !== 'string') throw argumentError('the payload');
  const staged = value.length >= SIMD_MIN_LENGTH && stageCleanAscii(value);
  const valueBytes = staged ? value.length + 2 : maxJsonStringBytes(value.length);
  const target = outputSlab.reserve(
    head.bytes.length + maxJsonStringBytes(eventId.length) + middle.bytes.length + valueBytes + 1,
  );
  let position = copy(target, outputSlab.start, head.bytes);
  // Event ids are short; a long one would restage the SIMD memory, so stage the value after.
  position = eventId.length < SIMD_MIN_LENGTH ? writeJsonString(target, position, eventId) : -1;
  if (position < 0) return frameBytesSlow(head, eventId, middle, value);
  position = copy(target, position, middle.bytes);
  if (staged) {
    target[position] = 0x22;
    target.set(stagedBytes(value.length), position + 1);
    position += value.length + 1;
    target[position++] = 0x22;
  } else {
    position = writeJsonString(target, position, value);
  }
  target[position++] = 0x7d;
  return outputSlab.commit(position);
}

function frameBytesSlow(head: Fragment, eventId: string, middle: Fragment, value: string) {
  const frame = startFrame(head);
  frame.string(eventId, 'eventId');
  frame.fragment(middle);
  frame.string(value, 'the payload');
  return frame.fragment(CLOSE).end();
}

/** `head + json(eventId) + tail` (events whose only variable field is the event id). */
export function eventIdFrameBytes(head: Fragment, eventId: string, tail: Fragment): Uint8Array {
  if (typeof eventId !== 'string') throw argumentError('eventId');
  if (eventId.length >= SIMD_MIN_LENGTH) {
    return startFrame(head).string(eventId, 'eventId').fragment(tail).end();
  }
  const target = outputSlab.reserve(
    head.bytes.length + maxJsonStringBytes(eventId.length) + tail.bytes.length,
  );
  let position = copy(target, outputSlab.start, head.bytes);
  position = writeJsonString(target, position, eventId);
  position = copy(target, position, tail.bytes);
  return outputSlab.commit(position);
}

const sink = new ByteSink();
const CLOSE = fragment('}');

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

  value(value: unknown, key: string): this {
    writeJsonValue(sink, toJsonValue(value, key), 0);
    return this;
  }

  end(): Uint8Array {
    const length = sink.position;
    const target = outputSlab.reserve(length);
    target.set(sink.buffer.subarray(0, length), outputSlab.start);
    return outputSlab.commit(outputSlab.start + length);
  }
}

const builder = new FrameBuilder();

/** Starts a frame of several variable parts with its constant head. */
export function startFrame(head: Fragment): FrameBuilder {
  sink.position = 0;
  return builder.fragment(head);
}

/** Starts a frame whose total size is known: `length` bytes reserved in the output slab. */
export function reserveFrame(length: number): { target: Uint8Array; position: number } {
  const target = outputSlab.reserve(length);
  return { target, position: outputSlab.start };
}

/** Seals a frame started with {@link reserveFrame}. */
export function commitFrame(end: number): Uint8Array {
  return outputSlab.commit(end);
}

export { copy as copyFragment };
