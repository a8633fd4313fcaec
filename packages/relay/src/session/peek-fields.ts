const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COLON = 0x3a;
const COMMA = 0x2c;

/** How far into a frame the fields are looked for: the API writes them before the payload. */
export const FIELD_PEEK_LIMIT = 1024;

/** Where a response-scoped event belongs: its `response_id` and `output_index`. */
export interface ResponsePlace {
  readonly responseId: string;
  readonly outputIndex: number;
}

/**
 * A response-scoped event's `response_id` and `output_index`, read from the frame's bytes
 * without parsing it (the top level only, within the first {@link FIELD_PEEK_LIMIT} bytes, as
 * the API writes them ahead of the delta). `undefined` when either is not there, not plain
 * (an escaped id, a fraction) or further in: the caller then parses the frame.
 *
 * @example
 * ```ts
 * peekResponsePlace('{"type":"response.output_audio.delta","response_id":"resp_1","output_index":2,"delta":"…"}');
 * // { responseId: 'resp_1', outputIndex: 2 }
 * ```
 */
export function peekResponsePlace(frame: string | Uint8Array): ResponsePlace | undefined {
  // Bytes are read as text once, as far as the fields can be: one native call, then one loop.
  const text =
    typeof frame === 'string'
      ? frame
      : latin1.decode(
          frame.length > FIELD_PEEK_LIMIT ? frame.subarray(0, FIELD_PEEK_LIMIT) : frame,
        );
  return peekFlat(text) ?? peekScanning(text);
}

/**
 * The common case, with native searches only: both keys found ahead of any nested object or
 * array (so at the top level) and not right after a backslash (so not inside a longer key).
 */
function peekFlat(frame: string): ResponsePlace | undefined {
  // Searches stop at the limit: a delta's payload is never searched.
  const text = frame.length > FIELD_PEEK_LIMIT ? frame.slice(0, FIELD_PEEK_LIMIT) : frame;
  const idAt = text.indexOf(RESPONSE_ID_KEY);
  const indexAt = text.indexOf(OUTPUT_INDEX_KEY);
  if (idAt <= 0 || indexAt <= 0) return undefined;
  const last = Math.max(idAt, indexAt);
  if (text.charCodeAt(0) !== OPEN_BRACE) return undefined;
  const nested = text.indexOf('{', 1);
  if ((nested !== -1 && nested < last) || text.lastIndexOf('[', last) !== -1) return undefined;
  if (text.charCodeAt(idAt - 1) === BACKSLASH || text.charCodeAt(indexAt - 1) === BACKSLASH) {
    return undefined;
  }
  const idStart = idAt + RESPONSE_ID_KEY.length;
  const idEnd = text.indexOf('"', idStart);
  if (idEnd < 0) return undefined;
  const responseId = text.slice(idStart, idEnd);
  if (!PLAIN.test(responseId)) return undefined;
  const outputIndex = readIndex(text, indexAt + OUTPUT_INDEX_KEY.length, text.length);
  return outputIndex === undefined ? undefined : { responseId, outputIndex };
}

/** A small non-negative integer at `start`, ended by `,` or `}`. */
function readIndex(text: string, start: number, end: number): number | undefined {
  let cursor = start;
  let value = 0;
  for (; cursor < end && cursor - start <= 9; cursor++) {
    const digit = text.charCodeAt(cursor) - 0x30;
    if (digit < 0 || digit > 9) break;
    value = value * 10 + digit;
  }
  const next = text.charCodeAt(cursor);
  if (cursor === start || cursor - start > 9 || (next !== COMMA && next !== CLOSE_BRACE)) {
    return undefined;
  }
  return value;
}

/** Every other layout: a scan of the top level, strings skipped. */
function peekScanning(text: string): ResponsePlace | undefined {
  const end = Math.min(text.length, FIELD_PEEK_LIMIT);
  let responseId: string | undefined;
  let outputIndex: number | undefined;
  let depth = 0;
  for (let index = 0; index < end; index++) {
    const code = text.charCodeAt(index);
    if (code === QUOTE) {
      const start = index + 1;
      index = skipString(text, start, end);
      if (index < 0) return undefined;
      if (depth !== 1 || text.charCodeAt(index + 1) !== COLON) continue;
      const length = index - start;
      if (length === RESPONSE_ID.length && text.startsWith(RESPONSE_ID, start)) {
        if (text.charCodeAt(index + 2) !== QUOTE) return undefined;
        const valueEnd = skipString(text, index + 3, end);
        if (valueEnd < 0) return undefined;
        responseId = text.slice(index + 3, valueEnd);
        // An escape, or (from bytes) anything past ASCII: the parse reads it right.
        if (!PLAIN.test(responseId)) return undefined;
        index = valueEnd;
      } else if (length === OUTPUT_INDEX.length && text.startsWith(OUTPUT_INDEX, start)) {
        outputIndex = readIndex(text, index + 2, end);
        if (outputIndex === undefined) return undefined;
        index += 2;
      }
      if (responseId !== undefined && outputIndex !== undefined) return { responseId, outputIndex };
    } else if (code === OPEN_BRACE || code === OPEN_BRACKET) {
      depth++;
    } else if (code === CLOSE_BRACE || code === CLOSE_BRACKET) {
      depth--;
    }
  }
  return undefined;
}

const RESPONSE_ID = 'response_id';
const OUTPUT_INDEX = 'output_index';
const RESPONSE_ID_KEY = `"${RESPONSE_ID}":"`;
const OUTPUT_INDEX_KEY = `"${OUTPUT_INDEX}":`;
const PLAIN = /^[\x20-\x21\x23-\x5b\x5d-\x7e]*$/;
const latin1 = new TextDecoder('latin1');

function skipString(text: string, start: number, end: number): number {
  for (let index = start; index < end; index++) {
    const code = text.charCodeAt(index);
    if (code === QUOTE) return index;
    if (code === BACKSLASH) index++;
  }
  return -1;
}
