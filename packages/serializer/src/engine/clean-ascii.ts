import { bufferFunctions, textEncoder } from './runtime.ts';
import { getSimd, memoryReader, SCAN_CAPACITY } from './simd.ts';

/**
 * Strings at least this long are checked by the SIMD scan; shorter ones by a JS loop, which
 * wins below this size because it has no call overhead.
 */
export const SIMD_MIN_LENGTH = 192;

/**
 * Copies `text` into the SIMD memory at offset 0 and reports whether it is "clean": ASCII
 * with no character JSON escapes, so its JSON is `"` + text + `"` and its UTF-8 bytes are its
 * character codes. When this returns `true`, the staged bytes may be copied out.
 *
 * Returns `false` (never staged) where the SIMD module is unavailable or `text` is longer than
 * the scan area, so callers fall back to their JS path.
 */
export function stageCleanAscii(text: string): boolean {
  const length = text.length;
  if (length > SCAN_CAPACITY - 64) return false;
  const simd = getSimd();
  if (simd === null) return false;
  const memory = simd.memory;
  if (bufferFunctions !== null) {
    // latin1Write keeps only the low byte of characters above U+00FF, so ASCII is proven
    // first; Buffer.byteLength is native and counts a lone surrogate as 3 bytes.
    if (bufferFunctions.utf8Length(text) !== length) return false;
    bufferFunctions.latin1Write(memory, text, 0, length);
  } else if (textEncoder !== null) {
    // encodeInto turns a lone surrogate into U+FFFD (3 bytes), so `written === length` still
    // proves every character was ASCII.
    const result = textEncoder.encodeInto(text, memory.subarray(0, SCAN_CAPACITY));
    if (result.read !== length || result.written !== length) return false;
  } else {
    return false;
  }
  // The scan reads whole 64-byte rows: pad the last one with a clean byte.
  const end = (length + 63) & ~63;
  for (let index = length; index < end; index++) memory[index] = 0x41;
  return simd.scan(end) === 0;
}

const readStaged = memoryReader(0);

/** The staged bytes of the last successful {@link stageCleanAscii}. */
export function stagedBytes(length: number): Uint8Array {
  // stageCleanAscii returned true, so the module exists.
  return readStaged(getSimd()!, length);
}

/**
 * Whether `text` is JSON-clean for a string result: no quote, backslash, control character or
 * surrogate (a surrogate pair is fine in JSON, but proving it is paired costs more than letting
 * `JSON.stringify` handle the rare string that has one). Non-ASCII characters are clean.
 */
export function isJsonCleanLoop(text: string): boolean {
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code < 0x20 || code === 0x22 || code === 0x5c || (code >= 0xd800 && code < 0xe000)) {
      return false;
    }
  }
  return true;
}
