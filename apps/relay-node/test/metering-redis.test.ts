import { connectRedis } from '@rtwire/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import { type RedisServer, startRedisServer } from '../../../test-support/redis-server.ts';
import {
  connectClient,
  startFakeUpstream,
  stopAll,
  type TestClient,
  upgradeStatus,
} from './helpers.ts';
import { type SpawnedRelay, spawnRelay } from './spawn-relay.ts';

const BUDGET = 60_000;
const ASKED = 400;
const INPUT = 50;
const LEASE_MS = 1_500;

const POLICY = {
  tenants: {
    acme: { limits: { concurrentSessions: 200, tokens: { perDay: BUDGET } } },
    beta: { limits: { concurrentSessions: 4 } },
  },
};

/** Every usage the fake upstream reported, in tokens. */
let reported = 0;

/** Answers each `response.create` with a response that used its clamped `max_output_tokens`. */
function answerWithUsage(socket: WebSocket) {
  let sequence = 0;
  socket.on('message', (data) => {
    const event = JSON.parse(data.toString()) as {
      type: string;
      response?: { max_output_tokens?: unknown };
    };
    if (event.type !== 'response.create') return;
    const asked = event.response?.max_output_tokens;
    const output = typeof asked === 'number' ? asked : 4096;
    const id = `resp_${++sequence}`;
    reported += INPUT + output;
    socket.send(
      JSON.stringify({ type: 'response.created', response: { id, status: 'in_progress' } }),
    );
    socket.send(
      JSON.stringify({
        type: 'response.done',
        response: {
          id,
          status: 'completed',
          output: [],
          usage: {
            total_tokens: INPUT + output,
            input_tokens: INPUT,
            output_tokens: output,
            input_token_details: { text_tokens: INPUT, audio_tokens: 0, cached_tokens: 0 },
            output_token_details: { text_tokens: output, audio_tokens: 0 },
          },
        },
      }),
    );
  });
}

let redis: RedisServer;
let a: SpawnedRelay;
let b: SpawnedRelay;

const wsUrl = (relay: SpawnedRelay) => `${relay.url.replace(/^http/, 'ws')}/v1/realtime`;
const as = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });

/** The log lines of a relay's output, parsed. */
function logLines(relay: SpawnedRelay): { msg: string; [key: string]: unknown }[] {
  return relay.output
    .join('')
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line));
}

async function metric(relay: SpawnedRelay, name: string): Promise<number> {
  const text = await (await fetch(`${relay.url}/metrics`)).text();
  return Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? Number.NaN);
}

async function until(check: () => Promise<boolean>, what: string, limitMs = 20_000) {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > limitMs) throw new Error(`never: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return Date.now() - started;
}

beforeAll(async () => {
  redis = await startRedisServer();
  const upstream = await startFakeUpstream(answerWithUsage);
  const env = {
    UPSTREAM_URL: upstream.url,
    REDIS_URL: redis.url,
    RELAY_TOKENS: 'acme:tok_acme,beta:tok_beta',
    RELAY_POLICY: JSON.stringify(POLICY),
    METER_LEASE_MS: String(LEASE_MS),
    USAGE_STREAM: 'billing:usage',
    RESUME: 'off',
    RATE_LIMIT_PER_SECOND: '0',
  };
  // One relay hands out a local allowance of eight responses, the other goes to Redis for
  // each response: both ways, and the two together, keep the tenant's limits.
  [a, b] = await Promise.all([spawnRelay({ ...env, METER_ALLOWANCE: '8' }), spawnRelay(env)]);
}, 60_000);

afterAll(async () => {
  for (const relay of [a, b]) relay?.child.kill('SIGKILL');
  await stopAll();
  await redis?.stop();
});

describe('two relay processes metering one tenant on one Redis', () => {
  it('100 new sessions racing to the edge of a token budget never pass it, and the usage records match the upstream’s', async () => {
    // One session on each relay shows it what a first response reads (the fake's 50 input
    // tokens, which no client frame shows); the 100 after it hold that with their first
    // response. Every reservation then covers what its response uses, so the counters never
    // pass the budget, however the race is scheduled.
    for (const relay of [a, b]) {
      const first = await connectClient(wsUrl(relay), as('tok_acme'));
      first.send({ type: 'response.create', response: { max_output_tokens: ASKED } });
      await first.waitFor((event) => event.type === 'response.done', 20_000);
      await first.ws.close();
    }
    const clients = await Promise.all(
      Array.from({ length: 100 }, (_, index) =>
        connectClient(wsUrl(index % 2 === 0 ? a : b), as('tok_acme')),
      ),
    );
    /** Asks for responses until refused or closed; how each session ended. */
    const run = async (client: TestClient) => {
      for (let turn = 0; ; turn++) {
        client.send({ type: 'response.create', response: { max_output_tokens: ASKED } });
        const seen = client.events.length;
        const next = await Promise.race([
          client.waitFor(
            (event, index = client.events.indexOf(event)) =>
              index >= seen && (event.type === 'response.done' || event.type === 'error'),
            20_000,
          ),
          client.closed.then(() => ({ type: 'closed' })),
        ]);
        if (next.type !== 'response.done') return next.type;
        if (turn > 1_000) return 'endless';
      }
    };
    const endings = await Promise.all(clients.map(run));
    await Promise.all(clients.map((client) => client.ws.close()));
    console.log(
      `budget ${BUDGET}: the upstream reported ${reported} tokens (${reported - BUDGET} past it); sessions ended by ${JSON.stringify(
        Object.fromEntries(
          ['error', 'closed'].map((kind) => [kind, endings.filter((end) => end === kind).length]),
        ),
      )}`,
    );
    expect(reported).toBeLessThanOrEqual(BUDGET);
    // They raced to the edge: what is left unspent is what the reservations in flight held back
    // when the last ones were refused (each holds the context it expects to read, here more
    // than the fake reads), at most 400 tokens for each session racing.
    expect(reported).toBeGreaterThan(BUDGET - clients.length * ASKED);
    expect(endings.every((end) => end === 'error' || end === 'closed')).toBe(true);
    // Each relay logged a record per response; together they are what the upstream reported.
    await until(
      async () =>
        [...logLines(a), ...logLines(b)].filter((line) => line.msg === 'usage.session').length >=
        102,
      'every session logged its usage',
    );
    const records = [...logLines(a), ...logLines(b)].filter(
      (line) => line.msg === 'usage.response',
    );
    const recorded = records.reduce(
      (sum, line) => sum + Number(line.input_tokens) + Number(line.output_tokens),
      0,
    );
    expect(recorded).toBe(reported);
    expect(records.every((line) => line.tenant === 'acme' && line.estimated === false)).toBe(true);
    // The same records reach the Redis stream, in batches.
    const probe = connectRedis(new URL(redis.url));
    try {
      const streamed = async () => {
        const entries = (await probe.command(['XRANGE', 'billing:usage', '-', '+'], '')) as [
          string,
          [string, string],
        ][];
        return entries
          .map(([, [, json]]) => JSON.parse(json) as Record<string, unknown>)
          .filter((entry) => entry.type === 'usage.response');
      };
      await until(async () => (await streamed()).length === records.length, 'the stream');
      const total = (await streamed()).reduce(
        (sum, entry) => sum + Number(entry.input_tokens) + Number(entry.output_tokens),
        0,
      );
      expect(total).toBe(reported);
    } finally {
      await probe.close();
    }
  }, 120_000);

  it('holds a concurrent-session cap across both relays, forgets the sessions of one killed with SIGKILL, and keeps counting through a Redis outage', async () => {
    const held = [
      await connectClient(wsUrl(a), as('tok_beta')),
      await connectClient(wsUrl(a), as('tok_beta')),
      await connectClient(wsUrl(b), as('tok_beta')),
      await connectClient(wsUrl(b), as('tok_beta')),
    ];
    expect(held).toHaveLength(4);
    expect((await upgradeStatus(wsUrl(a), as('tok_beta'))).status).toBe(429);
    expect((await upgradeStatus(wsUrl(b), as('tok_beta'))).status).toBe(429);

    // Relay B dies without a word: its two sessions count until their leases lapse.
    const killedAt = Date.now();
    b.child.kill('SIGKILL');
    await b.exited;
    const freed = await until(
      async () => (await upgradeStatus(wsUrl(a), as('tok_beta'))).status === 101,
      "the killed relay's sessions stop counting",
    );
    console.log(
      `a SIGKILLed relay's sessions stopped counting ${Date.now() - killedAt} ms after the kill (lease ${LEASE_MS} ms; polled ${freed} ms)`,
    );

    // Redis goes away: relay A admits unmetered (the documented default), says so once.
    await redis.stop();
    for (let attempt = 0; attempt < 3; attempt++) {
      expect((await upgradeStatus(wsUrl(a), as('tok_beta'))).status).toBe(101);
    }
    expect(await metric(a, 'rtwire_relay_usage_store_up')).toBe(0);
    expect(logLines(a).filter((line) => line.msg === 'metering.store_down')).toHaveLength(1);

    // Redis is back, empty: A's heartbeat counts its two live sessions again, so two more fit.
    await redis.start();
    const probe = connectRedis(new URL(redis.url));
    try {
      await until(
        async () => Number(await probe.command(['ZCARD', 'rtwire:{t:beta}:sessions'], '')) === 2,
        'the live sessions are counted again',
      );
    } finally {
      await probe.close();
    }
    const more = [
      await connectClient(wsUrl(a), as('tok_beta')),
      await connectClient(wsUrl(a), as('tok_beta')),
    ];
    expect((await upgradeStatus(wsUrl(a), as('tok_beta'))).status).toBe(429);
    expect(await metric(a, 'rtwire_relay_usage_store_up')).toBe(1);
    expect(logLines(a).filter((line) => line.msg === 'metering.store_up')).toHaveLength(1);
    for (const client of [...held, ...more]) client.ws.close();
  }, 120_000);
});
