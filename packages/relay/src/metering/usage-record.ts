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
