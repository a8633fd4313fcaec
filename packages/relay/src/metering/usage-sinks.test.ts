import { describe, expect, it } from 'vitest';
import { RelayMetrics } from '../observe/relay-metrics.ts';
import type { UsageRecord } from './usage-record.ts';
import { createBatchedUsageSink, createHttpUsageSink } from './usage-sinks.ts';

const record = (index: number): UsageRecord => ({
  type: 'usage.response',
  time: new Date(0).toISOString(),
  tenant: 'acme',
  session: `s${index}`,
  response: `resp_${index}`,
  input_tokens: index,
  output_tokens: 1,
  input_audio_seconds: 0,
  output_audio_seconds: 0,
  usd: 0,
});

const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` until it holds; a bound on a hang (10 s), not a measure. */
async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`never: ${what}`);
    await settle(5);
  }
}

describe('createBatchedUsageSink', () => {
  it('sends full batches at once and a partial one after flushMs, in order', async () => {
    const batches: number[][] = [];
    const sink = createBatchedUsageSink(
      'test',
      async (records) => {
        batches.push(records.map((each) => each.input_tokens));
      },
      { batchSize: 3, flushMs: 20 },
    );
    for (let index = 0; index < 7; index++) sink.write(record(index));
    await until(() => batches.length === 3, 'three batches');
    expect(batches).toEqual([[0, 1, 2], [3, 4, 5], [6]]);
    expect(sink.queued).toBe(0);
  });

  it('keeps what failed for a retry, says so once each way, and drops the oldest past maxQueued', async () => {
    const sent: number[] = [];
    const logs: string[] = [];
    const metrics = new RelayMetrics();
    let up = false;
    const sink = createBatchedUsageSink(
      'test',
      async (records) => {
        if (!up) throw new Error('the endpoint is away');
        sent.push(...records.map((each) => each.input_tokens));
      },
      {
        batchSize: 2,
        flushMs: 5,
        maxQueued: 4,
        metrics,
        logger: { log: (_level, message) => logs.push(message) },
      },
    );
    for (let index = 0; index < 6; index++) {
      sink.write(record(index));
      await settle(10);
    }
    // Four kept, the two oldest dropped and counted; one line for the outage.
    await until(() => logs.length > 0, 'the outage noticed');
    expect(sink.queued).toBe(4);
    expect(metrics.usageRecordsDropped).toBe(2);
    expect(logs).toEqual(['usage_sink.down']);
    up = true;
    await sink.close();
    expect(sent).toEqual([2, 3, 4, 5]);
    expect(logs).toEqual(['usage_sink.down', 'usage_sink.up']);
  });
});

describe('createHttpUsageSink', () => {
  it('POSTs batches as JSON with its headers, and retries a batch answered with 503', async () => {
    const bodies: unknown[] = [];
    let status = 503;
    const fake = (async (_url: string, init: RequestInit) => {
      bodies.push({
        body: JSON.parse(String(init.body)),
        authorization: (init.headers as Record<string, string>).authorization,
      });
      // A response as `fetch` gives it, without a body to read.
      return { ok: status >= 200 && status < 300, status, body: null } as Response;
    }) as typeof fetch;
    const sink = createHttpUsageSink({
      url: 'https://billing.example/usage',
      headers: { authorization: 'Bearer t' },
      fetch: fake,
      batchSize: 2,
      flushMs: 5,
    });
    sink.write(record(1));
    sink.write(record(2));
    await settle(20);
    expect(sink.queued).toBe(2);
    status = 202;
    await sink.close();
    expect(sink.queued).toBe(0);
    expect(bodies.at(-1)).toEqual({
      body: { records: [record(1), record(2)] },
      authorization: 'Bearer t',
    });
  });
});
