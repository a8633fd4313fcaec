import { RtwireError } from '@rtwire/types';

/**
 * A value nests deeper than a walk over it allows (code `too_deep`). The engine's walks over
 * client and model values (copies, merges) are iterative and stop at a depth limit, so a
 * value that went round the decoder (built in process, or cyclic) ends in this error rather
 * than a `RangeError` from the call stack. The message gives the limit, never the value.
 *
 * @example
 * ```ts
 * try {
 *   frozenCopy(value);
 * } catch (error) {
 *   if (NestingLimitError.isInstance(error)) refuse(error.limit);
 * }
 * ```
 */
export class NestingLimitError extends RtwireError {
  static override readonly brand: string = 'rtwire.NestingLimitError';
  /** The deepest nesting the walk accepts (the value itself being level 1). */
  readonly limit: number;

  constructor(limit: number) {
    super('too_deep', `the value nests deeper than ${limit} levels`);
    this.name = 'NestingLimitError';
    this.limit = limit;
  }
}
