import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MemorySocket } from '../../../test/memory-socket.ts';
import { tick } from '../../../test/wait.ts';
import { parseRelayConfig } from '../../config/relay-config.ts';
import { createRelayHost, type PendingSession } from '../../host/relay-host.ts';
import type { JsonObject } from '../../json-object.ts';
import { MemoryUsageStore } from '../../metering/memory-usage-store.ts';
import type { UsageRecord } from '../../metering/usage-record.ts';
import { type MeterCap, NO_USAGE } from '../../metering/usage-store.ts';
import { usageWindow } from '../../metering/usage-window.ts';
import { createRedactingLogger, type LogLevel } from '../../observe/relay-logger.ts';
import { parseRelayPolicy } from '../../policy/relay-policy.ts';
import { emptyReservation } from './metering-feature.ts';

const PRICES = {
  'gpt-realtime': { textIn: 4, textOut: 16, audioIn: 32, audioOut: 64, cachedIn: 0.4 },
};

/**
 * A relay host with `limits` for tenant acme, its logs, and sessions opened on memory sockets.
 * With `logLevel`, its logger writes from that level up, as the relay's does.
 */
function relay(
  limits: Record<string, unknown>,
  store = new MemoryUsageStore(),
  logLevel?: LogLevel,
  url = '/v1/realtime?model=gpt-realtime',
) {
  const parsed = parseRelayConfig({ RELAY_TOKENS: 'acme:tok_acme', RESUME_ATTEMPTS: '0' });
  if (!parsed.ok) throw new Error('config');
  const policy = parseRelayPolicy({ prices: PRICES, tenants: { acme: { limits } } });
  if (!policy.ok) throw new Error(JSON.stringify(policy.errors));
  const logs: { msg: string; [key: string]: unknown }[] = [];
  const records: UsageRecord[] = [];
  const upstreams: MemorySocket[] = [];
  const host = createRelayHost({
    config: parsed.config,
    policy: policy.policy,
    usageStore: store,
    usageSink: { write: (record) => records.push(record) },
    logger:
      logLevel === undefined
        ? { log: (level, msg, fields) => logs.push({ level, msg, ...fields }) }
        : createRedactingLogger(
            { log: (level, msg, fields) => logs.push({ level, msg, ...fields }) },
            { minimum: logLevel },
          ),
    connectUpstream: async () => {
      const upstream = new MemorySocket();
      upstreams.push(upstream);
      return upstream;
    },
  });
  const admit = () =>
    host.admit({
      url,
      headers: new Headers({ authorization: 'Bearer tok_acme' }),
    });
  const open = async () => {
    const admission = await admit();
    if (!admission.ok) throw new Error(`refused: ${admission.code}`);
    const client = new MemorySocket();
    const session = (admission as PendingSession).open(client);
    await tick();
    return { client, upstream: upstreams.at(-1) as MemorySocket, session };
  };
  return { host, logs, records, admit, open, store };
}

/** A reservation of `outputTokens`, free, expecting no input. */
const ask = (outputTokens: number) => ({
  outputTokens,
  microUsdPerOutputToken: 0,
  inputTokens: 0,
  inputMicroUsd: 0,
});

const tokensPerMinute = (limit: number): MeterCap[] => [
  { meter: 'tokens', window: 'minute', limit },
];

const created = (id: string) =>
  JSON.stringify({ type: 'response.created', response: { id, object: 'realtime.response' } });
const done = (id: string, usage: JsonObject | null, status = 'completed') =>
  JSON.stringify({ type: 'response.done', response: { id, status, usage } });
const usage = (input: number, output: number): JsonObject => ({
  total_tokens: input + output,
  input_tokens: input,
  output_tokens: output,
  input_token_details: { text_tokens: input, audio_tokens: 0, cached_tokens: 0 },
  output_token_details: { text_tokens: output, audio_tokens: 0 },
});

const errorMessage = (event: JsonObject | undefined) =>
  String((event?.error as { message?: unknown } | undefined)?.message);

describe('metering a session against its tenant’s limits', () => {
  it('reserves what a response.create may use, clamped to what is left, and refuses when nothing is', async () => {
    const { open } = relay({ tokens: { perMinute: 1000 } });
    const { client, upstream } = await open();
    client.deliver('{"type":"response.create","response":{"max_output_tokens":300}}');
    await tick();
    // Asked within the budget: sent as it came.
    expect(upstream.sent.at(-1)?.data).toBe(
      '{"type":"response.create","response":{"max_output_tokens":300}}',
    );
    // "inf" reserves the most one response writes, clamped to the 700 left.
    client.deliver('{"type":"response.create","response":{"max_output_tokens":"inf"}}');
    await tick();
    expect(upstream.events().at(-1)).toEqual({
      type: 'response.create',
      response: { max_output_tokens: 700 },
    });
    client.deliver('{"type":"response.create","event_id":"event_3"}');
    await tick();
    expect(upstream.sent).toHaveLength(2);
    expect(client.events().at(-1)).toMatchObject({
      type: 'error',
      error: { code: 'quota_exceeded', event_id: 'event_3' },
    });
    expect(errorMessage(client.events().at(-1))).toMatch(
      /token limit per minute is reached; try again in \d+ s/,
    );
  });

  it('settles a reservation from response.done usage, and logs a usage record per response and per session', async () => {
    const { open, logs, records, store } = relay({ tokens: { perMinute: 1000 } });
    const { client, upstream, session } = await open();
    client.deliver('{"type":"response.create","response":{"max_output_tokens":500}}');
    await tick();
    upstream.deliver(created('resp_1'));
    upstream.deliver(done('resp_1', usage(120, 30)));
    await tick();
    // 150 used of 1000: 850 left, so a second create may have it all.
    const caps = tokensPerMinute(1000);
    const left = await store.reserve('acme', caps, ask(10_000), Date.now());
    expect(left.ok && left.reservation.outputTokens).toBe(850);
    expect(logs.find((line) => line.msg === 'usage.response')).toMatchObject({
      tenant: 'acme',
      model: 'gpt-realtime',
      response: 'resp_1',
      input_tokens: 120,
      output_tokens: 30,
      usd: (120 * 4 + 30 * 16) / 1e6,
      status: 'completed',
      estimated: false,
    });
    session.close(1000, 'bye');
    await session.done;
    expect(logs.find((line) => line.msg === 'usage.session')).toMatchObject({
      responses: 1,
      input_tokens: 120,
      output_tokens: 30,
    });
    // The sink gets the same records, typed and timed.
    expect(records.map((record) => record.type)).toEqual(['usage.response', 'usage.session']);
    expect(records[0]).toMatchObject({
      tenant: 'acme',
      session: session.id,
      response: 'resp_1',
      status: 'completed',
      input_tokens: 120,
      output_tokens: 30,
    });
    expect(records[1]).toMatchObject({ responses: 1, close_code: 1000 });
    expect(Date.parse(records[1]?.time ?? '')).toBeGreaterThan(0);
  });

  it('writes each usage record where it goes: the log has the sink’s fields, in its order', async () => {
    for (const [logLevel, model] of [
      ['info', 'gpt-realtime'],
      ['warn', 'gpt-realtime'],
      ['info', undefined],
    ] as const) {
      const { open, logs, records } = relay(
        { tokens: { perMinute: 1000 } },
        undefined,
        logLevel,
        model === undefined ? '/v1/realtime' : `/v1/realtime?model=${model}`,
      );
      const { client, upstream, session } = await open();
      client.deliver('{"type":"response.create","response":{"max_output_tokens":500}}');
      await tick();
      upstream.deliver(created('resp_1'));
      upstream.deliver(done('resp_1', usage(120, 30)));
      client.deliver('{"type":"response.create"}');
      await tick();
      upstream.deliver(created('resp_2'));
      upstream.deliver(
        '{"type":"response.output_audio.delta","response_id":"resp_2","delta":"AAAAAAAA"}',
      );
      session.close(1000, 'bye');
      await session.done;
      const responseKeys = [
        'type',
        'time',
        'tenant',
        'session',
        ...(model === undefined ? [] : ['model']),
        'response',
        'input_tokens',
        'output_tokens',
        'input_audio_seconds',
        'output_audio_seconds',
        'usd',
        'status',
        'estimated',
      ];
      expect(records.map((record) => [record.type, Object.keys(record)])).toEqual([
        ['usage.response', responseKeys],
        ['usage.response', responseKeys],
        [
          'usage.session',
          [
            'type',
            'time',
            'tenant',
            'session',
            ...(model === undefined ? [] : ['model']),
            'responses',
            'input_tokens',
            'output_tokens',
            'input_audio_seconds',
            'output_audio_seconds',
            'usd',
            'duration_ms',
            'close_code',
          ],
        ],
      ]);
      expect(records[1]).toMatchObject({
        response: 'resp_2',
        status: 'ended',
        estimated: true,
        output_audio_seconds: 0,
      });
      const logged = logs.filter((line) => line.msg.startsWith('usage.'));
      if (logLevel === 'warn') {
        // Below the logger's level: no line, and the sink has its records all the same.
        expect(logged).toEqual([]);
        continue;
      }
      // The log line is the record without its type (the message) and time (the line's own).
      expect(logged).toEqual(
        records.map(({ type, time: _time, ...fields }) => ({
          level: 'info',
          msg: type,
          ...fields,
        })),
      );
    }
  });

  it('holds the context the next response will read: the last response’s tokens come off what it may write', async () => {
    const { open } = relay({ tokens: { perMinute: 1000 } });
    const { client, upstream } = await open();
    client.deliver('{"type":"response.create","response":{"max_output_tokens":100}}');
    await tick();
    upstream.deliver(created('resp_1'));
    upstream.deliver(done('resp_1', usage(120, 30)));
    await tick();
    // 850 left; the next response reads about the 150 tokens of the last one: 700 to write.
    client.deliver('{"type":"response.create"}');
    await tick();
    expect(upstream.events().at(-1)).toEqual({
      type: 'response.create',
      response: { max_output_tokens: 700 },
    });
  });

  it('holds with a new session’s first response what the tenant’s last first response read, which no frame shows', async () => {
    const { open } = relay({ tokens: { perMinute: 1000 } });
    const first = await open();
    first.client.deliver('{"type":"response.create","response":{"max_output_tokens":100}}');
    await tick();
    // A first response holds no input yet: it may write the 100 it asked for.
    expect(first.upstream.events().at(-1)).toEqual({
      type: 'response.create',
      response: { max_output_tokens: 100 },
    });
    first.upstream.deliver(created('resp_1'));
    // The upstream's own instructions: 300 tokens the client never sent.
    first.upstream.deliver(done('resp_1', usage(300, 20)));
    await tick();
    // 680 left. A second session's first response expects to read those 300: 380 to write.
    const second = await open();
    second.client.deliver('{"type":"response.create","response":{"max_output_tokens":500}}');
    await tick();
    expect(second.upstream.events().at(-1)).toEqual({
      type: 'response.create',
      response: { max_output_tokens: 380 },
    });
  });

  it('bills a response that ended without usage for what it streamed', async () => {
    const { open, logs } = relay({ tokens: { perDay: 100_000 } });
    const { client, upstream } = await open();
    client.deliver('{"type":"response.create"}');
    await tick();
    upstream.deliver(created('resp_1'));
    const text = 'x'.repeat(400);
    for (let index = 0; index < 5; index++) {
      upstream.deliver(
        `{"type":"response.output_text.delta","event_id":"event_${index}","response_id":"resp_1","item_id":"item_1","output_index":0,"content_index":0,"delta":"${text}"}`,
      );
    }
    upstream.deliver(done('resp_1', null, 'cancelled'));
    await tick();
    const record = logs.find((line) => line.msg === 'usage.response');
    expect(record).toMatchObject({ status: 'cancelled', estimated: true, input_tokens: 0 });
    // Five deltas of about 400 bytes of text: about 500 tokens, not nothing.
    expect(record?.output_tokens).toBeGreaterThan(400);
    expect(record?.output_tokens).toBeLessThan(600);
  });

  it('ends a session that reached a cap when its response ends: the response, an error, then 1008', async () => {
    const { open } = relay({ tokens: { perMinute: 100 } });
    const { client, upstream, session } = await open();
    client.deliver('{"type":"response.create","response":{"max_output_tokens":50}}');
    await tick();
    upstream.deliver(created('resp_1'));
    upstream.deliver(done('resp_1', usage(80, 40)));
    expect(await session.done).toBe(1008);
    const types = client.events().map((event) => event.type);
    expect(types.slice(-2)).toEqual(['response.done', 'error']);
    expect(client.events().at(-1)).toMatchObject({ error: { code: 'quota_exceeded' } });
    expect(client.closedWith?.code).toBe(1008);
  });

  it('refuses a tenant at its session cap with 429 and Retry-After, and gives the slot back when a session ends', async () => {
    const { open, admit } = relay({ concurrentSessions: 2 });
    const first = await open();
    await open();
    const refused = await admit();
    expect(refused.ok).toBe(false);
    if (refused.ok) return;
    expect(refused.status).toBe(429);
    expect(refused.code).toBe('too_many_sessions');
    expect(Number(refused.reply.headers['retry-after'])).toBeGreaterThan(0);
    first.session.close(1000, 'bye');
    await first.session.done;
    await tick();
    expect((await admit()).ok).toBe(true);
  });

  it('refuses a tenant out of budget at admission, with the time to the window’s end', async () => {
    const { open, admit } = relay({ budget: { usd: 0.001, per: 'hour' } });
    const { client, upstream } = await open();
    client.deliver('{"type":"response.create","response":{"max_output_tokens":10}}');
    await tick();
    upstream.deliver(created('resp_1'));
    // 100 output tokens at $16 per million: $0.0016, past the $0.001 budget.
    upstream.deliver(done('resp_1', usage(0, 100)));
    await tick();
    const refused = await admit();
    expect(refused.ok).toBe(false);
    if (refused.ok) return;
    expect(refused.status).toBe(429);
    expect(refused.code).toBe('quota_exceeded');
    const retryAfter = Number(refused.reply.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(3600);
  });
});

/** `seconds` of silence in base64, at `bytesPerSecond`. */
const audio = (seconds: number, bytesPerSecond = 48_000) =>
  btoa('\0'.repeat(Math.round(seconds * bytesPerSecond)));

const audioDelta = (responseId: string, payload: string) =>
  `{"type":"response.output_audio.delta","event_id":"event_1","response_id":"${responseId}","item_id":"item_1","output_index":0,"content_index":0,"delta":"${payload}"}`;

describe('metering audio seconds', () => {
  it('counts the audio appended and sent, and ends the session past its audio cap at the response boundary', async () => {
    const { open, logs, admit } = relay({ audioSeconds: { perMinute: 2 } });
    const { client, upstream, session } = await open();
    client.deliver(`{"type":"input_audio_buffer.append","audio":"${audio(1.5)}"}`);
    client.deliver('{"type":"response.create"}');
    await tick();
    upstream.deliver(created('resp_1'));
    for (let index = 0; index < 10; index++) upstream.deliver(audioDelta('resp_1', audio(0.1)));
    upstream.deliver(done('resp_1', usage(10, 10)));
    expect(await session.done).toBe(1008);
    const record = logs.find((line) => line.msg === 'usage.response');
    expect(record?.input_audio_seconds).toBe(1.5);
    // Sizes are read from the frames, envelope estimated: within 2 % of the second sent.
    expect(record?.output_audio_seconds).toBeGreaterThan(0.98);
    expect(record?.output_audio_seconds).toBeLessThan(1.02);
    expect(client.events().at(-1)).toMatchObject({ error: { code: 'quota_exceeded' } });
    // Past the cap, the tenant is refused at admission until the minute is over.
    const refused = await admit();
    expect(!refused.ok && refused.status).toBe(429);
  });

  it('reads the audio format the upstream reports: a second of G.711 is 8000 bytes', async () => {
    const { open, logs } = relay({ audioSeconds: { input: { perDay: 3600 } } });
    const { client, upstream, session } = await open();
    upstream.deliver(
      JSON.stringify({
        type: 'session.updated',
        session: { type: 'realtime', audio: { input: { format: { type: 'audio/pcmu' } } } },
      }),
    );
    await tick();
    client.deliver(`{"type":"input_audio_buffer.append","audio":"${audio(2, 8000)}"}`);
    await tick();
    session.close(1000, 'bye');
    await session.done;
    expect(logs.find((line) => line.msg === 'usage.session')?.input_audio_seconds).toBe(2);
  });

  it('ends a session that spends an audio cap while no response runs, and refuses the tenant’s other sessions a response', async () => {
    const { open } = relay({ audioSeconds: { input: { perMinute: 1 } } });
    const a = await open();
    const b = await open();
    // Ten seconds appended: counted without waiting for a response, which ends the session.
    a.client.deliver(`{"type":"input_audio_buffer.append","audio":"${audio(10)}"}`);
    expect(await a.session.done).toBe(1008);
    expect(a.client.events().at(-1)).toMatchObject({ error: { code: 'quota_exceeded' } });
    b.client.deliver('{"type":"response.create","event_id":"event_9"}');
    await tick();
    expect(b.upstream.sent).toHaveLength(0);
    expect(b.client.events().at(-1)).toMatchObject({
      type: 'error',
      error: { code: 'quota_exceeded', event_id: 'event_9' },
    });
    expect(errorMessage(b.client.events().at(-1))).toMatch(/input audio limit per minute/);
  });
});

describe('the memory usage store', () => {
  it('counts in fixed UTC windows: a minute, an hour, a day, a calendar month', () => {
    const at = Date.UTC(2026, 11, 31, 23, 59, 30);
    expect(usageWindow('minute', at)).toMatchObject({
      key: 'minute:2026-12-31T23:59',
      endMs: Date.UTC(2027, 0, 1),
    });
    expect(usageWindow('hour', at).key).toBe('hour:2026-12-31T23');
    expect(usageWindow('day', at).key).toBe('day:2026-12-31');
    expect(usageWindow('month', at)).toMatchObject({
      key: 'month:2026-12',
      endMs: Date.UTC(2027, 0, 1),
    });
  });

  it('gives each instant the window that holds it, whatever was asked before (property)', () => {
    const instants = fc.array(
      fc.integer({ min: Date.UTC(2026, 0, 1), max: Date.UTC(2028, 0, 1) }),
      { minLength: 1, maxLength: 30 },
    );
    const kinds = fc.constantFrom('minute', 'hour', 'day', 'month' as const);
    fc.assert(
      fc.property(kinds, instants, (kind, times) => {
        // Asked in one order, then in the reverse: the remembered window never leaks.
        const forward = times.map((time) => usageWindow(kind, time));
        const backward = [...times]
          .reverse()
          .map((time) => usageWindow(kind, time))
          .reverse();
        expect(backward).toEqual(forward);
        for (const [index, window] of forward.entries()) {
          const time = times[index] as number;
          expect(time >= window.startMs && time < window.endMs).toBe(true);
          expect(window.key.startsWith(`${kind}:`)).toBe(true);
        }
      }),
    );
  });

  it('never grants past a cap, and settles to what was used (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 5_000 }),
        fc.array(
          fc.tuple(fc.integer({ min: 1, max: 2_000 }), fc.double({ min: 0, max: 1, noNaN: true })),
          {
            maxLength: 40,
          },
        ),
        async (cap, responses) => {
          const store = new MemoryUsageStore();
          const caps = tokensPerMinute(cap);
          const now = Date.UTC(2026, 0, 1, 0, 0, 1);
          let settled = 0;
          for (const [want, share] of responses) {
            const result = await store.reserve('t', caps, ask(want), now);
            if (!result.ok) {
              expect(settled).toBeGreaterThanOrEqual(cap);
              continue;
            }
            const granted = result.reservation.outputTokens;
            expect(granted).toBeLessThanOrEqual(want);
            expect(settled + granted).toBeLessThanOrEqual(cap);
            // A response uses at most what it was granted.
            const used = Math.floor(granted * share);
            settled += used;
            await store.settle(
              result.reservation,
              { ...NO_USAGE, tokens: used, outputTokens: used },
              caps,
              now,
            );
          }
          const after = await store.reserve('t', caps, ask(1_000_000), now);
          expect(after.ok ? after.reservation.outputTokens : 0).toBe(cap - settled);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('forgets a window once it has ended', async () => {
    const store = new MemoryUsageStore();
    const caps = tokensPerMinute(10);
    const now = Date.UTC(2026, 0, 1, 0, 0, 30);
    const first = await store.reserve('t', caps, ask(10), now);
    expect(first.ok).toBe(true);
    expect((await store.reserve('t', caps, ask(1), now)).ok).toBe(false);
    const next = await store.reserve('t', caps, ask(10), now + 60_000);
    expect(next.ok && next.reservation.outputTokens).toBe(10);
  });

  it('sweeps the counters of ended windows, so a long-lived relay does not grow a key a minute', async () => {
    const store = new MemoryUsageStore();
    const caps = tokensPerMinute(10);
    const start = Date.UTC(2026, 0, 1);
    for (let minute = 0; minute < 120; minute++) {
      const result = await store.reserve('t', caps, ask(5), start + minute * 60_000);
      if (result.ok)
        await store.settle(result.reservation, NO_USAGE, caps, start + minute * 60_000);
    }
    // Two hours of minutes, each with a counter: the ended ones are gone.
    expect(store.size).toBeLessThanOrEqual(2);
  });

  it('counts exactly over a day and more of minute windows, across midnight', async () => {
    // Counters are kept by window, then tenant: each minute's and each day's stay apart.
    const store = new MemoryUsageStore();
    const caps: MeterCap[] = [
      { meter: 'tokens', window: 'minute', limit: 10 },
      { meter: 'outputTokens', window: 'day', limit: 100_000 },
    ];
    const start = Date.UTC(2026, 0, 1, 23, 0, 30);
    let today = 0;
    for (let minute = 0; minute < 1_500; minute++) {
      const now = start + minute * 60_000;
      // Midnight: a new day's counter.
      if (minute === 60) today = 0;
      const reserved = await store.reserve('t', caps, ask(10), now);
      if (!reserved.ok) throw new Error(`refused at minute ${minute}`);
      // The minute's cap is held whole by the reservation.
      expect((await store.reserve('t', caps, ask(1), now)).ok).toBe(false);
      const used = { ...NO_USAGE, tokens: 3, outputTokens: 3 };
      await store.settle(reserved.reservation, used, caps, now);
      today += 3;
    }
    const end = start + 1_499 * 60_000;
    // The last minute has 7 of its 10 left, and the day what was not used.
    const left = await store.reserve('t', caps, ask(1_000_000), end);
    expect(left.ok && left.reservation.outputTokens).toBe(7);
    const day = await store.reserve(
      't',
      [{ meter: 'outputTokens', window: 'day', limit: 100_000 }],
      ask(1_000_000),
      end,
    );
    expect(day.ok && day.reservation.outputTokens).toBe(100_000 - today - 7);
  });

  it('keeps a counter for each cap and none for a meter no cap reads', async () => {
    const store = new MemoryUsageStore();
    const caps: MeterCap[] = [
      { meter: 'tokens', window: 'minute', limit: 1_000 },
      { meter: 'outputAudioMs', window: 'day', limit: 60_000 },
    ];
    const now = Date.UTC(2026, 0, 1, 0, 0, 30);
    const reserved = await store.reserve('t', caps, { ...ask(100), inputTokens: 20 }, now);
    if (!reserved.ok) throw new Error('refused');
    // The reservation holds tokens in the minute; nothing else has a cap it could count for.
    expect(store.size).toBe(1);
    const used = { ...NO_USAGE, tokens: 70, outputTokens: 50, inputTokens: 20 };
    await store.settle(
      reserved.reservation,
      { ...used, audioMs: 900, outputAudioMs: 900 },
      caps,
      now,
    );
    expect(store.size).toBe(2);
    // What the caps read is what was used.
    const left = await store.reserve('t', caps, ask(1_000), now);
    expect(left.ok && left.reservation.outputTokens).toBe(1_000 - 70);
    const spent = await store.settle(
      emptyReservation('t', caps, now),
      { ...NO_USAGE, audioMs: 59_100, outputAudioMs: 59_100 },
      caps,
      now,
    );
    expect(spent).toBe(true);
  });
});
