import {
  createRelayHost,
  type MeterCap,
  parseRelayConfig,
  parseRelayPolicy,
  RedisUsageStore,
} from '@rtwire/relay';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RedisServer, startRedisServer } from '../../../test-support/redis-server.ts';
import { connectRedis } from '../src/redis-connection.ts';

let redis: RedisServer;
const connections: ReturnType<typeof connectRedis>[] = [];

/** A store on its own connection: another relay, as far as Redis can tell. */
function relayStore(leaseMs = 30_000) {
  const connection = connectRedis(new URL(redis.url));
  connections.push(connection);
  return {
    store: new RedisUsageStore(connection.command, { leaseMs, commandTimeoutMs: 2_000 }),
    command: connection.command,
  };
}

beforeAll(async () => {
  redis = await startRedisServer();
});

afterAll(async () => {
  await Promise.all(connections.map((connection) => connection.close()));
  await redis?.stop();
});

const ask = (outputTokens: number, inputTokens = 0) => ({
  outputTokens,
  microUsdPerOutputToken: 0,
  inputTokens,
  inputMicroUsd: 0,
});

/** Polls `check` every 100 ms until it holds (a bound on a hang, not a measure). */
async function until(check: () => Promise<boolean>, what: string, limitMs = 15_000) {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > limitMs) throw new Error(`never: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return Date.now() - started;
}

describe('RedisUsageStore on a real Redis', () => {
  it('never lets two relays racing for one tenant settle past a cap (property)', async () => {
    const a = relayStore();
    const b = relayStore();
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            want: fc.integer({ min: 1, max: 3_000 }),
            // Mostly responses that write all they were granted, where an over-grant shows.
            share: fc.oneof(
              { arbitrary: fc.constant(1), weight: 3 },
              { arbitrary: fc.double({ min: 0, max: 1, noNaN: true }), weight: 1 },
            ),
            input: fc.integer({ min: 0, max: 300 }),
          }),
          { minLength: 20, maxLength: 80 },
        ),
        async (responses) => {
          const tenant = `race-${++run}`;
          const cap = 20_000;
          const caps: MeterCap[] = [
            { meter: 'tokens', window: 'day', limit: cap },
            { meter: 'outputTokens', window: 'minute', limit: cap },
          ];
          const now = Date.now();
          // Every response at once, alternating relays: the reservations race in Redis.
          const settled = await Promise.all(
            responses.map(async ({ want, share, input }, index) => {
              const store = index % 2 === 0 ? a.store : b.store;
              const reserved = await store.reserve(tenant, caps, ask(want, input), now);
              if (!reserved.ok) return 0;
              const granted = reserved.reservation.outputTokens;
              expect(granted).toBeLessThanOrEqual(want);
              // The response reads what was expected and writes at most what it was granted.
              const output = Math.floor(granted * share);
              await store.settle(
                reserved.reservation,
                {
                  tokens: input + output,
                  inputTokens: input,
                  outputTokens: output,
                  audioMs: 0,
                  inputAudioMs: 0,
                  outputAudioMs: 0,
                  microUsd: 0,
                },
                caps,
                now,
              );
              return input + output;
            }),
          );
          const total = settled.reduce((sum, tokens) => sum + tokens, 0);
          const keys = (await a.command(
            ['KEYS', `rtwire:{t:${tenant}}:tokens:day:*`],
            '',
          )) as string[];
          expect(keys).toHaveLength(1);
          const counted = Number(await a.command(['GET', keys[0] as string], keys[0] as string));
          // What Redis counted is what was settled, and never past the cap.
          expect(counted).toBe(total);
          expect(counted).toBeLessThanOrEqual(cap);
        },
      ),
      { numRuns: 25 },
    );
  });

  it('holds a session cap across relays, and forgets the sessions of a relay that died within its lease', async () => {
    const leaseMs = 1_000;
    const a = relayStore(leaseMs);
    const b = relayStore(leaseMs);
    const now = () => Date.now();
    expect((await a.store.openSession('beta', 3, now())).ok).toBe(true);
    expect((await a.store.openSession('beta', 3, now())).ok).toBe(true);
    expect((await b.store.openSession('beta', 3, now())).ok).toBe(true);
    const refused = await b.store.openSession('beta', 3, now());
    expect(refused).toMatchObject({ ok: false, cap: 'concurrentSessions' });
    // Past several lease times, the live relays' heartbeats keep their sessions counted.
    await new Promise((resolve) => setTimeout(resolve, 2.5 * leaseMs));
    expect((await b.store.openSession('beta', 3, now())).ok).toBe(false);
    // Relay A dies: nothing renews its two leases; they lapse, B's stays.
    await a.store.close();
    const waited = await until(
      async () => (await b.store.openSession('beta', 3, now())).ok,
      "relay A's sessions lapse",
    );
    expect((await b.store.openSession('beta', 3, now())).ok).toBe(true);
    expect((await b.store.openSession('beta', 3, now())).ok).toBe(false);
    console.log(
      `a dead relay's sessions stopped counting ${waited} ms after it died (lease ${leaseMs} ms)`,
    );
  });

  it('keeps a counter per cap, each expiring a minute after its window ends, one a refund makes again too', async () => {
    const { store, command } = relayStore();
    const tenant = 'expiring';
    const caps: MeterCap[] = [
      { meter: 'tokens', window: 'minute', limit: 1e9 },
      { meter: 'audioMs', window: 'day', limit: 1e9 },
    ];
    const now = Date.now();
    const graceMs = 60_000;
    const minuteEnd = Math.floor(now / 60_000) * 60_000 + 60_000;
    const today = new Date(now);
    const dayEnd = Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate() + 1);
    const used = (tokens: number, audioMs: number) => ({
      tokens,
      inputTokens: 0,
      outputTokens: tokens,
      audioMs,
      inputAudioMs: 0,
      outputAudioMs: audioMs,
      microUsd: 0,
    });
    const reserve = async () => {
      const reserved = await store.reserve(tenant, caps, ask(100), now);
      if (!reserved.ok) throw new Error('the reservation was refused');
      return reserved.reservation;
    };
    const keys = async () =>
      ((await command(['KEYS', `rtwire:{t:${tenant}}:*`], '')) as string[]).sort();
    const expiries = async () =>
      Object.fromEntries(
        await Promise.all(
          (await keys()).map(async (key) => [
            key.replace(/:\d.*$/, ''),
            Number(await command(['PEXPIRETIME', key], key)),
          ]),
        ),
      );

    const expected = (key: string) => (key.includes(':minute') ? minuteEnd : dayEnd) + graceMs;
    const expectExpiring = async () => {
      const found = await expiries();
      expect(Object.keys(found).length).toBeGreaterThan(0);
      for (const [key, expiresAt] of Object.entries(found)) {
        expect({ key, expiresAt }).toEqual({ key, expiresAt: expected(key) });
      }
    };
    // Made by a reservation, then back at zero: nothing was used.
    await store.settle(await reserve(), used(0, 0), caps, now);
    // Counted up from zero again, and settled with audio the reservation did not hold.
    await store.settle(await reserve(), used(60, 1_000), caps, now);
    await expectExpiring();
    // A counter for each cap and no other: a meter no cap reads in a window is not counted.
    expect(Object.keys(await expiries()).map((key) => key.replace(/^.*\}:/, ''))).toEqual([
      'audioMs:day',
      'tokens:minute',
    ]);
    // A counter gone before its settlement (flushed, say) is made again by the refund.
    const refunded = await reserve();
    for (const key of await keys()) await command(['DEL', key], key);
    await store.settle(refunded, used(10, 0), caps, now);
    await expectExpiring();
    const tokenKey = (await keys()).find((key) => key.includes(':tokens:minute:')) as string;
    expect(Number(await command(['GET', tokenKey], tokenKey))).toBe(10 - 100);
  });
});

describe('a relay whose Redis goes away', () => {
  function relayHost(failure: 'open' | 'closed') {
    const parsed = parseRelayConfig({ RELAY_TOKENS: 'acme:tok_acme' });
    const policy = parseRelayPolicy({
      tenants: { acme: { limits: { concurrentSessions: 1000, tokens: { perDay: 1_000_000 } } } },
    });
    if (!parsed.ok || !policy.ok) throw new Error('config');
    const logs: string[] = [];
    const host = createRelayHost({
      config: parsed.config,
      policy: policy.policy,
      usageStore: relayStore().store,
      usageStoreFailure: failure,
      logger: { log: (_level, message) => logs.push(message) },
      connectUpstream: () => Promise.reject(new Error('no upstream in this test')),
    });
    const admit = async () => {
      const admission = await host.admit({
        url: '/v1/realtime?model=gpt-realtime',
        headers: new Headers({ authorization: 'Bearer tok_acme' }),
      });
      if (admission.ok) admission.cancel();
      return admission;
    };
    const metric = (name: string) =>
      Number(
        new RegExp(`^${name} (\\S+)$`, 'm').exec(host.respond('GET', '/metrics').body)?.[1] ??
          Number.NaN,
      );
    return { host, logs, admit, metric };
  }

  it('fails open by default: admits unmetered, says so once, and counts again when Redis is back', async () => {
    const open = relayHost('open');
    const closed = relayHost('closed');
    expect((await open.admit()).ok).toBe(true);
    expect((await closed.admit()).ok).toBe(true);
    await redis.stop();
    try {
      for (let attempt = 0; attempt < 5; attempt++) {
        expect((await open.admit()).ok).toBe(true);
        const refused = await closed.admit();
        expect(refused).toMatchObject({ ok: false, status: 503, code: 'usage_store_unavailable' });
      }
      expect(open.logs.filter((message) => message === 'metering.store_down')).toHaveLength(1);
      expect(open.metric('rtwire_relay_usage_store_up')).toBe(0);
      expect(open.metric('rtwire_relay_usage_store_failures_total')).toBeGreaterThanOrEqual(5);
    } finally {
      await redis.start();
    }
    await until(async () => (await closed.admit()).ok, 'the closed relay admits again');
    await until(async () => {
      await open.admit();
      return open.logs.includes('metering.store_up');
    }, 'the open relay sees Redis back');
    expect(open.logs.filter((message) => message === 'metering.store_down')).toHaveLength(1);
    expect(open.metric('rtwire_relay_usage_store_up')).toBe(1);
  });
});
