const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COLON = 0x3a;
const TYPE_KEY = [0x74, 0x79, 0x70, 0x65]; // type

/**
 * How far into a frame {@link peekEventType} looks before giving up.
 *
 * @example
 * ```ts
 * peekEventType(`{"padding":"${'x'.repeat(PEEK_LIMIT)}","type":"a"}`); // undefined: too far in
 * ```
 */
export const PEEK_LIMIT = 1024;

/**
 * Reads the top-level `type` of a JSON event frame without parsing it, for metrics and policy
 * on frames the relay forwards as they came. Scans at most {@link PEEK_LIMIT} characters,
 * skips nested objects and strings, and returns `undefined` when the frame head holds no
 * plain top-level `"type":"…"` (escaped type strings are not decoded; they return undefined).
 *
 * @example
 * ```ts
 * peekEventType('{"type":"response.output_text.delta","event_id":"e1"}'); // 'response.output_text.delta'
 * peekEventType('not json'); // undefined
 * ```
 */
export function peekEventType(frame: string | Uint8Array): string | undefined {
  const at =
    typeof frame === 'string'
      ? (index: number) => frame.charCodeAt(index)
      : (index: number) => frame[index] ?? -1;
  const end = Math.min(frame.length, PEEK_LIMIT);
  let depth = 0;
  let index = 0;
  while (index < end) {
    const code = at(index);
    if (code === QUOTE) {
      const start = index + 1;
      index = skipString(at, start, end);
      if (index < 0) return undefined;
      if (depth === 1 && index - start === 4 && isTypeKey(at, start)) {
        let cursor = skipSpace(at, index + 1, end);
        if (at(cursor) !== COLON) continue;
        cursor = skipSpace(at, cursor + 1, end);
        if (at(cursor) !== QUOTE) return undefined;
        const valueEnd = skipString(at, cursor + 1, end);
        if (valueEnd < 0) return undefined;
        return readAscii(frame, cursor + 1, valueEnd);
      }
    } else if (code === OPEN_BRACE || code === OPEN_BRACKET) {
      depth++;
    } else if (code === CLOSE_BRACE || code === CLOSE_BRACKET) {
      depth--;
    }
    index++;
  }
  return undefined;
}

/** Returns the index of the closing quote, or -1 when the string does not end in range. */
function skipString(at: (index: number) => number, start: number, end: number): number {
  for (let index = start; index < end; index++) {
    const code = at(index);
    if (code === QUOTE) return index;
    if (code === BACKSLASH) index++;
  }
  return -1;
}

function skipSpace(at: (index: number) => number, start: number, end: number): number {
  let index = start;
  while (index < end) {
    const code = at(index);
    if (code !== 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d) break;
    index++;
  }
  return index;
}

function isTypeKey(at: (index: number) => number, start: number): boolean {
  return TYPE_KEY.every((code, offset) => at(start + offset) === code);
}

function readAscii(frame: string | Uint8Array, start: number, end: number): string | undefined {
  if (typeof frame === 'string') {
    const value = frame.slice(start, end);
    return value.includes('\\') ? undefined : value;
  }
  let value = '';
  for (let index = start; index < end; index++) {
    const code = frame[index] ?? 0;
    if (code === BACKSLASH || code > 0x7e) return undefined;
    value += String.fromCharCode(code);
  }
  return value;
}
