/**
 * A response's done events carry the same text four or five times (`response.output_text.done`,
 * `response.content_part.done`, `response.output_item.done`, `conversation.item.done`,
 * `response.done`), one after the other. The JSON bytes of the last long string written are
 * kept, so the next event carrying that string copies them instead of scanning it again.
 * One entry, for strings from {@link MIN_REPEATED_LENGTH} to {@link MAX_REPEATED_LENGTH}
 * characters: a bounded copy, and a miss costs one comparison.
 */
export const MIN_REPEATED_LENGTH = 1024;
/** Past this a string is not kept (the copy would hold too much for too little). */
export const MAX_REPEATED_LENGTH = 1024 * 1024;

let lastText: string | undefined;
let lastBytes: Uint8Array = new Uint8Array(0);
let lastLength = 0;

/**
 * Writes the JSON of `text` at `start` when it is the string last {@link rememberString}ed and
 * returns the position after it; `-1` when it is not (nothing written).
 *
 * @example
 * ```ts
 * const end = writeRepeatedString(target, start, text);
 * if (end < 0) rememberString(text, target, start, writeJsonString(target, start, text));
 * ```
 */
export function writeRepeatedString(target: Uint8Array, start: number, text: string): number {
  // `===` is a pointer check for the same string, and compares content only for another
  // string of the same length.
  if (text !== lastText) return -1;
  target.set(lastBytes.subarray(0, lastLength), start);
  return start + lastLength;
}

/**
 * Keeps the JSON bytes of `text`, just written to `target` from `start` to `end`, for the
 * next {@link writeRepeatedString}.
 *
 * @example
 * ```ts
 * rememberString(text, target, start, end);
 * ```
 */
export function rememberString(text: string, target: Uint8Array, start: number, end: number): void {
  if (text.length > MAX_REPEATED_LENGTH) return;
  const length = end - start;
  if (lastBytes.length < length) lastBytes = new Uint8Array(Math.max(length, lastBytes.length * 2));
  lastBytes.set(target.subarray(start, end));
  lastLength = length;
  lastText = text;
}
