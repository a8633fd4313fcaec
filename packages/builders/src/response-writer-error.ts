/** What a {@link ResponseWriterError} reports. */
export type ResponseWriterErrorCode =
  /** `start()` on a response that already started. */
  | 'already_started'
  /** Any call after `done()` or `cancel()`. */
  | 'response_finished'
  /** A new item, or `done()`, while an item is still open. */
  | 'item_open'
  /** A delta or `done()` on an item that is already done. */
  | 'item_finished'
  /** Text on an audio message, or audio/transcript on a text message. */
  | 'wrong_modality';

const BRAND = Symbol.for('rtwire.ResponseWriterError');

/**
 * Misuse of a {@link ResponseWriter}: the call would have produced a stream that breaks the
 * protocol's order, so nothing was emitted. Messages name the operation and the state, never
 * the payload.
 *
 * @example
 * ```ts
 * try {
 *   message.text('late');
 * } catch (error) {
 *   if (ResponseWriterError.is(error)) console.warn(error.code); // 'item_finished'
 * }
 * ```
 */
export class ResponseWriterError extends Error {
  /** Stable machine-readable reason. */
  readonly code: ResponseWriterErrorCode;

  constructor(code: ResponseWriterErrorCode, message: string) {
    super(message);
    this.name = 'ResponseWriterError';
    this.code = code;
    Object.defineProperty(this, BRAND, { value: true });
  }

  /** True for a `ResponseWriterError`, even one from another copy of this package. */
  static is(value: unknown): value is ResponseWriterError {
    return typeof value === 'object' && value !== null && BRAND in value;
  }
}
