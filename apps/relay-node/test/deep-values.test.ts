// Values of any depth (to 100,000 levels), width and size in every field path of every client
// event, through a relay process in each of its modes: the engine on its simulator, the engine
// on the cascade (a fake model server), and a relay with a policy in front of a Realtime
// upstream that echoes what it is sent. The process must never die, every frame must get its
// normal answer or one `error` event, and the session must go on.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { type RawData, type WebSocket, WebSocketServer } from 'ws';
import {
  type DeepValueRecipe,
  deepValueText,
  type FieldPath,
  fieldPaths,
  frameWith,
  RICH_CLIENT_EVENTS,
  stringifyDeep,
} from '../../../test-support/deep-values.ts';
import { startFakeBackend, toolAwareChat } from '../../../test-support/fake-openai-backend.ts';
import { scenarioPolicy } from '../../../test-support/policy-scenarios.ts';
import { startToolServer } from '../../../test-support/tool-server.ts';
import { connectClient, delay, stopAll, type TestClient } from './helpers.ts';
import { type SpawnedRelay, spawnRelay } from './spawn-relay.ts';

/** The decoders' bound: the frame object is level 1. */
const MAX_NESTING = 128;
/** Cases run at once against one relay: enough to overlap, few enough for a 2-core machine. */
const CONCURRENCY = 4;

const dir = mkdtempSync(join(tmpdir(), 'rtwire-deep-'));
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  await stopAll();
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Case {
  readonly eventType: string;
  readonly path: FieldPath;
  readonly recipe: DeepValueRecipe;
}

/** Every path of every event at three depths: the last accepted level, one past it, and far. */
function boundaryCases(seed: number): Case[] {
  const cases: Case[] = [];
  let far = seed;
  for (const [eventType, template] of Object.entries(RICH_CLIENT_EVENTS)) {
    for (const path of fieldPaths(template)) {
      const room = MAX_NESTING - path.containerDepth;
      far = (far * 1_103_515_245 + 12_345) % 2 ** 31;
      for (const depth of [room, room + 1, 1_000 + (far % 99_001)]) {
        cases.push({
          eventType,
          path,
          recipe: { depth, width: 1, leafLength: 8, objectFirst: true },
        });
      }
    }
  }
  return cases;
}

/** Random paths with random depth (to 100,000), width and leaf size. */
const randomCase: fc.Arbitrary<Case> = fc
  .constantFrom(...Object.keys(RICH_CLIENT_EVENTS))
  .chain((eventType) =>
    fc.record({
      eventType: fc.constant(eventType),
      path: fc.constantFrom(...fieldPaths(RICH_CLIENT_EVENTS[eventType])),
      recipe: fc.record({
        depth: fc.oneof(fc.integer({ min: 0, max: 140 }), fc.integer({ min: 141, max: 100_000 })),
        width: fc.integer({ min: 0, max: 3 }),
        leafLength: fc.oneof(
          fc.integer({ min: 0, max: 64 }),
          fc.integer({ min: 65, max: 200_000 }),
        ),
        objectFirst: fc.boolean(),
      }),
    }),
  );

interface Outcome {
  /** `error` events answering the frame (carrying its event_id). */
  readonly errors: number;
  /** Whether the probe sent after it was answered: the session went on. */
  readonly probeAnswered: boolean;
}

let sequence = 0;

/**
 * Sends one hostile frame on a fresh session, then a probe (a retrieve of an item that does
 * not exist, which every mode answers with an `error` carrying the probe's id), and counts
 * what answered the frame once the probe's answer is in.
 */
async function run(wsUrl: string, testCase: Case): Promise<Outcome> {
  const id = `evt_deep_${++sequence}`;
  const probe = `evt_probe_${sequence}`;
  const client: TestClient = await connectClient(wsUrl);
  try {
    await client.waitFor((event) => event.type === 'session.created', 15_000);
    const template = RICH_CLIENT_EVENTS[testCase.eventType]!;
    client.send(frameWith(template, testCase.path, deepValueText(testCase.recipe), id));
    client.send({ type: 'conversation.item.retrieve', event_id: probe, item_id: 'item_probe' });
    const answered = await Promise.race([
      client.waitFor((event) => event.type === 'error' && eventIdOf(event) === probe, 15_000),
      client.closed,
    ]);
    return {
      errors: client.events.filter((event) => event.type === 'error' && eventIdOf(event) === id)
        .length,
      probeAnswered: (answered as { type?: string }).type === 'error',
    };
  } finally {
    client.ws.terminate();
  }
}

const eventIdOf = (event: Record<string, unknown>) =>
  (event.error as { event_id?: unknown } | undefined)?.event_id;

const describeCase = ({ eventType, path, recipe }: Case) =>
  `${eventType} /${path.segments.join('/')} depth ${recipe.depth} width ${recipe.width} leaf ${recipe.leafLength}`;

/** Runs every case against one relay, a few at a time; returns the failures, described. */
async function runAll(
  relay: SpawnedRelay,
  cases: readonly Case[],
  { refusedPastLimit }: { refusedPastLimit: boolean },
): Promise<string[]> {
  const wsUrl = `${relay.url.replace(/^http/, 'ws')}/v1/realtime`;
  const failures: string[] = [];
  let next = 0;
  const worker = async () => {
    while (next < cases.length) {
      const testCase = cases[next++]!;
      const outcome = await run(wsUrl, testCase).catch(async (error: unknown) => {
        const exit = await Promise.race([relay.exited, delay(1000).then(() => undefined)]);
        if (exit === undefined) throw error;
        throw new Error(
          `the relay process exited (${exit.code ?? exit.signal}) while running ${describeCase(testCase)} (or a case beside it)`,
        );
      });
      const total = testCase.path.containerDepth + testCase.recipe.depth;
      const expectedErrors =
        refusedPastLimit && total > MAX_NESTING ? 'exactly one' : 'at most one';
      const bad =
        !outcome.probeAnswered ||
        outcome.errors > 1 ||
        (expectedErrors === 'exactly one' && outcome.errors !== 1);
      if (bad) {
        failures.push(
          `${describeCase(testCase)}: ${outcome.errors} errors (expected ${expectedErrors}), probe ${outcome.probeAnswered ? 'answered' : 'unanswered'}`,
        );
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return failures;
}

/** The relay is still up, never overflowed its stack, and a fresh session completes a turn. */
async function expectAlive(relay: SpawnedRelay): Promise<void> {
  const exited = await Promise.race([relay.exited, Promise.resolve(undefined)]);
  expect(exited).toBeUndefined();
  const output = relay.output.join('');
  expect(output).not.toMatch(/Maximum call stack|RangeError|uncaught/i);
  const client = await connectClient(`${relay.url.replace(/^http/, 'ws')}/v1/realtime`);
  await client.waitFor((event) => event.type === 'session.created');
  client.send({
    type: 'conversation.item.create',
    item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'hello' }] },
  });
  client.send({ type: 'response.create', response: { output_modalities: ['text'] } });
  const done = await client.waitFor((event) => event.type === 'response.done', 15_000);
  expect((done.response as { status: string }).status).toBe('completed');
}

async function spawnWith(env: Record<string, string>): Promise<SpawnedRelay> {
  const relay = await spawnRelay({ SIM_PACE: 'fast', ...env });
  cleanups.push(async () => {
    relay.child.kill('SIGKILL');
    await relay.exited;
  });
  return relay;
}

/**
 * A Realtime upstream that answers every client event and echoes items and responses whole,
 * however deep (with a writer that does not recurse), so the relay's own reading of what the
 * upstream sends is tried too.
 */
async function startEchoUpstream(): Promise<string> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  server.on('connection', (socket: WebSocket) => {
    let next = 0;
    const items = new Map<string, unknown>();
    const send = (event: Record<string, unknown>) =>
      socket.send(stringifyDeep({ event_id: `up_${++next}`, ...event }));
    const refuse = (eventId: unknown, code: string) =>
      send({
        type: 'error',
        error: {
          type: 'invalid_request_error',
          code,
          message: code,
          param: null,
          event_id: eventId ?? null,
        },
      });
    socket.on('error', () => {});
    send({
      type: 'session.created',
      session: { type: 'realtime', object: 'realtime.session', id: 'sess_up' },
    });
    socket.on('message', (data: RawData) => {
      let frame: Record<string, unknown>;
      try {
        frame = JSON.parse(data.toString());
      } catch {
        return refuse(null, 'invalid_json');
      }
      const eventId = frame.event_id;
      switch (frame.type) {
        case 'session.update':
          return send({ type: 'session.updated', session: frame.session });
        case 'conversation.item.create': {
          const itemId = `item_up_${++next}`;
          // The upstream adds a field of its own, deeper than any decoder takes: what the
          // relay reads of upstream frames (to keep the conversation for a resume) must cope.
          const item = {
            ...(frame.item as object),
            id: itemId,
            status: 'completed',
            x_up: UPSTREAM_DEEP,
          };
          items.set(itemId, item);
          send({ type: 'conversation.item.added', previous_item_id: null, item });
          return send({ type: 'conversation.item.done', previous_item_id: null, item });
        }
        case 'conversation.item.retrieve': {
          const item = items.get(String(frame.item_id));
          if (item === undefined) return refuse(eventId, 'item_not_found');
          return send({ type: 'conversation.item.retrieved', item });
        }
        case 'response.create': {
          const response = {
            object: 'realtime.response',
            id: `resp_up_${++next}`,
            status: 'completed',
            output: [],
            metadata: (frame.response as { metadata?: unknown } | undefined)?.metadata ?? null,
          };
          send({ type: 'response.created', response: { ...response, status: 'in_progress' } });
          return send({ type: 'response.done', response });
        }
        case 'input_audio_buffer.append':
          return;
        case 'input_audio_buffer.clear':
          return send({ type: 'input_audio_buffer.cleared' });
        default:
          return refuse(eventId, 'not_handled_here');
      }
    });
  });
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        for (const socket of server.clients) socket.terminate();
        server.close(() => resolve());
      }),
  );
  const { port } = server.address() as { port: number };
  return `ws://127.0.0.1:${port}/v1/realtime`;
}

/** 5,000 levels: past every stack-bound copy (structuredClone, JSON.stringify) there is. */
const UPSTREAM_DEEP = JSON.parse(
  deepValueText({ depth: 5_000, width: 0, leafLength: 1, objectFirst: true }),
) as unknown;

const RANDOM_RUNS = 60;
const cases = (seed: number) => [
  ...boundaryCases(seed),
  ...fc.sample(randomCase, { numRuns: RANDOM_RUNS, seed }),
];

describe('hostile depth, width and size in every field of every client event', () => {
  // A few hundred sessions per mode: minutes on a busy 2-core machine, never a hang.
  const LONG = 600_000;

  it('the engine on its simulator: one error past the bound, the normal answer within it', {
    timeout: LONG,
  }, async () => {
    const relay = await spawnWith({});
    expect(await runAll(relay, cases(1), { refusedPastLimit: true })).toEqual([]);
    await expectAlive(relay);
  });

  it('the engine on the cascade over a model server', { timeout: LONG }, async () => {
    const backend = await startFakeBackend({ chat: toolAwareChat });
    cleanups.push(() => backend.close());
    const relay = await spawnWith({ MODEL_BASE_URL: backend.baseURL, CHAT_MODEL: 'llama3.2' });
    expect(await runAll(relay, cases(2), { refusedPastLimit: true })).toEqual([]);
    await expectAlive(relay);
  });

  it('a relay with a policy in front of an upstream that echoes whatever it is sent', {
    timeout: LONG,
  }, async () => {
    const tools = await startToolServer();
    cleanups.push(() => tools.close());
    const policyFile = join(dir, 'policy.json');
    writeFileSync(policyFile, JSON.stringify(scenarioPolicy(tools.url)));
    const upstreamUrl = await startEchoUpstream();
    const relay = await spawnWith({
      UPSTREAM_URL: upstreamUrl,
      OPENAI_API_KEY: 'sk-upstream-test',
      RELAY_POLICY: policyFile,
    });
    // What the relay forwards unread reaches the upstream, which answers it: at most one error.
    expect(await runAll(relay, cases(3), { refusedPastLimit: false })).toEqual([]);
    const exited = await Promise.race([relay.exited, Promise.resolve(undefined)]);
    expect(exited).toBeUndefined();
    expect(relay.output.join('')).not.toMatch(/Maximum call stack|RangeError|uncaught/i);
  });
});
