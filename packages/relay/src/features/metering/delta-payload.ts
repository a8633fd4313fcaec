const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const EQUALS = 0x3d;
const COLON = 0x3a;
/** The key of a delta's payload, with the quote that opens its string. */
const KEY = '"delta":"';
/**
 * How far the key search moves on from a window, by the byte just past it (Sunday's quick
 * search): past that byte, unless it occurs in the key, to line up its last occurrence there.
 */
const KEY_SHIFT = new Uint8Array(256).fill(KEY.length + 1);
for (let index = 0; index < KEY.length; index++) {
  KEY_SHIFT[KEY.charCodeAt(index)] = KEY.length - index;
}

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
  const start = payloadStart(data);
  if (start < 0) return undefined;
  const end = payloadEnd(data, start);
  return end < 0 ? undefined : [start, end];
}

/** Where the first `"delta":"` of `data` ends (its payload's first character), or -1. */
function payloadStart(data: string | Uint8Array): number {
  if (typeof data === 'string') {
    const key = data.indexOf(KEY);
    return key < 0 ? key : key + KEY.length;
  }
  // Bytes: one pass in JS over the envelope (a quick search, in strides of up to 10
  // bytes) rather than a native search per quote of the envelope, each of which crossed into
  // C++ (a Node Buffer's `indexOf` of the key would be one call, but plain Uint8Arrays have
  // none, and this beat it too). A window is checked from its closing quote.
  const last = data.length - KEY.length;
  for (let at = 0; at <= last; ) {
    if (
      data[at + 8] === QUOTE &&
      data[at] === QUOTE &&
      data[at + 1] === 0x64 && // d
      data[at + 2] === 0x65 && // e
      data[at + 3] === 0x6c && // l
      data[at + 4] === 0x74 && // t
      data[at + 5] === 0x61 && // a
      data[at + 6] === QUOTE &&
      data[at + 7] === COLON
    ) {
      return at + KEY.length;
    }
    if (at === last) break;
    at += KEY_SHIFT[data[at + KEY.length] as number] as number;
  }
  return -1;
}

/**
 * Where the payload starting at `start` ends: the first quote after it that no backslash
 * escapes (an odd run of them before it), found natively; -1 when it is not closed.
 */
function payloadEnd(data: string | Uint8Array, start: number): number {
  let end = start - 1;
  for (;;) {
    end = typeof data === 'string' ? data.indexOf('"', end + 1) : data.indexOf(QUOTE, end + 1);
    if (end < 0) return end;
    let slashes = 0;
    while (end - 1 - slashes >= start && codeAt(data, end - 1 - slashes) === BACKSLASH) slashes++;
    if (slashes % 2 === 0) return end;
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
  // The span's ends as numbers: called per audio delta, it allocates nothing.
  const start = payloadStart(data);
  if (start < 0) return 0;
  const end = payloadEnd(data, start);
  if (end < 0) return 0;
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
  const start = payloadStart(data);
  if (start < 0) return 0;
  const end = payloadEnd(data, start);
  return end < 0 ? 0 : end - start;
}
