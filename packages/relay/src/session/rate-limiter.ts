/** A token bucket counting client messages. */
export interface RateLimiter {
  /** Takes one token; false when the bucket is empty and the message must be refused. */
  take(now: number): boolean;
}

/**
 * Creates a token bucket refilled at `perSecond`, holding at most `burst` tokens.
 * `perSecond` 0 disables limiting.
 *
 * @example
 * ```ts
 * const limiter = createRateLimiter(200, 400);
 * if (!limiter.take(Date.now())) reject('rate_limit_exceeded');
 * ```
 */
export function createRateLimiter(perSecond: number, burst: number): RateLimiter {
  if (perSecond <= 0) return { take: () => true };
  let tokens = burst;
  let last: number | undefined;
  return {
    take(now) {
      if (last !== undefined) tokens = Math.min(burst, tokens + ((now - last) * perSecond) / 1000);
      last = now;
      if (tokens < 1) return false;
      tokens -= 1;
      return true;
    },
  };
}
