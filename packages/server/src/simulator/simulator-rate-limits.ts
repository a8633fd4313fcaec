import type { RateLimit } from '../realtime-session.ts';

/** Options of {@link createSimulatorRateLimits}. */
export interface SimulatorRateLimitsOptions {
  /** Responses allowed per minute (default 1,000). */
  readonly requestsPerMinute?: number;
  /** Tokens allowed per minute (default 50,000); each response reserves `tokensPerResponse`. */
  readonly tokensPerMinute?: number;
  /** Tokens a response reserves when it starts (default 1,000). */
  readonly tokensPerResponse?: number;
  /** Clock in ms (default `Date.now`). */
  readonly now?: () => number;
}

const WINDOW_MS = 60_000;

/**
 * The simulator's `rate_limits.updated`: a one-minute window per session, so a client sees
 * `remaining` fall as it creates responses and recover as the window moves, shaped as the
 * live API reports it. Nothing is enforced. Pass it as `rateLimits` of `createRealtimeSession`.
 *
 * @example
 * ```ts
 * const session = createRealtimeSession({ model, send, rateLimits: createSimulatorRateLimits() });
 * ```
 */
export function createSimulatorRateLimits(
  options: SimulatorRateLimitsOptions = {},
): () => RateLimit[] {
  const requests = options.requestsPerMinute ?? 1000;
  const tokens = options.tokensPerMinute ?? 50_000;
  const perResponse = options.tokensPerResponse ?? 1000;
  const now = options.now ?? Date.now;
  // Start times of the responses inside the window, oldest first: at most `requests` + 1 kept.
  const starts: number[] = [];
  return () => {
    const at = now();
    while (starts.length > 0 && (starts[0] as number) <= at - WINDOW_MS) starts.shift();
    starts.push(at);
    if (starts.length > requests + 1) starts.shift();
    const used = starts.length;
    const resetSeconds = Math.max(0, ((starts[0] as number) + WINDOW_MS - at) / 1000);
    return [
      {
        name: 'requests',
        limit: requests,
        remaining: Math.max(0, requests - used),
        reset_seconds: resetSeconds,
      },
      {
        name: 'tokens',
        limit: tokens,
        remaining: Math.max(0, tokens - used * perResponse),
        reset_seconds: resetSeconds,
      },
    ];
  };
}
