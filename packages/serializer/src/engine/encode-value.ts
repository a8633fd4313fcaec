import { writeCleanAscii } from './ascii-writer.ts';
import type { ByteSink } from './byte-sink.ts';
import { SIMD_MIN_LENGTH } from './clean-ascii.ts';
import { MAX_NUMBER_BYTES, writeJsonNumber } from './encode-number.ts';
import { isOmitted, toJsonValue } from './json-value.ts';
import { keyWords } from './key-cache.ts';
import { MIN_REPEATED_LENGTH, rememberString, writeRepeatedString } from './repeated-string.ts';
import { maxJsonStringBytes, writeJsonString } from './utf8-writer.ts';

/**
 * The deepest value the encoder writes: twice the decoders' limit (`MAX_NESTING_DEPTH`, 128),
 * so whatever was decoded can be wrapped into an event and written back, and shallow enough
 * that the recursion below stays far from any runtime's stack limit (Workers' included). A
 * deeper value, or one that refers to itself, is refused with a RangeError instead of being
 * handed to `JSON.stringify`, whose own recursion overflows the stack a few thousand levels
 * down and takes the caller with it.
 *
 * @example
 * ```ts
 * import { exceedsNesting } from '@rtwire/types';
 * if (exceedsNesting(value, MAX_ENCODE_DEPTH)) return refuse(value);
 * ```
 */
export const MAX_ENCODE_DEPTH = 256;
const hasOwn = Object.prototype.hasOwnProperty;

/**
 * Writes the JSON of `value` (already passed through `toJsonValue`) into `sink` as UTF-8,
 * exactly as `JSON.stringify` would write it, without building the string.
 *
 * @example
 * ```ts
 * const sink = new ByteSink();
 * writeJsonValue(sink, { a: [1, 'x'] }, 0); // sink.buffer.subarray(0, sink.position)
 * ```
 */
export function writeJsonValue(sink: ByteSink, value: unknown, depth: number): void {
  switch (typeof value) {
    case 'string':
      writeString(sink, value);
      return;
    case 'number': {
      const target = sink.ensure(MAX_NUMBER_BYTES);
      sink.position = writeJsonNumber(target, sink.position, value);
      return;
    }
    case 'boolean':
      writeLiteral(sink, value ? 'true' : 'false');
      return;
    case 'object':
      if (value === null) writeLiteral(sink, 'null');
      else if (depth >= MAX_ENCODE_DEPTH) throw tooDeep();
      else if (Array.isArray(value)) writeArray(sink, value, depth + 1);
      else writeObject(sink, value as Record<string, unknown>, depth + 1);
      return;
    default:
      // undefined, functions and symbols: `null` where a value is required (array slots).
      writeLiteral(sink, 'null');
  }
}

function writeString(sink: ByteSink, text: string): void {
  const target = sink.ensure(maxJsonStringBytes(text.length));
  const start = sink.position;
  // Below SIMD_MIN_LENGTH a clean string is copied by the SWAR writer (as frames write theirs);
  // longer ones go to writeJsonString, whose SIMD scan wins for them.
  if (text.length < SIMD_MIN_LENGTH) {
    target[start] = 0x22;
    const end = writeCleanAscii(sink.view, target, start + 1, text);
    if (end >= 0) {
      target[end] = 0x22;
      sink.position = end + 1;
      return;
    }
  }
  if (text.length >= MIN_REPEATED_LENGTH) {
    const end = writeRepeatedString(target, start, text);
    if (end >= 0) {
      sink.position = end;
      return;
    }
    sink.position = writeJsonString(target, start, text);
    rememberString(text, target, start, sink.position);
    return;
  }
  sink.position = writeJsonString(target, start, text);
}

function writeLiteral(sink: ByteSink, literal: string): void {
  const target = sink.ensure(5);
  let position = sink.position;
  for (let index = 0; index < literal.length; index++) {
    target[position++] = literal.charCodeAt(index);
  }
  sink.position = position;
}

function writeArray(sink: ByteSink, array: readonly unknown[], depth: number): void {
  sink.ensure(1)[sink.position++] = 0x5b;
  for (let index = 0; index < array.length; index++) {
    if (index > 0) sink.ensure(1)[sink.position++] = 0x2c;
    writeJsonValue(sink, toJsonValue(array[index], index), depth);
  }
  sink.ensure(1)[sink.position++] = 0x5d;
}

function writeObject(sink: ByteSink, object: Record<string, unknown>, depth: number): void {
  sink.ensure(1)[sink.position++] = 0x7b;
  let first = true;
  // for-in with an own-property check is what V8 optimizes best (enum cache, no key array);
  // it visits keys in the order Object.keys and JSON.stringify use.
  for (const key in object) {
    if (!hasOwn.call(object, key)) continue;
    let value = object[key];
    if (typeof value === 'object' && value !== null) value = toJsonValue(value, key);
    else if (isOmitted(value)) continue;
    else if (typeof value === 'bigint') toJsonValue(value, key);
    if (isOmitted(value)) continue;
    const name = keyWords(key);
    const words = name.words;
    // The last word may write 3 bytes past the key: the next write overwrites them.
    const target = sink.ensure(name.length + 4);
    let position = sink.position;
    if (first) first = false;
    else target[position++] = 0x2c;
    const view = sink.view;
    for (let index = 0; index < words.length; index++) {
      view.setInt32(position + index * 4, words[index]!, true);
    }
    sink.position = position + name.length;
    writeJsonValue(sink, value, depth);
  }
  sink.ensure(1)[sink.position++] = 0x7d;
}

/**
 * The error for a value past {@link MAX_ENCODE_DEPTH}: a RangeError that says what to bound,
 * unlike the stack overflow it replaces.
 *
 * @example
 * ```ts
 * if (depth >= MAX_ENCODE_DEPTH) throw tooDeep();
 * ```
 */
export function tooDeep(): RangeError {
  return new RangeError(
    `encode: a value nests deeper than ${MAX_ENCODE_DEPTH} levels or refers to itself; JSON frames are bounded`,
  );
}
