/**
 * Metering benchmark: what counting a tenant's usage costs the relay (dist/main.js, its own
 * process). One relay process per usage store (Redis; Redis taking an allowance of eight
 * responses at a time; in memory) serves three tenants at once: `metered` (limits, so every
 * session is metered), `open` (the same policy without limits: the baseline) and `spare` (the
 * same as `open`: the control). A local upstream answers each `response.create` at once with
 * `response.created`, audio deltas and a `response.done` with usage.
 *
 * Each tenant keeps its sessions open; the bench runs blocks of responses, one tenant at a
 * time, and reads the relay's CPU (all its threads, from the scheduler's counts) around each
 * block. A pair is one block of each tenant back to back, in an order that rotates. Comparing
 * tenants inside one process and one pair takes out what made the old comparison of separate
 * processes move by ±20 % with nothing changed: each process's own code, heap and cores, and
 * the shared machine's minutes. Prints, per store:
 *
 * - CPU per audio delta of each tenant; metered against open: the median of each pair's ratio
 *   with its quartiles, and the ratio of the totals; spare against open (the same work twice)
 *   shows how far the method alone moves a ratio;
 * - Redis round trips per metered response (`INFO commandstats`, every command the relay
 *   sent) and the CPU Redis spent per metered response (its own process);
 * - time from the client's `response.create` to its `response.created`, p50 and p99, metered
 *   and open: what metering adds is the reservation's round trip.
 *
 *   pnpm bench:metering
 *   BENCH_PAIRS=100 BENCH_DELTAS=40 pnpm bench:metering
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

/** Pairs measured per store (a block: one tenant's sessions, each running `BLOCK` responses). */
const PAIRS = Number(process.env.BENCH_PAIRS ?? 60);
/** Responses each session runs in a block. */
const BLOCK = Number(process.env.BENCH_BLOCK ?? 5);
const DELTAS = Number(process.env.BENCH_DELTAS ?? 20);
/** Sessions each tenant keeps open, running their responses at once. */
const SESSIONS = Number(process.env.BENCH_SESSIONS ?? 10);
/**
 * Responses each session runs before anything is measured. A metered response's own steps run
 * once a response, so V8 optimises them only after a few thousand: with 60 a session, metered
 * against open in memory measured ×1.17–1.30, with 300 ×1.09.
 */
const WARM_UP = Number(process.env.BENCH_WARM_UP ?? 300);
/** Node flags for the relays, to profile one: `BENCH_NODE_FLAGS='--cpu-prof --cpu-prof-dir=/tmp/prof'`. */
const NODE_FLAGS = (process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter((flag) => flag !== '');
// 50 ms of 24 kHz PCM16 per delta, as base64.
const AUDIO = Buffer.alloc(2400, 7).toString('base64');

const TENANTS = ['metered', 'open', 'spare'] as const;
type Tenant = (typeof TENANTS)[number];

const POLICY = {
  prices: { 'gpt-realtime': { textIn: 4, textOut: 16, audioIn: 32, audioOut: 64 } },
  tenants: {
    open: {},
    spare: {},
    metered: {
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

/** A session of one tenant: responses one after another, each timed to its `response.created`. */
class BenchSession {
  readonly #ws: WebSocket;
  #sentAt = 0;
  #onDone: (() => void) | undefined;
  #latencies: number[] = [];

  private constructor(ws: WebSocket) {
    this.#ws = ws;
    ws.on('message', (data: RawData) => {
      const text = data.toString();
      if (text.startsWith('{"type":"response.created"')) {
        this.#latencies.push(Number(process.hrtime.bigint() - BigInt(this.#sentAt)) / 1e6);
      } else if (text.includes('"type":"response.done"')) this.#onDone?.();
      else if (text.includes('"type":"error"')) throw new Error(`the relay refused: ${text}`);
    });
  }

  static async open(relay: SpawnedRelay, tenant: Tenant): Promise<BenchSession> {
    const url = `${relay.url.replace(/^http/, 'ws')}/v1/realtime?model=gpt-realtime`;
    const ws = new WebSocket(url, { headers: { authorization: `Bearer tok_${tenant}` } });
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    return new BenchSession(ws);
  }

  /** Runs `count` responses; resolves with each one's time to `response.created`, in ms. */
  async run(count: number): Promise<number[]> {
    this.#latencies = [];
    for (let index = 0; index < count; index++) {
      const done = new Promise<void>((resolve) => {
        this.#onDone = resolve;
      });
      this.#sentAt = Number(process.hrtime.bigint());
      this.#ws.send('{"type":"response.create","response":{"max_output_tokens":200}}');
      await done;
    }
    return this.#latencies;
  }

  close(): void {
    this.#ws.close();
  }
}

/** One tenant's sessions running `count` responses each, at once. */
async function runBlock(sessions: readonly BenchSession[], count: number): Promise<number[]> {
  return (await Promise.all(sessions.map((session) => session.run(count)))).flat();
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

interface Store {
  readonly name: string;
  readonly env: Record<string, string>;
  readonly redis: boolean;
}

/** What one store's relay measured, per tenant. */
interface Measured {
  /** CPU per delta of each block, in pair order. */
  readonly cpu: Record<Tenant, number[]>;
  readonly latencies: Record<Tenant, number[]>;
  /** Redis round trips and Redis CPU (µs) during the metered blocks. */
  calls: number;
  redisCpu: number;
  meteredResponses: number;
}

async function measureStore(
  store: Store,
  redisPid: number,
  command: (args: string[], key: string) => Promise<unknown>,
): Promise<Measured> {
  const relay = await spawnRelay(store.env, { built: true, nodeFlags: NODE_FLAGS });
  const pid = relay.child.pid as number;
  const sessions = {} as Record<Tenant, BenchSession[]>;
  for (const tenant of TENANTS) {
    sessions[tenant] = await Promise.all(
      Array.from({ length: SESSIONS }, () => BenchSession.open(relay, tenant)),
    );
    await runBlock(sessions[tenant], WARM_UP);
  }
  const measured: Measured = {
    cpu: { metered: [], open: [], spare: [] },
    latencies: { metered: [], open: [], spare: [] },
    calls: 0,
    redisCpu: 0,
    meteredResponses: 0,
  };
  for (let pair = 0; pair < PAIRS; pair++) {
    for (let turn = 0; turn < TENANTS.length; turn++) {
      const tenant = TENANTS[(pair + turn) % TENANTS.length] as Tenant;
      const metered = tenant === 'metered' && store.redis;
      const callsBefore = metered ? await redisCalls(command) : 0;
      const redisBefore = cpuMicros(redisPid);
      const before = cpuMicros(pid);
      const latencies = await runBlock(sessions[tenant], BLOCK);
      measured.cpu[tenant].push((cpuMicros(pid) - before) / (latencies.length * DELTAS));
      measured.latencies[tenant].push(...latencies);
      if (tenant === 'metered') {
        measured.redisCpu += cpuMicros(redisPid) - redisBefore;
        measured.meteredResponses += latencies.length;
        if (metered) measured.calls += (await redisCalls(command)) - callsBefore;
      }
    }
  }
  for (const tenant of TENANTS) for (const session of sessions[tenant]) session.close();
  relay.child.kill('SIGTERM');
  await relay.exited;
  return measured;
}

const sum = (values: readonly number[]) => values.reduce((total, value) => total + value, 0);

/** `a / b` per pair: the median and quartiles, and the ratio of the totals. */
function pairRatio(a: readonly number[], b: readonly number[]): string {
  const ratios = a.map((value, pair) => value / (b[pair] as number));
  return `×${percentile(ratios, 50).toFixed(3)} (quartiles ${percentile(ratios, 25).toFixed(3)}–${percentile(ratios, 75).toFixed(3)}; totals ×${(sum(a) / sum(b)).toFixed(3)})`;
}

async function main() {
  const redis = await startRedisServer();
  const upstream = await startUpstream();
  const probe = connectRedis(new URL(redis.url));
  const base = {
    UPSTREAM_URL: upstream.url,
    RELAY_TOKENS: TENANTS.map((tenant) => `${tenant}:tok_${tenant}`).join(','),
    RATE_LIMIT_PER_SECOND: '0',
    LOG_LEVEL: 'warn',
    RELAY_POLICY: JSON.stringify(POLICY),
  };
  const stores: Store[] = [
    { name: 'Redis', env: { ...base, REDIS_URL: redis.url }, redis: true },
    {
      name: 'Redis, allowance of 8',
      env: { ...base, REDIS_URL: redis.url, METER_ALLOWANCE: '8' },
      redis: true,
    },
    { name: 'in memory', env: base, redis: false },
  ];
  console.log(
    `metering: ${PAIRS} pairs of blocks per store, a block ${SESSIONS} sessions × ${BLOCK} responses × ${DELTAS} audio deltas of one tenant; tenants metered, open (no limits) and spare (as open) in one relay process`,
  );
  for (const store of stores) {
    const measured = await measureStore(store, redis.pid as number, probe.command);
    const { cpu, latencies } = measured;
    const perDelta = (tenant: Tenant) => `${(sum(cpu[tenant]) / cpu[tenant].length).toFixed(2)} µs`;
    const p = (tenant: Tenant, q: number) => percentile(latencies[tenant], q);
    const responses = measured.meteredResponses;
    console.log(
      `  ${store.name.padEnd(22)} CPU per delta: metered ${perDelta('metered')}, open ${perDelta('open')}, spare ${perDelta('spare')}; ` +
        `${(measured.calls / responses).toFixed(2)} Redis round trips per metered response (Redis CPU ${(measured.redisCpu / responses).toFixed(1)} µs); ` +
        `response.created metered p50 ${p('metered', 50).toFixed(2)} ms, p99 ${p('metered', 99).toFixed(2)} ms, open p50 ${p('open', 50).toFixed(2)} ms, p99 ${p('open', 99).toFixed(2)} ms`,
    );
    console.log(
      `  ${''.padEnd(22)} metered / open: CPU per delta ${pairRatio(cpu.metered, cpu.open)} (goal ≤ 1.03); ` +
        `spare / open, the control: ${pairRatio(cpu.spare, cpu.open)}; ` +
        `p99 added ${(p('metered', 99) - p('open', 99)).toFixed(2)} ms (goal ≤ 2); round trips ${(measured.calls / responses).toFixed(2)} (goal ≤ 2)`,
    );
  }
  await probe.close();
  await upstream.close();
  await redis.stop();
}

await main();
