import { CloseCode, CloseReason } from '../../session/close-codes.ts';
import type { RelayFeatureFactory } from '../../session/feature.ts';
import { createRateLimiter } from '../../session/rate-limiter.ts';

/** What {@link limitsFeature} holds a session to. */
export interface SessionLimitsOptions {
  /** Client events per second, on average. */
  readonly rateLimitPerSecond: number;
  /** Client events allowed in a burst above the average. */
  readonly rateLimitBurst: number;
  /** The session's length, in seconds (the tenant's `maxSessionSeconds`); absent: no limit. */
  readonly maxSessionSeconds?: number | undefined;
}

/**
 * Holds a session to its limits: a client frame over the rate is refused before it is parsed
 * (`rate_limit_exceeded`), and a session that reaches its time limit gets an `error`
 * (`session_time_limit`) and a 1000 close.
 *
 * @example
 * ```ts
 * startSessionPipe({ …, features: [limitsFeature({ rateLimitPerSecond: 50, rateLimitBurst: 100 })] });
 * ```
 */
export function limitsFeature(options: SessionLimitsOptions): RelayFeatureFactory {
  return (session) => {
    const limiter = createRateLimiter(options.rateLimitPerSecond, options.rateLimitBurst);
    const seconds = options.maxSessionSeconds;
    if (seconds !== undefined) {
      const timer = setTimeout(
        session.guard('limits.time_limit', () => {
          session.sendError({
            type: 'invalid_request_error',
            code: 'session_time_limit',
            message: `the session reached its limit of ${seconds} seconds`,
          });
          session.end(CloseCode.normal, CloseReason.timeLimit);
        }),
        seconds * 1000,
      );
      session.signal.addEventListener('abort', () => clearTimeout(timer), { once: true });
    }
    return {
      name: 'limits',
      admitClientFrame() {
        if (limiter.take(session.now())) return undefined;
        return {
          action: 'refuse',
          code: 'rate_limit_exceeded',
          message: `more than ${options.rateLimitPerSecond} client events per second; event dropped`,
        };
      },
    };
  };
}
