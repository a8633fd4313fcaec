import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import { type RedisServer, startRedisServer } from '../../../test-support/redis-server.ts';
import { connectClient, startFakeUpstream, stopAll, type TestClient } from './helpers.ts';
import { type SpawnedRelay, spawnRelay } from './spawn-relay.ts';

// A soak of 50 metered sessions on one relay process, on a real Redis, in front of an upstream
// that streams audio and reports usage: responses completed, cancelled by the client half way,
// and abandoned (the client gone before `response.done`). Every response the upstream finished
// gets a usage record equal to its `response.done`; an abandoned one is billed for what it
// streamed.

const SESSIONS = 50;
const TURNS = 6;
/** A delta of 100 ms of PCM16 at 24 kHz. */
const DELTA = Buffer.alloc(4_800, 7).toString('base64');
const DELTAS_PER_RESPONSE = 12;
/** A response the client will cancel or abandon stops this many deltas in and waits for it. */
const HELD_AFTER = 6;
const TOKENS_PER_DELTA = 10;
const INPUT = 40;

/** What the upstream reported in each `response.done`, and how many deltas each response sent. */
const reported = new Map<string, { input: number; output: number; status: string }>();
const streamed = new Map<string, number>();

/**
 * Streams each response's deltas a few ms apart; a cancel ends it with what was sent. A response
 * asked with `metadata.hold` (one the client will cancel or abandon) stops after
 * {@link HELD_AFTER} deltas and waits, so a busy machine cannot let it finish first.
 */
function streamingUpstream(socket: WebSocket, connection: number) {
  let sequence = 0;
  let current:
    | { id: string; sent: number; hold: boolean; timer: ReturnType<typeof setInterval> }
    | undefined;
  const finish = (status: 'completed' | 'cancelled') => {
    if (current === undefined) return;
    clearInterval(current.timer);
    const { id, sent } = current;
    current = undefined;
    const output = sent * TOKENS_PER_DELTA;
    reported.set(id, { input: INPUT, output, status });
    socket.send(
      JSON.stringify({
        type: 'response.done',
        response: {
          id,
          status,
          output: [],
          usage: {
            total_tokens: INPUT + output,
            input_tokens: INPUT,
            output_tokens: output,
            input_token_details: { text_tokens: INPUT, audio_tokens: 0, cached_tokens: 0 },
            output_token_details: { text_tokens: 0, audio_tokens: output },
          },
        },
      }),
    );
  };
  socket.on('message', (data) => {
    const event = JSON.parse(data.toString()) as {
      type: string;
      response?: { metadata?: Record<string, string> };
    };
    if (event.type === 'response.cancel') finish('cancelled');
    if (event.type !== 'response.create' || current !== undefined) return;
    const id = `resp_${connection}_${++sequence}`;
    socket.send(
      JSON.stringify({ type: 'response.created', response: { id, status: 'in_progress' } }),
    );
    const timer = setInterval(() => {
      if (current === undefined || (current.hold && current.sent === HELD_AFTER)) return;
      current.sent++;
      streamed.set(id, current.sent);
      socket.send(
        JSON.stringify({
          type: 'response.output_audio.delta',
          response_id: id,
          item_id: `item_${id}`,
          output_index: 0,
          content_index: 0,
          delta: DELTA,
        }),
      );
      if (current.sent === DELTAS_PER_RESPONSE) finish('completed');
    }, 3);
    current = { id, sent: 0, hold: event.response?.metadata?.hold === 'yes', timer };
  });
  socket.on('close', () => {
    if (current !== undefined) clearInterval(current.timer);
  });
}

let redis: RedisServer;
let relay: SpawnedRelay;

beforeAll(async () => {
  redis = await startRedisServer();
  const upstream = await startFakeUpstream(streamingUpstream);
  relay = await spawnRelay({
    UPSTREAM_URL: upstream.url,
    REDIS_URL: redis.url,
    RELAY_TOKENS: 'acme:tok_acme',
    RELAY_POLICY: JSON.stringify({
      tenants: { acme: { limits: { tokens: { perDay: 100_000_000 } } } },
    }),
    RESUME: 'off',
    RATE_LIMIT_PER_SECOND: '0',
  });
}, 60_000);

afterAll(async () => {
  relay?.child.kill('SIGKILL');
  await stopAll();
  await redis?.stop();
});

function logLines(): { msg: string; [key: string]: unknown }[] {
  return relay.output
    .join('')
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line));
}

type Turn = 'complete' | 'cancel' | 'abandon';

/** Session `index`'s turns: every other one cancelled half way, every fifth session abandons its last. */
function turnsOf(index: number): Turn[] {
  return Array.from({ length: TURNS }, (_, turn) => {
    if (turn === TURNS - 1 && index % 5 === 0) return 'abandon';
    return turn % 2 === 1 ? 'cancel' : 'complete';
  });
}

/** Runs one session's turns; the ids of the responses it saw end, and the one it abandoned. */
async function run(client: TestClient, turns: Turn[]) {
  const done: string[] = [];
  let abandoned: string | undefined;
  for (const turn of turns) {
    const seen = client.events.length;
    const after = (type: string) => (event: { type: string }) =>
      client.events.indexOf(event) >= seen && event.type === type;
    client.send({
      type: 'response.create',
      response: turn === 'complete' ? {} : { metadata: { hold: 'yes' } },
    });
    if (turn !== 'complete') {
      // Half way: three deltas in.
      await client.waitFor(
        (event) =>
          client.events.indexOf(event) >= seen &&
          event.type === 'response.output_audio.delta' &&
          client.events.slice(seen).filter((each) => each.type === event.type).length >= 3,
        20_000,
      );
    }
    if (turn === 'abandon') {
      const created = client.events.slice(seen).find((event) => event.type === 'response.created');
      abandoned = (created?.response as { id?: string } | undefined)?.id;
      client.ws.terminate();
      break;
    }
    if (turn === 'cancel') client.send({ type: 'response.cancel' });
    const end = await client.waitFor(after('response.done'), 20_000);
    done.push((end.response as { id: string }).id);
  }
  return { done, abandoned };
}

describe('a soak of 50 metered sessions on one relay and Redis', () => {
  it('records every response as its response.done says, cancelled ones included, and bills abandoned ones for what streamed', async () => {
    const url = `${relay.url.replace(/^http/, 'ws')}/v1/realtime`;
    const clients = await Promise.all(
      Array.from({ length: SESSIONS }, () =>
        connectClient(url, { headers: { authorization: 'Bearer tok_acme' } }),
      ),
    );
    const results = await Promise.all(clients.map((client, index) => run(client, turnsOf(index))));
    for (const client of clients) client.ws.close();
    const deadline = Date.now() + 30_000;
    while (logLines().filter((line) => line.msg === 'usage.session').length < SESSIONS) {
      if (Date.now() > deadline) throw new Error('not every session logged its usage');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const records = new Map(
      logLines()
        .filter((line) => line.msg === 'usage.response')
        .map((line) => [String(line.response), line]),
    );
    const finished = results.flatMap((result) => result.done);
    const abandoned = results.flatMap((result) => (result.abandoned ? [result.abandoned] : []));
    expect(finished.length).toBe(SESSIONS * TURNS - abandoned.length);
    expect(abandoned.length).toBe(SESSIONS / 5);

    let cancelled = 0;
    for (const id of finished) {
      const upstream = reported.get(id);
      const record = records.get(id);
      expect(record, id).toBeDefined();
      expect(record).toMatchObject({
        tenant: 'acme',
        status: upstream?.status,
        estimated: false,
        input_tokens: upstream?.input,
        output_tokens: upstream?.output,
        // Audio seconds are counted from the deltas the relay passed on, 100 ms each.
        output_audio_seconds: ((streamed.get(id) ?? 0) * 100) / 1000,
      });
      if (upstream?.status === 'cancelled') cancelled++;
    }
    // Every cancel took: billed for what streamed, 3 to 6 of 12 deltas.
    const cancels = Array.from({ length: SESSIONS }, (_, index) => turnsOf(index)).flat();
    expect(cancelled).toBe(cancels.filter((turn) => turn === 'cancel').length);
    for (const id of abandoned) {
      const record = records.get(id);
      expect(record, id).toMatchObject({ tenant: 'acme', status: 'ended', estimated: true });
      // The client left three deltas in; the relay bills what it passed on before its session
      // ended: at least those three, at most what the upstream sent (100 ms each).
      expect(Number(record?.output_audio_seconds)).toBeGreaterThanOrEqual(0.3);
      expect(Number(record?.output_audio_seconds)).toBeLessThanOrEqual(
        ((streamed.get(id) ?? 0) * 100) / 1000,
      );
      expect(Number(record?.output_tokens)).toBeGreaterThan(0);
    }
    // The per-session records add up to the per-response ones.
    const sessions = logLines().filter((line) => line.msg === 'usage.session');
    const sum = (lines: { [key: string]: unknown }[], field: string) =>
      lines.reduce((total, line) => total + Number(line[field]), 0);
    const responses = [...records.values()];
    expect(sum(sessions, 'responses')).toBe(responses.length);
    expect(sum(sessions, 'output_tokens')).toBe(sum(responses, 'output_tokens'));
    expect(sum(sessions, 'input_tokens')).toBe(sum(responses, 'input_tokens'));
    console.log(
      `soak: ${finished.length} responses recorded as reported (${cancelled} cancelled), ${abandoned.length} abandoned billed ${sum(
        abandoned.map((id) => records.get(id) ?? {}),
        'output_tokens',
      )} estimated tokens`,
    );
  }, 120_000);
});
