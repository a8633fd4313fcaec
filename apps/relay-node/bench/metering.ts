/**
 * Metering benchmark: the relay (dist/main.js, its own process) with a tenant's limits counted
 * on a real Redis, against the same build with no limits, in the same run, rounds alternating.
 * A local upstream answers each `response.create` at once with `response.created`, then
 * streams audio deltas and a `response.done` with usage. Prints, per variant:
 *
 * - the relay's CPU per audio delta (all its threads, from the scheduler's counts), and against
 *   the baseline the median of each round's ratio (the variants run back to back in a round);
 * - Redis round trips per response (`INFO commandstats`, every command the relays sent);
 *   metering goes to Redis for each response by default, and with `METER_ALLOWANCE=8` (a third
 *   variant) takes eight responses' worth at a time; and the CPU Redis spent per response
 *   running them (its own process: on a small machine it competes with the relay);
 * - metering in memory (the same limits, no `REDIS_URL`): what the feature costs without the
 *   shared store;
 * - time from the client's `response.create` to its `response.created`, p50 and p99: what
 *   metering adds is the reservation's round trip;
 * - the baseline measured twice (`metering off, again`): its ratio to the first shows how far
 *   the machine alone moves a ratio in the same run.
 *
 *   pnpm bench:metering
 *   BENCH_RESPONSES=2000 BENCH_DELTAS=40 pnpm bench:metering
 *   BENCH_NODE_FLAGS='--cpu-prof --cpu-prof-dir=/tmp/prof' pnpm bench:metering
 *
 * Goals (issue 30): CPU per delta ≤ 3 % more, ≤ 2 round trips per response, p99 added ≤ 2 ms.
 * Needs `redis-server` on the PATH.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { connectRedis } from '@rtwire/node';
import { type RawData, WebSocket, WebSocketServer } from 'ws';
import { startRedisServer } from '../../../test-support/redis-server.ts';
import { type SpawnedRelay, spawnRelay } from '../test/spawn-relay.ts';

const RESPONSES = Number(process.env.BENCH_RESPONSES ?? 1000);
const DELTAS = Number(process.env.BENCH_DELTAS ?? 20);
const SESSIONS = Number(process.env.BENCH_SESSIONS ?? 10);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
/** Node flags for the relays, to profile one: `BENCH_NODE_FLAGS='--cpu-prof --cpu-prof-dir=/tmp/prof'`. */
const NODE_FLAGS = (process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter((flag) => flag !== '');
// 50 ms of 24 kHz PCM16 per delta, as base64.
const AUDIO = Buffer.alloc(2400, 7).toString('base64');

const POLICY = {
  prices: { 'gpt-realtime': { textIn: 4, textOut: 16, audioIn: 32, audioOut: 64 } },
  tenants: {
    acme: {
      limits: {
        concurrentSessions: 1000,
        tokens: { perMinute: 1e12, perDay: 1e12 },
        audioSeconds: { perDay: 1e9 },
        budget: { usd: 1e6, per: 'month' },
      },
    },
  },
};

async function startUpstream(): Promise<{ url: string; close(): Promise<void> }> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
  await new Promise((resolve) => server.once('listening', resolve));
  server.on('connection', (socket) => {
    let sequence = 0;
    socket.on('message', (data: RawData) => {
      const event = JSON.parse(data.toString()) as { type: string };
      if (event.type !== 'response.create') return;
      const id = `resp_${++sequence}`;
      socket.send(`{"type":"response.created","response":{"id":"${id}","status":"in_progress"}}`);
      for (let index = 0; index < DELTAS; index++) {
        socket.send(
          `{"type":"response.output_audio.delta","event_id":"event_${index}","response_id":"${id}","item_id":"item_1","output_index":0,"content_index":0,"delta":"${AUDIO}"}`,
        );
      }
      socket.send(
        JSON.stringify({
          type: 'response.done',
          response: {
            id,
            status: 'completed',
            usage: {
              total_tokens: 150,
              input_tokens: 100,
              output_tokens: 50,
              input_token_details: { text_tokens: 100, audio_tokens: 0, cached_tokens: 0 },
              output_token_details: { text_tokens: 0, audio_tokens: 50 },
            },
          },
        }),
      );
    });
  });
  const { port } = server.address() as { port: number };
  return {
    url: `ws://127.0.0.1:${port}/v1/realtime`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/**
 * CPU time a process has run so far, in µs, summed over its threads (the main one, V8's and
 * libuv's): the scheduler's nanosecond count, where `/proc/<pid>/stat` counts 10 ms ticks, 2 %
 * of one round's measurement.
 */
function cpuMicros(pid: number): number {
  let nanos = 0;
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    try {
      nanos += Number(readFileSync(`/proc/${pid}/task/${task}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // A thread that ended between the listing and the read.
    }
  }
  return nanos / 1000;
}

/** Sessions asking for responses one after another, timing each to its `response.created`. */
async function drive(relay: SpawnedRelay): Promise<number[]> {
  const url = `${relay.url.replace(/^http/, 'ws')}/v1/realtime?model=gpt-realtime`;
  const latencies: number[] = [];
  const perSession = Math.ceil(RESPONSES / SESSIONS);
  await Promise.all(
    Array.from({ length: SESSIONS }, async () => {
      const ws = new WebSocket(url, { headers: { authorization: 'Bearer tok_acme' } });
      await new Promise((resolve, reject) => {
        ws.once('open', resolve);
        ws.once('error', reject);
      });
      let sentAt = 0;
      let onDone: (() => void) | undefined;
      ws.on('message', (data: RawData) => {
        const text = data.toString();
        if (text.startsWith('{"type":"response.created"')) {
          latencies.push(Number(process.hrtime.bigint() - BigInt(sentAt)) / 1e6);
        } else if (text.includes('"type":"response.done"')) onDone?.();
        else if (text.includes('"type":"error"')) throw new Error(`the relay refused: ${text}`);
      });
      for (let index = 0; index < perSession; index++) {
        const done = new Promise<void>((resolve) => {
          onDone = resolve;
        });
        sentAt = Number(process.hrtime.bigint());
        ws.send('{"type":"response.create","response":{"max_output_tokens":200}}');
        await done;
      }
      ws.close();
    }),
  );
  return latencies;
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
};

/**
 * Commands the relays sent (commandstats also counts the commands a script runs inside it, so
 * only what a client sends is summed: the scripts and the session slot's release).
 */
async function redisCalls(command: (args: string[], key: string) => Promise<unknown>) {
  const info = String(await command(['INFO', 'commandstats'], ''));
  let calls = 0;
  for (const match of info.matchAll(/^cmdstat_(\w+):calls=(\d+)/gm)) {
    if (['eval', 'evalsha', 'zrem'].includes(match[1] as string)) calls += Number(match[2]);
  }
  return calls;
}

async function main() {
  const redis = await startRedisServer();
  const upstream = await startUpstream();
  const probe = connectRedis(new URL(redis.url));
  const base = {
    UPSTREAM_URL: upstream.url,
    RELAY_TOKENS: 'acme:tok_acme',
    RATE_LIMIT_PER_SECOND: '0',
    LOG_LEVEL: 'warn',
  };
  // The baseline is the same relay and policy without limits: what metering adds, not what a
  // policy does. The relay without any policy is shown too.
  const unlimited = { ...POLICY, tenants: { acme: {} } };
  const variants = [
    { name: 'metering off', env: { ...base, RELAY_POLICY: JSON.stringify(unlimited) } },
    {
      name: 'metering on Redis',
      env: { ...base, REDIS_URL: redis.url, RELAY_POLICY: JSON.stringify(POLICY) },
    },
    {
      name: 'with an allowance of 8',
      env: {
        ...base,
        REDIS_URL: redis.url,
        RELAY_POLICY: JSON.stringify(POLICY),
        METER_ALLOWANCE: '8',
      },
    },
    { name: 'metering in memory', env: { ...base, RELAY_POLICY: JSON.stringify(POLICY) } },
    { name: 'no policy at all', env: base },
    // The first variant again: its ratio to the first is what the machine alone moves a
    // ratio by, the floor under which no difference above means anything.
    { name: 'metering off, again', env: { ...base, RELAY_POLICY: JSON.stringify(unlimited) } },
  ];
  const totals = variants.map(() => ({
    cpu: 0,
    deltas: 0,
    responses: 0,
    calls: 0,
    /** Redis's CPU (µs) while the variant's responses ran. */
    redisCpu: 0,
    latencies: [] as number[],
    /** CPU per delta of each round, for the ratio to the baseline in the same round. */
    perRound: [] as number[],
  }));
  for (let round = 0; round < ROUNDS; round++) {
    for (const [index, variant] of variants.entries()) {
      const relay = await spawnRelay(variant.env, { built: true, nodeFlags: NODE_FLAGS });
      const pid = relay.child.pid as number;
      // A warm-up, so the JIT and the Lua scripts' first EVAL are not counted.
      await drive(relay);
      const redisPid = redis.pid as number;
      const redisCpuBefore = cpuMicros(redisPid);
      const cpuBefore = cpuMicros(pid);
      const callsBefore = await redisCalls(probe.command);
      const latencies = await drive(relay);
      const total = totals[index] as (typeof totals)[number];
      const cpu = cpuMicros(pid) - cpuBefore;
      total.redisCpu += cpuMicros(redisPid) - redisCpuBefore;
      total.cpu += cpu;
      total.perRound.push(cpu / (latencies.length * DELTAS));
      total.calls += (await redisCalls(probe.command)) - callsBefore;
      total.responses += latencies.length;
      total.deltas += latencies.length * DELTAS;
      total.latencies.push(...latencies);
      relay.child.kill('SIGTERM');
      await relay.exited;
    }
  }
  console.log(
    `metering: ${ROUNDS} rounds × ${RESPONSES} responses of ${DELTAS} audio deltas, ${SESSIONS} sessions at once`,
  );
  for (const [index, variant] of variants.entries()) {
    const total = totals[index] as (typeof totals)[number];
    console.log(
      `  ${variant.name.padEnd(22)} CPU ${(total.cpu / total.deltas).toFixed(2)} µs/delta, ` +
        `${(total.calls / total.responses).toFixed(2)} Redis round trips/response ` +
        `(Redis CPU ${(total.redisCpu / total.responses).toFixed(1)} µs/response), ` +
        `response.created p50 ${percentile(total.latencies, 50).toFixed(2)} ms, p99 ${percentile(total.latencies, 99).toFixed(2)} ms`,
    );
  }
  const [off, ...metered] = totals as [(typeof totals)[number], ...(typeof totals)[number][]];
  for (const [index, on] of metered.entries()) {
    // Each round's ratio compares relays that ran back to back on the same machine: a
    // neighbour's burst moves both. The median of those is the figure; the whole run's too.
    const ratios = on.perRound.map((cpu, round) => cpu / (off.perRound[round] as number));
    const cpuRatio = on.cpu / on.deltas / (off.cpu / off.deltas);
    console.log(
      `  ${(variants[index + 1] as { name: string }).name} / off: CPU per delta ×${percentile(ratios, 50).toFixed(3)} (median of ${ratios.length} rounds, quartiles ${percentile(ratios, 25).toFixed(3)}–${percentile(ratios, 75).toFixed(3)}; whole run ×${cpuRatio.toFixed(3)}; goal ≤ 1.03); p99 added ${(percentile(on.latencies, 99) - percentile(off.latencies, 99)).toFixed(2)} ms (goal ≤ 2); round trips ${(on.calls / on.responses).toFixed(2)} per response (goal ≤ 2)`,
    );
  }
  await probe.close();
  await upstream.close();
  await redis.stop();
}

await main();
