const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const EQUALS = 0x3d;
/** `delta":"` after a quote: the key of a delta's payload. */
const KEY_TAIL = [...'delta":"'].map((char) => char.charCodeAt(0));

/**
 * Where the `"delta"` string of a delta frame lies, `[start, end)` between its quotes, found
 * without parsing the frame (its payload can be a megabyte of base64): a search for the key
 * from the start (the envelope before it is short), then for the closing quote, a native
 * forward scan (`memchr` on a Node Buffer; a scan from the end is no native `memrchr` and
 * cost more than the relay's whole work for the frame). `undefined` when the frame has no such key.
 *
 * It is the first `"delta":"` of the frame, wherever it stands, and its text as it came
 * (escapes not decoded): a caller that takes the payload itself checks that the key is the
 * top-level one and that the span holds no backslash, and parses the frame otherwise. Metering
 * (`response.output_audio.delta` sizes) and `@rtwire/node`'s calls (audio deltas played on the
 * track) share it.
 *
 * @example
 * ```ts
 * const frame = '{"type":"response.output_audio.delta","delta":"AAAA"}';
 * const span = deltaPayloadSpan(frame); // [47, 51]
 * if (span !== undefined) frame.slice(...span); // 'AAAA'
 * ```
 */
export function deltaPayloadSpan(data: string | Uint8Array): readonly [number, number] | undefined {
  let start: number;
  if (typeof data === 'string') {
    const key = data.indexOf('"delta":"');
    if (key < 0) return undefined;
    start = key + 9;
  } else {
    start = -1;
    for (let quote = data.indexOf(QUOTE); quote >= 0; quote = data.indexOf(QUOTE, quote + 1)) {
      if (
        data[quote + 1] === 0x64 &&
        KEY_TAIL.every((byte, offset) => data[quote + 1 + offset] === byte)
      ) {
        start = quote + 1 + KEY_TAIL.length;
        break;
      }
    }
    if (start < 0) return undefined;
  }
  let end = start - 1;
  for (;;) {
    end = typeof data === 'string' ? data.indexOf('"', end + 1) : data.indexOf(QUOTE, end + 1);
    if (end < 0) return undefined;
    // An escaped quote (text) is part of the string: an odd run of backslashes before it.
    let slashes = 0;
    while (end - 1 - slashes >= start && codeAt(data, end - 1 - slashes) === BACKSLASH) slashes++;
    if (slashes % 2 === 0) return [start, end];
  }
}

function codeAt(data: string | Uint8Array, index: number): number {
  return typeof data === 'string' ? data.charCodeAt(index) : (data[index] as number);
}

/**
 * The bytes of audio a `response.output_audio.delta` frame carries: its base64 payload's
 * decoded length, read from the frame's bytes as they came (0 for a frame without one).
 *
 * @example
 * ```ts
 * deltaAudioBytes('{"type":"response.output_audio.delta","delta":"AAAA"}'); // 3
 * ```
 */
export function deltaAudioBytes(data: string | Uint8Array): number {
  const span = deltaPayloadSpan(data);
  if (span === undefined) return 0;
  const [start, end] = span;
  const length = end - start;
  let padding = 0;
  if (length > 0 && codeAt(data, end - 1) === EQUALS) padding++;
  if (length > 1 && codeAt(data, end - 2) === EQUALS) padding++;
  return Math.max(0, Math.floor((length * 3) / 4) - padding);
}

/**
 * The length of a text delta's payload as it came (JSON-escaped: close to its UTF-8 bytes, enough
 * to estimate tokens from), 0 for a frame without one.
 *
 * @example
 * ```ts
 * deltaTextLength('{"type":"response.output_text.delta","delta":"Hi \\"you\\""}'); // 11
 * ```
 */
export function deltaTextLength(data: string | Uint8Array): number {
  const span = deltaPayloadSpan(data);
  return span === undefined ? 0 : span[1] - span[0];
}
