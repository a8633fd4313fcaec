const DECODE_ERROR = Symbol.for('rtwire.decode-error');

/**
 * Stable codes of {@link DecodeError}, safe to switch on and to count in metrics.
 *
 * - `invalid_input`: the input is not a string, bytes or a JSON value, or reading it threw (a
 *   getter, a proxy trap, a revoked proxy).
 * - `invalid_utf8`: the bytes are not valid UTF-8.
 * - `invalid_json`: the text is not JSON.
 * - `not_an_object`: the frame is not a plain JSON object.
 * - `missing_type`: the frame has no own string `type`.
 * - `missing_field`: a required field is absent.
 * - `invalid_field`: a field has the wrong JSON type.
 * - `too_deep`: objects and arrays nest deeper than the limit (`MAX_NESTING_DEPTH`, 128, by
 *   default); the path names the field that holds the value (at most four levels down, and
 *   only through keys that look like field names, so no client-chosen text reaches it).
 */
export type DecodeErrorCode =
  | 'invalid_input'
  | 'invalid_utf8'
  | 'invalid_json'
  | 'not_an_object'
  | 'missing_type'
  | 'missing_field'
  | 'invalid_field'
  | 'too_deep';

/**
 * Why a frame was rejected. It names the field and what was expected, never the value found:
 * frames carry audio, transcripts and keys, which must not reach logs.
 *
 * @example
 * ```ts
 * const result = decodeServerEvent('{"type":"response.output_text.delta"}');
 * if (!result.ok) console.warn(result.error.code, result.error.path); // missing_field /event_id
 * ```
 */
export interface DecodeError {
  readonly code: DecodeErrorCode;
  /** JSON pointer (RFC 6901) to the offending field; `''` for the frame itself. */
  readonly path: string;
  /** What was expected, in words; contains no part of the input. */
  readonly message: string;
  /** The event type when it is a known one (unknown type strings are input, so left out). */
  readonly eventType?: string;
  /**
   * The frame's own `event_id`, so a server can echo it in its `error` event's `event_id`
   * without parsing the frame again. Set on `missing_type`, `missing_field` and
   * `invalid_field` errors when the frame is a JSON object with an own string `event_id` of at
   * most {@link MAX_EVENT_ID_LENGTH} characters. It is input, unlike the other fields: an id
   * the client chose, not a payload, and bounded so it cannot smuggle one into a log.
   */
  readonly eventId?: string;
}

/**
 * Longest `event_id` a {@link DecodeError} carries; longer ones are left out.
 *
 * @example
 * ```ts
 * const echoed = eventId.length <= MAX_EVENT_ID_LENGTH ? eventId : null;
 * ```
 */
export const MAX_EVENT_ID_LENGTH = 256;

/** Optional fields of a {@link DecodeError}, for {@link createDecodeError}. */
export interface DecodeErrorDetails {
  readonly eventType?: string | undefined;
  readonly eventId?: string | undefined;
}

/**
 * Creates a branded {@link DecodeError}. The fourth argument is the event type, or an object
 * with the event type and the frame's `event_id`.
 *
 * @example
 * ```ts
 * createDecodeError('missing_field', '/item_id', 'item_id is required', {
 *   eventType: 'conversation.item.delete',
 *   eventId: 'evt_1',
 * });
 * ```
 */
export function createDecodeError(
  code: DecodeErrorCode,
  path: string,
  message: string,
  details?: string | DecodeErrorDetails,
): DecodeError {
  const { eventType, eventId } =
    typeof details === 'string' ? { eventType: details, eventId: undefined } : (details ?? {});
  // Absent fields stay absent (not `undefined`), so errors compare equal to literals.
  const error: { -readonly [K in keyof DecodeError]: DecodeError[K] } = { code, path, message };
  if (eventType !== undefined) error.eventType = eventType;
  if (eventId !== undefined) error.eventId = eventId;
  Object.defineProperty(error, DECODE_ERROR, { value: true });
  return error;
}

/**
 * Whether a value is a {@link DecodeError}. Checked by a `Symbol.for` brand, so errors made by
 * another installed copy of this package are recognised too.
 *
 * @example
 * ```ts
 * if (isDecodeError(reason)) metrics.count(reason.code);
 * ```
 */
export function isDecodeError(value: unknown): value is DecodeError {
  return typeof value === 'object' && value !== null && DECODE_ERROR in value;
}

/**
 * The `param` of an `error` event for a decode error's {@link DecodeError.path}: the field as
 * the live API names it (`session.tools[0].name` for `/session/tools/0/name`), or `null` for
 * the frame itself.
 *
 * @example
 * ```ts
 * errorParamOf('/session/tools/0/name'); // 'session.tools[0].name'
 * errorParamOf(''); // null
 * ```
 */
export function errorParamOf(path: string): string | null {
  if (path === '' || path === '/') return null;
  let param = '';
  for (const raw of path.slice(1).split('/')) {
    const segment = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    if (/^\d+$/.test(segment)) param += `[${segment}]`;
    else param += param === '' ? segment : `.${segment}`;
  }
  return param;
}

/** Decode errors that mean the frame is not a JSON object at all. */
const NOT_A_JSON_OBJECT: ReadonlySet<DecodeErrorCode> = new Set([
  'invalid_input',
  'invalid_utf8',
  'invalid_json',
  'not_an_object',
]);

/**
 * The `code` of the `error` event that answers a frame the decoder refused: `invalid_json` when
 * the frame is not a JSON object at all, `invalid_event` when it is one but not a valid event.
 * The relay and the session engine answer alike through it.
 *
 * @example
 * ```ts
 * const result = decodeClientEvent('[1,2]');
 * if (!result.ok) errorCodeOf(result.error); // 'invalid_json'
 * ```
 */
export function errorCodeOf(error: DecodeError): 'invalid_json' | 'invalid_event' {
  return NOT_A_JSON_OBJECT.has(error.code) ? 'invalid_json' : 'invalid_event';
}
