import type { RelayLogger } from '../observe/relay-logger.ts';
import type { RelayMetrics } from '../observe/relay-metrics.ts';
import type { RedisCommand } from '../redis/redis-command.ts';
import { describeFault } from '../session/fault-log.ts';
import type { UsageRecord, UsageSink } from './usage-record.ts';

/** How a batching sink queues and sends. */
export interface BatchedSinkOptions {
  /** Records sent in one batch at most (default 100). */
  readonly batchSize?: number;
  /** How long a record may wait for its batch to fill (default 1000 ms). */
  readonly flushMs?: number;
  /**
   * Records kept while the destination is away (default 10000); past it the oldest are
   * dropped, and counted (`rtwire_relay_usage_records_dropped_total`).
   */
  readonly maxQueued?: number;
  /** Where a change of the destination's state is said, once each (down, back up). */
  readonly logger?: RelayLogger;
  readonly metrics?: RelayMetrics;
}

/**
 * A sink that queues records and hands them to `send` in batches, one batch at a time: at
 * `batchSize`, or `flushMs` after the first record waits. A batch that fails is kept and
 * tried again after a backoff (up to 30 s); the queue is bounded, the oldest records going
 * first. `close` sends what is queued, trying once more.
 *
 * @example
 * ```ts
 * const sink = createBatchedUsageSink(async (records) => { await warehouse.insert(records); });
 * ```
 */
export function createBatchedUsageSink(
  name: string,
  send: (records: readonly UsageRecord[]) => Promise<void>,
  options: BatchedSinkOptions = {},
): UsageSink & { close(): Promise<void>; readonly queued: number } {
  const batchSize = options.batchSize ?? 100;
  const flushMs = options.flushMs ?? 1_000;
  const maxQueued = options.maxQueued ?? 10_000;
  const queue: UsageRecord[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  let sending: Promise<void> | undefined;
  /** Failures in a row: the backoff, and whether the destination is down. */
  let failures = 0;
  let closed = false;

  const schedule = (delayMs: number) => {
    if (timer !== undefined || closed) return;
    timer = setTimeout(() => {
      timer = undefined;
      void flush();
    }, delayMs);
    (timer as { unref?: () => void }).unref?.();
  };

  const flush = (): Promise<void> => {
    if (sending !== undefined || queue.length === 0) return sending ?? Promise.resolve();
    const batch = queue.slice(0, batchSize);
    sending = send(batch).then(
      () => {
        queue.splice(0, batch.length);
        if (failures > 0) options.logger?.log('info', 'usage_sink.up', { sink: name });
        failures = 0;
      },
      (error: unknown) => {
        if (failures === 0) {
          options.logger?.log('warn', 'usage_sink.down', { sink: name, ...describeFault(error) });
        }
        failures++;
      },
    );
    return sending.then(() => {
      sending = undefined;
      if (queue.length === 0) return;
      // More to send: at once after a success, after a backoff after a failure.
      schedule(failures === 0 ? 0 : Math.min(30_000, 500 * 2 ** Math.min(failures, 6)));
    });
  };

  return {
    write(record) {
      queue.push(record);
      if (queue.length > maxQueued) {
        const dropped = queue.length - maxQueued;
        queue.splice(0, dropped);
        if (options.metrics !== undefined) options.metrics.usageRecordsDropped += dropped;
      }
      if (queue.length >= batchSize && failures === 0) void flush();
      else schedule(flushMs);
    },
    get queued() {
      return queue.length;
    },
    async close() {
      closed = true;
      clearTimeout(timer);
      timer = undefined;
      await sending;
      // What is left goes out now, until a batch fails.
      while (queue.length > 0) {
        const before = failures;
        await flush();
        if (failures > before) break;
      }
    },
  };
}

/** Options of {@link createHttpUsageSink}. */
export interface HttpUsageSinkOptions extends BatchedSinkOptions {
  readonly url: string;
  /** Sent with every batch (`authorization`, say). */
  readonly headers?: Readonly<Record<string, string>>;
  /** How long one POST may take (default 10 s). */
  readonly timeoutMs?: number;
  /** The `fetch` to POST with (default: the global one). */
  readonly fetch?: typeof fetch;
}

/**
 * Usage records POSTed in batches as JSON, `{"records": [...]}`, to `url`; any 2xx accepts a
 * batch, anything else (or no answer within `timeoutMs`) keeps it for a retry.
 *
 * @example
 * ```ts
 * const sink = createHttpUsageSink({ url: 'https://billing.internal/usage', headers: { authorization: `Bearer ${token}` } });
 * ```
 */
export function createHttpUsageSink(options: HttpUsageSinkOptions) {
  const post = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? 10_000;
  return createBatchedUsageSink(
    'http',
    async (records) => {
      // A controller and a timer, not AbortSignal.timeout, which not every runtime has.
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(), timeoutMs);
      try {
        const response = await post(options.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...options.headers },
          body: JSON.stringify({ records }),
          signal: controller.signal,
        });
        // The body is not read: its bytes would only hold the connection.
        await response.body?.cancel().catch(() => {});
        if (!response.ok) throw new Error(`the usage endpoint answered ${response.status}`);
      } finally {
        clearTimeout(timer);
      }
    },
    options,
  );
}

/** Adds each record of a batch to a stream, trimmed to about `ARGV[1]` entries. */
const XADD_BATCH_SCRIPT = `
for i = 2, #ARGV do
  redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*', 'record', ARGV[i])
end
return #ARGV - 1
`;

/** Options of {@link createRedisStreamUsageSink}. */
export interface RedisStreamUsageSinkOptions extends BatchedSinkOptions {
  /** The stream's key (default `rtwire:usage`). */
  readonly stream?: string;
  /** About how many entries the stream keeps (default 1000000; `MAXLEN ~`). */
  readonly maxLength?: number;
}

/**
 * Usage records added to a Redis stream, one entry each (field `record`, the record's JSON),
 * a batch per round trip (one Lua script). Read them with `XREAD` or a consumer group.
 *
 * @example
 * ```ts
 * const sink = createRedisStreamUsageSink(connection.command, { stream: 'billing:usage' });
 * ```
 */
export function createRedisStreamUsageSink(
  command: RedisCommand,
  options: RedisStreamUsageSinkOptions = {},
) {
  const stream = options.stream ?? 'rtwire:usage';
  const maxLength = String(options.maxLength ?? 1_000_000);
  return createBatchedUsageSink(
    'redis_stream',
    async (records) => {
      await command(
        [
          'EVAL',
          XADD_BATCH_SCRIPT,
          '1',
          stream,
          maxLength,
          ...records.map((record) => JSON.stringify(record)),
        ],
        stream,
      );
    },
    options,
  );
}

/**
 * Records written to every sink of `sinks`; closing closes them all.
 *
 * @example
 * ```ts
 * const sink = teeUsageSinks([createHttpUsageSink({ url }), createRedisStreamUsageSink(command)]);
 * ```
 */
export function teeUsageSinks(sinks: readonly UsageSink[]): UsageSink & { close(): Promise<void> } {
  return {
    write(record) {
      for (const sink of sinks) sink.write(record);
    },
    async close() {
      await Promise.all(sinks.map((sink) => sink.close?.()));
    },
  };
}
