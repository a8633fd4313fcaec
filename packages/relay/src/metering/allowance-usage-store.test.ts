import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { withLocalAllowance } from './allowance-usage-store.ts';
import { MemoryUsageStore } from './memory-usage-store.ts';
import { type MeterCap, NO_USAGE, type UsageStore } from './usage-store.ts';

// The memory store forgets windows that ended by the clock it is given: counted now.
const NOW = Date.now();
const capOf = (limit: number): MeterCap[] => [{ meter: 'tokens', window: 'month', limit }];
const ask = (outputTokens: number, inputTokens = 0) => ({
  outputTokens,
  microUsdPerOutputToken: 0,
  inputTokens,
  inputMicroUsd: 0,
});
const tokens = (used: number) => ({ ...NO_USAGE, tokens: used, outputTokens: used });

/** The shared store, counting the calls that would each be a round trip to Redis. */
function counted(inner: UsageStore) {
  const calls = { reserve: 0, settle: 0 };
  const store: UsageStore = {
    openSession: (...args) => inner.openSession(...args),
    renewSession: (...args) => inner.renewSession(...args),
    closeSession: (...args) => inner.closeSession(...args),
    exhausted: (...args) => inner.exhausted(...args),
    reserve: (...args) => {
      calls.reserve++;
      return inner.reserve(...args);
    },
    settle: (...args) => {
      calls.settle++;
      return inner.settle(...args);
    },
  };
  return { store, calls };
}

/** What the shared store counts as spent under `cap`: the cap less what it would still grant. */
async function spent(shared: UsageStore, cap: MeterCap[]): Promise<number> {
  const limit = (cap[0] as MeterCap).limit;
  const left = await shared.reserve('t', cap, ask(limit + 1), NOW);
  if (!left.ok) return limit;
  await shared.settle(left.reservation, NO_USAGE, cap, NOW);
  return limit - left.reservation.outputTokens;
}

describe('a local allowance in front of a shared usage store', () => {
  it('takes eight responses’ worth at a time: 100 responses cost 9 grants and 9 settlements, not 200 round trips', async () => {
    const shared = new MemoryUsageStore();
    const { store, calls } = counted(shared);
    const local = withLocalAllowance(store, { responses: 8, maxAgeMs: 60_000, now: () => NOW });
    const cap = capOf(1_000_000);
    for (let index = 0; index < 100; index++) {
      const reserved = await local.reserve('t', cap, ask(100), NOW);
      if (!reserved.ok) throw new Error('refused');
      expect(reserved.reservation.outputTokens).toBe(100);
      expect(await local.settle(reserved.reservation, tokens(60), cap, NOW)).toBe(false);
    }
    await local.close();
    // Each allowance of 800 tokens covers twelve responses that use 60 of the 100 they hold.
    expect(calls).toEqual({ reserve: 9, settle: 9 });
    // Every token used is counted, and nothing the allowances held is left behind.
    expect(await spent(shared, cap)).toBe(6_000);
  });

  it('settles the responses still running when their allowance is settled with the next allowance, not one round trip each', async () => {
    const shared = new MemoryUsageStore();
    const { store, calls } = counted(shared);
    const local = withLocalAllowance(store, { responses: 2, maxAgeMs: 60_000, now: () => NOW });
    const cap = capOf(1_000_000);
    const reserve = async () => {
      const reserved = await local.reserve('t', cap, ask(100), NOW);
      if (!reserved.ok) throw new Error('refused');
      return reserved.reservation;
    };
    // Two responses fill the first allowance; a third settles it (both counted whole, 200)
    // and takes a second one while the first two still run.
    const first = await reserve();
    const second = await reserve();
    const third = await reserve();
    expect(calls).toEqual({ reserve: 2, settle: 1 });
    expect(await local.settle(first, tokens(60), cap, NOW)).toBe(false);
    expect(await local.settle(second, tokens(70), cap, NOW)).toBe(false);
    // What the first two gave back rode with the live allowance: no call of their own.
    expect(calls).toEqual({ reserve: 2, settle: 1 });
    expect(await local.settle(third, tokens(80), cap, NOW)).toBe(false);
    await local.close();
    expect(calls).toEqual({ reserve: 2, settle: 2 });
    expect(await spent(shared, cap)).toBe(210);
  });

  it('takes the next allowance ahead: after the first, no response waits for a grant', async () => {
    const shared = new MemoryUsageStore();
    // Grants from the shared store are answered only when the test says so.
    const held: (() => void)[] = [];
    const gated: UsageStore = {
      ...counted(shared).store,
      reserve: (...args) =>
        new Promise((resolve) => held.push(() => resolve(shared.reserve(...args)))),
    };
    const local = withLocalAllowance(gated, { responses: 8, maxAgeMs: 60_000, now: () => NOW });
    const cap = capOf(1_000_000);
    let waited = 0;
    for (let index = 0; index < 40; index++) {
      const pending = local.reserve('t', cap, ask(100), NOW);
      const first = await Promise.race([
        pending,
        new Promise<'waiting'>((resolve) => setTimeout(() => resolve('waiting'), 0)),
      ]);
      if (first === 'waiting') {
        waited++;
        for (const answer of held.splice(0)) answer();
      }
      const reserved = await pending;
      if (!reserved.ok) throw new Error('refused');
      // Grants taken ahead arrive while the response streams.
      for (const answer of held.splice(0)) answer();
      await new Promise((resolve) => setTimeout(resolve, 0));
      await local.settle(reserved.reservation, tokens(100), cap, NOW);
    }
    for (const answer of held.splice(0)) answer();
    await local.close();
    expect(waited).toBe(1);
    expect(await spent(shared, cap)).toBe(4_000);
  });

  it('settles a late response of a settled allowance on its own when the live one counts other windows', async () => {
    let clock = NOW;
    const shared = new MemoryUsageStore();
    const { store, calls } = counted(shared);
    const local = withLocalAllowance(store, { responses: 1, maxAgeMs: 600_000, now: () => clock });
    const cap: MeterCap[] = [{ meter: 'tokens', window: 'minute', limit: 1_000_000 }];
    const early = await local.reserve('t', cap, ask(100), clock);
    if (!early.ok) throw new Error('refused');
    // The next minute: the first allowance ended with its window; a new one counts in the new one.
    clock = NOW + 60_000;
    const later = await local.reserve('t', cap, ask(100), clock);
    if (!later.ok) throw new Error('refused');
    const settlesBefore = calls.settle;
    await local.settle(early.reservation, tokens(10), cap, clock);
    // The first minute's counter is corrected directly, never the second minute's.
    expect(calls.settle).toBe(settlesBefore + 1);
    await local.settle(later.reservation, tokens(20), cap, clock);
    await local.close();
  });

  it('near a cap goes to the shared store for each response, so it stops where the store would', async () => {
    const shared = new MemoryUsageStore();
    const local = withLocalAllowance(shared, { responses: 8, maxAgeMs: 60_000 });
    const cap = capOf(1_000);
    const granted: number[] = [];
    for (;;) {
      const reserved = await local.reserve('t', cap, ask(100), NOW);
      if (!reserved.ok) break;
      granted.push(reserved.reservation.outputTokens);
      await local.settle(reserved.reservation, tokens(reserved.reservation.outputTokens), cap, NOW);
    }
    await local.close();
    expect(granted.reduce((sum, each) => sum + each, 0)).toBe(1_000);
    expect(await spent(shared, cap)).toBe(1_000);
  });

  it('tells the response that reaches a cap, once its allowance is settled', async () => {
    const shared = new MemoryUsageStore();
    const local = withLocalAllowance(shared, { responses: 2, maxAgeMs: 60_000 });
    const cap = capOf(1_000);
    const first = await local.reserve('t', cap, ask(100), NOW);
    if (!first.ok) throw new Error('refused');
    // It used far more than it held (a response the upstream would not cap).
    expect(await local.settle(first.reservation, tokens(1_200), cap, NOW)).toBe(true);
    await local.close();
    expect(await spent(shared, cap)).toBe(1_000);
  });

  it('gives back what an allowance did not hand out once it is older than maxAgeMs', async () => {
    const shared = new MemoryUsageStore();
    const local = withLocalAllowance(shared, { responses: 8, maxAgeMs: 60 });
    const cap = capOf(100_000);
    const reserved = await local.reserve('t', cap, ask(100), NOW);
    if (!reserved.ok) throw new Error('refused');
    await local.settle(reserved.reservation, tokens(10), cap, NOW);
    expect(await spent(shared, cap)).toBe(800);
    const deadline = Date.now() + 10_000;
    while ((await spent(shared, cap)) !== 10) {
      if (Date.now() > deadline) throw new Error('never given back');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await local.close();
  });

  it('relays racing for one cap never grant past it together, and leave exact counts (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 100, max: 20_000 }),
        fc.array(
          fc.record({
            relay: fc.integer({ min: 0, max: 2 }),
            want: fc.integer({ min: 1, max: 500 }),
            share: fc.double({ min: 0, max: 1, noNaN: true }),
            pastGrant: fc.boolean(),
          }),
          { maxLength: 60 },
        ),
        fc.integer({ min: 1, max: 10 }),
        async (limit, responses, scale) => {
          const shared = new MemoryUsageStore();
          const relays = [0, 1, 2].map(() =>
            withLocalAllowance(shared, { responses: scale, maxAgeMs: 60_000 }),
          );
          const cap = capOf(limit);
          let used = 0;
          let outstanding = 0;
          let overrun = 0;
          // All at once: the reservations race as responses on several relays do.
          await Promise.all(
            responses.map(async ({ relay, want, share, pastGrant }) => {
              const store = relays[relay] as UsageStore;
              const reserved = await store.reserve('t', cap, ask(want), NOW);
              if (!reserved.ok) return;
              const grant = reserved.reservation.outputTokens;
              expect(grant).toBeLessThanOrEqual(want);
              // Held and used, on every relay together: within the cap, but for what responses
              // used past their grants (which only a settlement shows).
              outstanding += grant;
              expect(outstanding + used).toBeLessThanOrEqual(limit + overrun);
              // Mostly within the grant; now and then past it, as an uncapped response may go.
              const spentHere = pastGrant ? grant + 50 : Math.floor(grant * share);
              await Promise.resolve();
              outstanding -= grant;
              used += spentHere;
              overrun += Math.max(0, spentHere - grant);
              await store.settle(reserved.reservation, tokens(spentHere), cap, NOW);
            }),
          );
          for (const relay of relays) await (relay as { close(): Promise<void> }).close();
          // The shared counters are exactly what was used (to the cap, where it saturates).
          expect(await spent(shared, cap)).toBe(Math.min(used, limit));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('leaves each cap of several (tokens, audio, budget; three windows) counting exactly what was used, and nothing else counted (property)', async () => {
    // The exact value of a counter: a cap at it is reached, one past it is not.
    const counter = async (shared: UsageStore, cap: MeterCap, value: number) => [
      (await shared.exhausted('t', [{ ...cap, limit: value }], NOW)) !== undefined,
      (await shared.exhausted('t', [{ ...cap, limit: value + 1 }], NOW)) === undefined,
    ];
    const caps: MeterCap[] = [
      { meter: 'tokens', window: 'minute', limit: 1e9 },
      { meter: 'outputAudioMs', window: 'day', limit: 1e9 },
      { meter: 'microUsd', window: 'month', limit: 1e12 },
      { meter: 'tokens', window: 'month', limit: 1e9 },
    ];
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            want: fc.integer({ min: 1, max: 500 }),
            input: fc.integer({ min: 0, max: 200 }),
            share: fc.double({ min: 0, max: 1, noNaN: true }),
            audioMs: fc.integer({ min: 0, max: 5_000 }),
          }),
          { maxLength: 40 },
        ),
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 0, max: 64 }),
        async (responses, scale, rate) => {
          const shared = new MemoryUsageStore();
          const local = withLocalAllowance(shared, { responses: scale, maxAgeMs: 60_000 });
          const total = { tokens: 0, outputAudioMs: 0, microUsd: 0 };
          await Promise.all(
            responses.map(async ({ want, input, share, audioMs }) => {
              const request = {
                outputTokens: want,
                microUsdPerOutputToken: rate,
                inputTokens: input,
                inputMicroUsd: input * rate,
              };
              const reserved = await local.reserve('t', caps, request, NOW);
              if (!reserved.ok) throw new Error('refused under limits never reached');
              const output = Math.floor(reserved.reservation.outputTokens * share);
              const used = {
                ...NO_USAGE,
                tokens: input + output,
                inputTokens: input,
                outputTokens: output,
                audioMs,
                outputAudioMs: audioMs,
                microUsd: (input + output) * rate,
              };
              total.tokens += used.tokens;
              total.outputAudioMs += audioMs;
              total.microUsd += used.microUsd;
              await local.settle(reserved.reservation, used, caps, NOW);
            }),
          );
          await local.close();
          for (const cap of caps) {
            const meter = cap.meter as keyof typeof total;
            expect({ cap, exact: await counter(shared, cap, total[meter]) }).toEqual({
              cap,
              exact: [true, true],
            });
          }
          // A counter per cap, none for what no cap reads (input tokens, all audio, …).
          expect(shared.size).toBeLessThanOrEqual(caps.length);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('settles an allowance on time even when a response of it never settles, and counts that one whole', async () => {
    const shared = new MemoryUsageStore();
    const local = withLocalAllowance(shared, { responses: 8, maxAgeMs: 60 });
    const cap = capOf(100_000);
    const lost = await local.reserve('t', cap, ask(100), NOW);
    const other = await local.reserve('t', cap, ask(100), NOW);
    if (!lost.ok || !other.ok) throw new Error('refused');
    expect(await local.settle(other.reservation, tokens(30), cap, NOW)).toBe(false);
    // `lost` never settles (its session vanished): the allowance is settled all the same once
    // it is old, holding that response's 100 as used, and the other 670 given back.
    const deadline = Date.now() + 10_000;
    while ((await spent(shared, cap)) !== 130) {
      if (Date.now() > deadline) throw new Error(`stuck at ${await spent(shared, cap)}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await local.close();
    // Settled after all, late: it corrects the count by itself, straight to the shared store.
    expect(await local.settle(lost.reservation, tokens(5), cap, NOW)).toBe(false);
    expect(await spent(shared, cap)).toBe(35);
  });

  it('keeps an allowance whole in the shared store when its settlement fails, never less than was used', async () => {
    const shared = new MemoryUsageStore();
    let failing = true;
    const flaky: UsageStore = {
      ...counted(shared).store,
      settle: (...args) =>
        failing ? Promise.reject(new Error('Redis away')) : shared.settle(...args),
    };
    const local = withLocalAllowance(flaky, { responses: 8, maxAgeMs: 60_000 });
    const cap = capOf(100_000);
    const reserved = await local.reserve('t', cap, ask(100), NOW);
    if (!reserved.ok) throw new Error('refused');
    await local.settle(reserved.reservation, tokens(40), cap, NOW);
    await local.close();
    failing = false;
    // Not retried (the outcome of a failed command is unknown): the whole 800 stays counted.
    expect(await spent(shared, cap)).toBe(800);
  });

  it('passes a tenant without token caps straight through', async () => {
    const { store, calls } = counted(new MemoryUsageStore());
    const local = withLocalAllowance(store);
    const reserved = await local.reserve('t', [], ask(100), NOW);
    expect(reserved.ok).toBe(true);
    expect(calls.reserve).toBe(1);
  });
});
