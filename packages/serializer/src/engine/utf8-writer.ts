import { SIMD_MIN_LENGTH, stageCleanAscii, stagedBytes } from './clean-ascii.ts';

/**
 * Most bytes {@link writeJsonString} writes for a string of `length` UTF-16 units.
 *
 * @example
 * ```ts
 * const target = new Uint8Array(maxJsonStringBytes(text.length));
 * const end = writeJsonString(target, 0, text);
 * ```
 */
export function maxJsonStringBytes(length: number): number {
  // `\u001f` and `\udXXX` are 6 bytes for one unit; everything else is at most 3 per unit.
  return length * 6 + 2;
}

const HEX = [48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 97, 98, 99, 100, 101, 102];

// The second byte of a two-character escape, by character code; 0 means `\u00XX`.
const SHORT_ESCAPE = new Uint8Array(0x60);
SHORT_ESCAPE[0x08] = 0x62; // \b
SHORT_ESCAPE[0x09] = 0x74; // \t
SHORT_ESCAPE[0x0a] = 0x6e; // \n
SHORT_ESCAPE[0x0c] = 0x66; // \f
SHORT_ESCAPE[0x0d] = 0x72; // \r
SHORT_ESCAPE[0x22] = 0x22; // \"
SHORT_ESCAPE[0x5c] = 0x5c; // \\

function writeEscape(target: Uint8Array, position: number, code: number): number {
  target[position++] = 0x5c;
  const short = code < 0x60 ? SHORT_ESCAPE[code]! : 0;
  if (short !== 0) {
    target[position++] = short;
    return position;
  }
  target[position++] = 0x75;
  target[position++] = HEX[(code >> 12) & 15]!;
  target[position++] = HEX[(code >> 8) & 15]!;
  target[position++] = HEX[(code >> 4) & 15]!;
  target[position++] = HEX[code & 15]!;
  return position;
}

/**
 * Writes the JSON literal of `text` as UTF-8 at `position` and returns the position after it.
 * One pass escapes and encodes; `target` must have {@link maxJsonStringBytes} free bytes.
 *
 * Unlike `TextEncoder` or `Buffer.from`, which turn a lone surrogate into U+FFFD, a lone
 * surrogate is written as `\udXXX`, as `JSON.stringify` does.
 *
 * @example
 * ```ts
 * const bytes = new Uint8Array(maxJsonStringBytes(2));
 * const end = writeJsonString(bytes, 0, 'é"'); // bytes.subarray(0, end): "é\""
 * ```
 */
export function writeJsonString(target: Uint8Array, position: number, text: string): number {
  const length = text.length;
  if (length >= SIMD_MIN_LENGTH && stageCleanAscii(text)) {
    target[position] = 0x22;
    target.set(stagedBytes(length), position + 1);
    target[position + length + 1] = 0x22;
    return position + length + 2;
  }
  target[position++] = 0x22;
  for (let index = 0; index < length; index++) {
    const code = text.charCodeAt(index);
    if (code < 0x80) {
      if (code >= 0x20 && code !== 0x22 && code !== 0x5c) target[position++] = code;
      else position = writeEscape(target, position, code);
    } else if (code < 0x800) {
      target[position++] = 0xc0 | (code >> 6);
      target[position++] = 0x80 | (code & 0x3f);
    } else if (code < 0xd800 || code > 0xdfff) {
      target[position++] = 0xe0 | (code >> 12);
      target[position++] = 0x80 | ((code >> 6) & 0x3f);
      target[position++] = 0x80 | (code & 0x3f);
    } else {
      const next = code <= 0xdbff && index + 1 < length ? text.charCodeAt(index + 1) : 0;
      if (next >= 0xdc00 && next <= 0xdfff) {
        const point = ((code - 0xd800) << 10) + (next - 0xdc00) + 0x10000;
        target[position++] = 0xf0 | (point >> 18);
        target[position++] = 0x80 | ((point >> 12) & 0x3f);
        target[position++] = 0x80 | ((point >> 6) & 0x3f);
        target[position++] = 0x80 | (point & 0x3f);
        index++;
      } else {
        position = writeEscape(target, position, code);
      }
    }
  }
  target[position++] = 0x22;
  return position;
}

/** Writes a string known to be ASCII (a number, a literal) and returns the next position. */
export function writeAscii(target: Uint8Array, position: number, ascii: string): number {
  for (let index = 0; index < ascii.length; index++) target[position++] = ascii.charCodeAt(index);
  return position;
}

/**
 * Writes JSON text produced by `JSON.stringify` or `quoteJsonString` as UTF-8 (no escaping:
 * such text has every lone surrogate escaped already). `target` needs `3 * text.length` bytes.
 */
export function writeJsonText(target: Uint8Array, position: number, text: string): number {
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code < 0x80) {
      target[position++] = code;
    } else if (code < 0x800) {
      target[position++] = 0xc0 | (code >> 6);
      target[position++] = 0x80 | (code & 0x3f);
    } else if (code >= 0xd800 && code <= 0xdbff && index + 1 < text.length) {
      const point = text.codePointAt(index)!;
      target[position++] = 0xf0 | (point >> 18);
      target[position++] = 0x80 | ((point >> 12) & 0x3f);
      target[position++] = 0x80 | ((point >> 6) & 0x3f);
      target[position++] = 0x80 | (point & 0x3f);
      index++;
    } else {
      target[position++] = 0xe0 | (code >> 12);
      target[position++] = 0x80 | ((code >> 6) & 0x3f);
      target[position++] = 0x80 | (code & 0x3f);
    }
  }
  return position;
}

/** The UTF-8 bytes of a JSON fragment (constant prefixes, built once per context). */
export function jsonFragmentBytes(fragment: string): Uint8Array {
  const bytes = new Uint8Array(fragment.length * 3);
  return bytes.slice(0, writeJsonText(bytes, 0, fragment));
}
