/**
 * Size in bytes of a message as it travels (UTF-8 for text). Exact for strings, computed
 * without encoding them.
 *
 * @example
 * ```ts
 * frameSize('héllo'); // 6
 * ```
 */
export function frameSize(data: string | Uint8Array): number {
  if (typeof data !== 'string') return data.byteLength;
  let bytes = data.length;
  for (let index = 0; index < data.length; index++) {
    const code = data.charCodeAt(index);
    if (code < 0x80) continue;
    if (code < 0x800) bytes += 1;
    else if (code >= 0xd800 && code <= 0xdbff && isLowSurrogate(data.charCodeAt(index + 1))) {
      // A surrogate pair is 4 bytes for 2 code units.
      bytes += 2;
      index++;
    } else bytes += 2; // a lone surrogate is sent as U+FFFD, 3 bytes
  }
  return bytes;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}
