/**
 * CPU per response of metering's own work: a relay session metered in memory against the same
 * session without limits, in one process, with sockets in memory that drop what they are sent.
 * Each response is a `response.create` from the client, then `response.created`, audio deltas
 * and a `response.done` with usage from the upstream. Without the network, what is left is the
 * relay's work per frame and the feature's per response (the reservation, the settlement, the
 * frames it reads); `apps/relay-node`'s `bench:metering` measures the same through real sockets
 * and Redis. Rounds alternate the two sessions so a noisy machine hits both.
 *
 * Run: `pnpm --filter @rtwire/relay bench` (with the withheld-output bench), or
 * `tsx bench/metering.bench.ts`; `BENCH_DELTAS` (default 20) deltas a response.
 */
import { parseRelayConfig } from '../src/config/relay-config.ts';
import { MemoryUsageStore } from '../src/metering/memory-usage-store.ts';
import { priceFor } from '../src/metering/meter-caps.ts';
import { parseRelayPolicy, policyForTenant } from '../src/policy/relay-policy.ts';
import { startRelaySession } from '../src/relay-session.ts';
import { MemorySocket } from '../test/memory-socket.ts';

const DELTAS = Number(process.env.BENCH_DELTAS ?? 20);
const RESPONSES_PER_ROUND = 300;
const ROUNDS = 31;
const WARM_UP = 3000;

/**
 * The tests' in-memory socket, but one that keeps nothing it is sent (a run sends millions of
 * frames) and hands each to `onSend` instead.
 */
class BenchSocket extends MemorySocket {
  onSend: (data: string | Uint8Array) => void = () => {};
  override send(data: string | Uint8Array): void {
    this.onSend(data);
  }
}

const parsedConfig = parseRelayConfig({});
if (!parsedConfig.ok) throw new Error('config');
const limits = { ...parsedConfig.config, rateLimitPerSecond: 1e9, rateLimitBurst: 1e9 };
const price = { textIn: 4, textOut: 16, audioIn: 32, audioOut: 64 };
const parsedPolicy = parseRelayPolicy({
  prices: { 'gpt-realtime': price },
  tenants: {
    open: {},
    metered: {
      limits: {
        concurrentSessions: 1000,
        tokens: { perMinute: 1e12, perDay: 1e12 },
        audioSeconds: { perDay: 1e9 },
        budget: { usd: 1e6, per: 'month' },
      },
    },
  },
});
if (!parsedPolicy.ok) throw new Error(JSON.stringify(parsedPolicy.errors));
const policy = parsedPolicy.policy;

// 50 ms of 24 kHz PCM16 per delta, as base64.
const AUDIO = 'B'.repeat(3200);
const DONE = JSON.stringify({
  type: 'response.done',
  response: {
    id: 'resp_1',
    status: 'completed',
    usage: {
      total_tokens: 150,
      input_tokens: 100,
      output_tokens: 50,
      input_token_details: { text_tokens: 100, audio_tokens: 0, cached_tokens: 0 },
      output_token_details: { text_tokens: 0, audio_tokens: 50 },
    },
  },
});

/**
 * An upstream's answer to a `response.create`, as `ws` hands frames to the relay: Node
 * `Buffer`s (a plain `Uint8Array` takes other, slower paths, and a string built per frame is a
 * rope that the first read flattens). Made once: one response id serves every response, since
 * each is done before the next begins.
 */
const RESPONSE_FRAMES: readonly Uint8Array[] = [
  '{"type":"response.created","response":{"id":"resp_1","status":"in_progress"}}',
  ...Array.from(
    { length: DELTAS },
    (_, index) =>
      `{"type":"response.output_audio.delta","event_id":"event_${index}","response_id":"resp_1","item_id":"item_1","output_index":0,"content_index":0,"delta":"${AUDIO}"}`,
  ),
  DONE,
].map((frame) => Buffer.from(frame));
const CREATE = Buffer.from('{"type":"response.create","response":{"max_output_tokens":200}}');

/** A session of `tenant` whose upstream answers each `response.create` at once. */
async function session(tenant: 'open' | 'metered') {
  const rules = policyForTenant(policy, tenant);
  if (rules === undefined) throw new Error(`no rules for ${tenant}`);
  const upstream = new BenchSocket();
  const client = new BenchSocket();
  startRelaySession({
    client,
    connectUpstream: async () => upstream,
    model: 'gpt-realtime',
    limits,
    policy: { rules, tenant, handlers: new Map() },
    ...(rules.limits === undefined
      ? {}
      : {
          metering: {
            store: new MemoryUsageStore(),
            tenant,
            limits: rules.limits,
            price: priceFor(policy.prices ?? {}, 'gpt-realtime'),
            lease: undefined,
            metricsLabel: tenant,
            onStoreFailure: 'open' as const,
          },
        }),
  });
  await new Promise((resolve) => setTimeout(resolve, 0));
  upstream.onSend = () => {
    // As a socket would: the answer arrives in a later turn, not inside the send.
    queueMicrotask(() => {
      for (const frame of RESPONSE_FRAMES) upstream.deliver(frame);
    });
  };
  let done: () => void = () => {};
  const DONE_HEAD = '{"type":"response.done"';
  client.onSend = (data) => {
    const head =
      typeof data === 'string' ? data.slice(0, 23) : new TextDecoder().decode(data.subarray(0, 23));
    if (head === DONE_HEAD) done();
  };
  return async (count: number) => {
    for (let index = 0; index < count; index++) {
      const finished = new Promise<void>((resolve) => {
        done = resolve;
      });
      client.deliver(CREATE);
      await finished;
    }
  };
}

const median = (values: readonly number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

const sessions = { open: await session('open'), metered: await session('metered') };
// V8 optimises a response's once-per-response steps only after a few thousand responses.
await sessions.open(WARM_UP);
await sessions.metered(WARM_UP);
const spent = { open: [] as number[], metered: [] as number[] };
for (let round = 0; round < ROUNDS; round++) {
  const order = round % 2 === 0 ? (['open', 'metered'] as const) : (['metered', 'open'] as const);
  for (const tenant of order) {
    const start = process.cpuUsage();
    await sessions[tenant](RESPONSES_PER_ROUND);
    const used = process.cpuUsage(start);
    spent[tenant].push((used.user + used.system) / RESPONSES_PER_ROUND);
  }
}
const ratios = spent.metered.map((metered, round) => metered / (spent.open[round] as number));
const open = median(spent.open);
const metered = median(spent.metered);
console.log(
  `metering in memory, in process: ${ROUNDS} alternating rounds of ${RESPONSES_PER_ROUND} responses of ${DELTAS} audio deltas`,
);
console.log(`  no limits: ${open.toFixed(1)} µs CPU per response`);
console.log(
  `  metered:   ${metered.toFixed(1)} µs per response; metering's own work ${(metered - open).toFixed(1)} µs a response, ×${median(ratios).toFixed(3)} (median of the rounds' ratios)`,
);
process.exit(0);
