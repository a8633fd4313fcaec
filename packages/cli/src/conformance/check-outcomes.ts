// How a check ends other than passing: failed (what was expected, what came) or skipped.
const FAILURE = Symbol.for('rtwire.conformance.failure');
const SKIP = Symbol.for('rtwire.conformance.skip');

/**
 * How a check fails: what the protocol expected, what came instead, and the event it was
 * looking at (redacted, so audio, text and keys stay out of reports).
 *
 * @example
 * ```ts
 * throw new CheckFailure({ expected: 'status "cancelled"', received: 'status "completed"' });
 * ```
 */
export class CheckFailure extends Error {
  readonly [FAILURE] = true;
  readonly expected: string;
  readonly received: string;
  /** The event, redacted and clipped; undefined when the failure is about no one event. */
  readonly excerpt: string | undefined;

  constructor(details: { expected: string; received: string; excerpt?: string | undefined }) {
    super(`expected ${details.expected}; received ${details.received}`);
    this.name = 'CheckFailure';
    this.expected = details.expected;
    this.received = details.received;
    this.excerpt = details.excerpt;
  }

  /**
   * Whether `error` is a check failure, by brand (two copies of the package agree).
   *
   * @example
   * ```ts
   * if (CheckFailure.is(error)) report(error.expected, error.received);
   * ```
   */
  static is(error: unknown): error is CheckFailure {
    return typeof error === 'object' && error !== null && FAILURE in error;
  }
}

/**
 * Thrown by {@link CheckContext.skip}: the server legitimately lacks what the check needs.
 *
 * @example
 * ```ts
 * if (CheckSkip.is(error)) console.log(`skipped: ${error.message}`);
 * ```
 */
export class CheckSkip extends Error {
  readonly [SKIP] = true;

  constructor(reason: string) {
    super(reason);
    this.name = 'CheckSkip';
  }

  /**
   * Whether `error` is a skip, by brand.
   *
   * @example
   * ```ts
   * CheckSkip.is(new CheckSkip('text-only server')); // true
   * ```
   */
  static is(error: unknown): error is CheckSkip {
    return typeof error === 'object' && error !== null && SKIP in error;
  }
}
