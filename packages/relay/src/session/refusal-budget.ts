import { createRateLimiter } from './rate-limiter.ts';

/** What to do with one refused client frame. */
export type RefusalVerdict = 'answer' | 'drop' | 'close';

/** Counts a session's refused client frames and says how each is to be handled. */
export interface RefusalBudget {
  /** Judges one more refused frame at `now` (ms). */
  judge(now: number): RefusalVerdict;
}

/** Refused frames forgiven per second before they count towards closing the session. */
const FORGIVEN_PER_SECOND = 10;

/**
 * Bounds what refused frames cost the relay. An `error` event answers each of the first
 * `replyBurst` refusals (refilled one a second), so a client with a bug hears why; after that
 * refusals are dropped unanswered, so a client that floods them gets no traffic to amplify;
 * past `closeAfter` refusals (net of ten forgiven a second) the session is closed.
 *
 * @example
 * ```ts
 * const refusals = createRefusalBudget({ replyBurst: 10, closeAfter: 200 });
 * switch (refusals.judge(Date.now())) {
 *   case 'answer': sendError(); break;
 *   case 'drop': break;
 *   case 'close': session.close(1008, 'too many refused events'); break;
 * }
 * ```
 */
export function createRefusalBudget(options: {
  readonly replyBurst: number;
  readonly closeAfter: number;
}): RefusalBudget {
  const replies = options.replyBurst > 0 ? createRateLimiter(1, options.replyBurst) : undefined;
  const strikes = createRateLimiter(FORGIVEN_PER_SECOND, options.closeAfter);
  return {
    judge(now) {
      if (!strikes.take(now)) return 'close';
      return replies?.take(now) ? 'answer' : 'drop';
    },
  };
}
