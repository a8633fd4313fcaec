/**
 * One usage record: a response settled (`usage.response`) or a session ended
 * (`usage.session`). The same fields go to the log line and to every usage sink; amounts are
 * what metering counted (from `response.done.usage`, or estimated from what streamed).
 */
export interface UsageRecord {
  readonly type: 'usage.response' | 'usage.session';
  /** When it was made (ISO 8601, UTC). */
  readonly time: string;
  /** The tenant the usage counts for (`''` for the default policy's clients). */
  readonly tenant: string;
  readonly session: string;
  readonly model?: string;
  /** The response's id (`usage.response`). */
  readonly response?: string;
  /** The response's status (`completed`, `cancelled`, `incomplete`, `failed`, `ended`). */
  readonly status?: string;
  /** Whether the tokens were estimated from what streamed (no `usage` came). */
  readonly estimated?: boolean;
  /** Responses settled (`usage.session`). */
  readonly responses?: number;
  readonly input_tokens: number;
  readonly output_tokens: number;
  readonly input_audio_seconds: number;
  readonly output_audio_seconds: number;
  readonly usd: number;
  /** How long the session lasted (`usage.session`). */
  readonly duration_ms?: number;
  /** The code the session was closed with (`usage.session`). */
  readonly close_code?: number;
}

/**
 * Where usage records go besides the log: a billing pipeline, a data warehouse. `write` must
 * not block or throw (a sink queues and sends in batches); `close` sends what is queued.
 *
 * @example
 * ```ts
 * const sink: UsageSink = { write: (record) => queue.push(record) };
 * createRelayHost({ ...relay, usageSink: sink });
 * ```
 */
export interface UsageSink {
  write(record: UsageRecord): void;
  close?(): Promise<void>;
}

/** The last second {@link usageRecordTime} wrote, and its ISO 8601 text up to the milliseconds. */
let isoSecond = Number.NaN;
let isoPrefix = '';

/**
 * Now as a usage record's `time`: what `new Date().toISOString()` gives, for a fraction of its
 * cost (records are made per response): the text up to the second is made once a second, the
 * milliseconds written onto it.
 *
 * @example
 * ```ts
 * usageRecordTime(Date.UTC(2026, 0, 2, 3, 4, 5, 67)); // '2026-01-02T03:04:05.067Z'
 * ```
 */
export function usageRecordTime(nowMs: number = Date.now()): string {
  const second = Math.floor(nowMs / 1000);
  if (second !== isoSecond || !Number.isInteger(nowMs)) {
    const iso = new Date(nowMs).toISOString();
    // A fraction of a millisecond (a clock that is not Date.now) is left to toISOString.
    if (!Number.isInteger(nowMs)) return iso;
    isoSecond = second;
    // Everything but `sssZ`: the same for every millisecond of the second, whatever the year.
    isoPrefix = iso.slice(0, -4);
  }
  const milliseconds = nowMs - second * 1000;
  return `${isoPrefix}${milliseconds < 10 ? '00' : milliseconds < 100 ? '0' : ''}${milliseconds}Z`;
}
