/** Lets one record of a kind through per interval and counts the ones held back. */
export interface LogSampler {
  /**
   * Call once per occurrence. Returns how many occurrences were held back since the last one
   * let through (0 for the first) when this one is to be logged, or `undefined` to skip it.
   */
  take(now: number): number | undefined;
}

/**
 * Samples a log record that a client can make the relay repeat (a refused frame, say): the
 * first occurrence is logged, then at most one per `intervalMs`, carrying how many were held
 * back. A flood then costs a log line a second, not one per frame.
 *
 * @example
 * ```ts
 * const sampler = createLogSampler(1000);
 * const suppressed = sampler.take(Date.now());
 * if (suppressed !== undefined) logger.log('info', 'client.frame_refused', { suppressed });
 * ```
 */
export function createLogSampler(intervalMs: number): LogSampler {
  let last = Number.NEGATIVE_INFINITY;
  let held = 0;
  return {
    take(now) {
      if (now - last < intervalMs) {
        held++;
        return undefined;
      }
      last = now;
      const suppressed = held;
      held = 0;
      return suppressed;
    },
  };
}
