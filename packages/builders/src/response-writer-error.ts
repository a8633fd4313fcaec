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

import { RtwireError } from '@rtwire/types';

/** The brand older copies of this package check; still set so they recognise these errors. */
const LEGACY_BRAND = Symbol.for('rtwire.ResponseWriterError');

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
 *   if (ResponseWriterError.isInstance(error)) console.warn(error.code); // 'item_finished'
 * }
 * ```
 */
export class ResponseWriterError extends RtwireError {
  static override readonly brand: string = 'rtwire.ResponseWriterError';
  /** Stable machine-readable reason. */
  declare readonly code: ResponseWriterErrorCode;

  constructor(code: ResponseWriterErrorCode, message: string) {
    super(code, message);
    this.name = 'ResponseWriterError';
    Object.defineProperty(this, LEGACY_BRAND, { value: true });
  }

  /**
   * True for a `ResponseWriterError`, even one from another copy of this package.
   *
   * @deprecated Use {@link RtwireError.isInstance}: `ResponseWriterError.isInstance(error)`.
   */
  static is(value: unknown): value is ResponseWriterError {
    return (
      ResponseWriterError.isInstance(value) ||
      (typeof value === 'object' && value !== null && LEGACY_BRAND in value)
    );
  }
}
