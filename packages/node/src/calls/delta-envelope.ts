/**
 * Where an audio delta's audio goes, from the members of the frame's top level around its
 * payload. `undefined` for a member that is absent or not of its type, as a parse of the frame
 * would leave it for the call to drop (an id) or to take as 0 (the content index).
 */
export interface DeltaEnvelope {
  responseId: string | undefined;
  itemId: string | undefined;
  contentIndex: number | undefined;
}

/**
 * One member, `"key":value` and the space after it, whose value is a string without escapes or
 * a scalar, exactly as JSON writes them. An escape, a control character in a string or a nested
 * value does not match: no API frame has one in a delta's envelope, and a parse reads it right.
 */
const MEMBER =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: a raw one is what JSON refuses in a string
  /"[^"\\\x00-\x1f]*"[ \t\n\r]*:[ \t\n\r]*(?:"[^"\\\x00-\x1f]*"|true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?)[ \t\n\r]*/y;
const OPENING = /[ \t\n\r]*\{[ \t\n\r]*/y;
const SEPARATOR = /[ \t\n\r]*,[ \t\n\r]*/y;
const CLOSING = /[ \t\n\r]*\}[ \t\n\r]*$/y;
/** The keys read, quotes included: a member that starts with one has exactly that key. */
const RESPONSE_ID = '"response_id"';
const ITEM_ID = '"item_id"';
const CONTENT_INDEX = '"content_index"';
const READ_KEYS = [RESPONSE_ID, ITEM_ID, CONTENT_INDEX];
/** A content index as the API writes it; another number (`1e0`, `-1`) is left to the parse. */
const INDEX = /^(?:0|[1-9]\d{0,8})$/;
const NUMBER = /^[-\d]/;
/** An id kept as it came: printable ASCII (bytes are read as latin1, so UTF-8 is left out). */
const PLAIN = /^[\x20-\x7e]*$/;

/**
 * Reads the members before a delta's payload into `envelope`: `head` is the frame up to the
 * `"delta"` key's opening quote, so it must be `{` and whole members each followed by a comma,
 * which also proves the key stands at the top level and is not inside a string. `false` when
 * the head is anything else: the caller then parses the frame.
 *
 * @example
 * ```ts
 * const envelope: DeltaEnvelope = { responseId: undefined, itemId: undefined, contentIndex: undefined };
 * readEnvelopeHead('{"type":"response.output_audio.delta","response_id":"resp_1",', envelope); // true
 * envelope.responseId; // 'resp_1'
 * ```
 */
export function readEnvelopeHead(head: string, envelope: DeltaEnvelope): boolean {
  let index = matchedEnd(OPENING, head, 0);
  while (index >= 0 && index < head.length) {
    index = readMember(head, index, envelope);
    if (index >= 0) index = matchedEnd(SEPARATOR, head, index);
  }
  return index === head.length;
}

/**
 * Reads the members after a delta's payload into `envelope`: `tail` is the frame after the
 * payload's closing quote, so it must be members each after a comma, then `}` and nothing but
 * space. A member read here overrides one read before it, as in a parse; a second `delta` would
 * win over the payload, so it makes the frame one to parse (`false`).
 *
 * @example
 * ```ts
 * const envelope: DeltaEnvelope = { responseId: undefined, itemId: undefined, contentIndex: undefined };
 * readEnvelopeTail(',"content_index":1}', envelope); // true
 * envelope.contentIndex; // 1
 * ```
 */
export function readEnvelopeTail(tail: string, envelope: DeltaEnvelope): boolean {
  let index = 0;
  while (index >= 0 && matchedEnd(CLOSING, tail, index) < 0) {
    index = matchedEnd(SEPARATOR, tail, index);
    if (index >= 0) index = readMember(tail, index, envelope, '"delta"');
  }
  return index >= 0;
}

/**
 * Reads the member at `index` into the envelope; returns where it ends, or -1 when it is not a
 * plain member (or has the `refused` key).
 */
function readMember(
  text: string,
  index: number,
  envelope: DeltaEnvelope,
  refused?: string,
): number {
  const end = matchedEnd(MEMBER, text, index);
  if (end < 0 || (refused !== undefined && text.startsWith(refused, index))) return -1;
  const key = READ_KEYS.find((name) => text.startsWith(name, index));
  if (key === undefined) return end;
  // The member matched: after the key come space, the colon, and the value with space around.
  const value = text.slice(text.indexOf(':', index + key.length) + 1, end).trim();
  const string = value.startsWith('"') ? value.slice(1, -1) : undefined;
  if (key === CONTENT_INDEX) {
    const isNumber = NUMBER.test(value);
    if (isNumber && !INDEX.test(value)) return -1;
    envelope.contentIndex = isNumber ? Number(value) : undefined;
  } else if (string !== undefined && !PLAIN.test(string)) {
    // A non-ASCII id is left to the parse: from bytes it is read as latin1 here.
    return -1;
  } else if (key === RESPONSE_ID) {
    envelope.responseId = string;
  } else {
    envelope.itemId = string;
  }
  return end;
}

/** Where `pattern` ends when it matches at `index` (-1 when it does not, or `index` is -1). */
function matchedEnd(pattern: RegExp, text: string, index: number): number {
  if (index < 0) return -1;
  pattern.lastIndex = index;
  return pattern.test(text) ? pattern.lastIndex : -1;
}
