const DECODE_ERROR = Symbol.for('rtwire.decode-error');

/**
 * Stable codes of {@link DecodeError}, safe to switch on and to count in metrics.
 *
 * - `invalid_input`: the input is not a string, bytes or a JSON value.
 * - `invalid_utf8`: the bytes are not valid UTF-8.
 * - `invalid_json`: the text is not JSON.
 * - `not_an_object`: the frame is not a plain JSON object.
 * - `missing_type`: the frame has no own string `type`.
 * - `missing_field`: a required field is absent.
 * - `invalid_field`: a field has the wrong JSON type.
 */
export type DecodeErrorCode =
  | 'invalid_input'
  | 'invalid_utf8'
  | 'invalid_json'
  | 'not_an_object'
  | 'missing_type'
  | 'missing_field'
  | 'invalid_field';

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
}

/** Creates a branded {@link DecodeError}. */
export function createDecodeError(
  code: DecodeErrorCode,
  path: string,
  message: string,
  eventType?: string,
): DecodeError {
  const error: DecodeError =
    eventType === undefined ? { code, path, message } : { code, path, message, eventType };
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
