import type { AddressInfo } from 'node:net';
import { RealtimeAgent, RealtimeSession } from '@openai/agents-realtime';
import { ResponseWriter, ServerEvents } from '@rtwire/builders';
import type { DuplexSocket, UpstreamConnector } from '@rtwire/relay';
import { createSimulatorConnector } from '@rtwire/relay/engine';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import {
  createFakeRealtime,
  type FakeRealtime,
  type FakeRealtimeOptions,
} from '../../../test-support/fake-realtime.ts';
import { specErrors } from '../../../test-support/spec-validator.ts';
import { connectClient, eventually, startRelay, stopAll, type TestClient } from './helpers.ts';

afterEach(stopAll);

/** A Realtime-like upstream on loopback whose connections a test can kill or refuse. */
async function startKillableUpstream(
  optionsFor: (index: number) => FakeRealtimeOptions = () => ({}),
) {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const fakes: FakeRealtime[] = [];
  const sockets: import('ws').WebSocket[] = [];
  let refusing = false;
  let open = 0;
  server.on('connection', (socket) => {
    open++;
    socket.on('close', () => open--);
    if (refusing) {
      socket.terminate();
      return;
    }
    socket.on('error', () => {});
    const fake = createFakeRealtime(
      { ResponseWriter, ServerEvents },
      (text) => socket.send(text),
      optionsFor(fakes.length),
    );
    fakes.push(fake);
    sockets.push(socket);
    socket.on('message', (data) => fake.receive(data.toString()));
    socket.on('close', () => fake.stop());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `ws://127.0.0.1:${port}/v1/realtime`,
    fakes,
    /** Drops the newest connection without a close frame (the relay sees 1006). */
    kill: () => sockets.at(-1)?.terminate(),
    /** Sends `text` as it is on the newest connection, past what the fake would say. */
    sendRaw: (text: string) => sockets.at(-1)?.send(text),
    /** Connections open now (counted on the server: opened, not yet closed). */
    open: () => open,
    /** From now on every new connection is dropped at once. */
    refuse: () => {
      refusing = true;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of server.clients) client.terminate();
        server.close(() => resolve());
      }),
  };
}

const userText = (text: string) => ({
  type: 'conversation.item.create',
  item: { type: 'message', role: 'user', content: [{ type: 'input_text', text }] },
});

/** A text turn: the user's words, then a response; resolves with the reply's text. */
async function turn(client: TestClient, text: string): Promise<string> {
  const before = client.events.filter((event) => event.type === 'response.done').length;
  client.send(userText(text));
  client.send({ type: 'response.create' });
  await eventually(
    () => client.events.filter((event) => event.type === 'response.done').length > before,
    5000,
  );
  const done = client.events
    .filter((event) => event.type === 'response.done')
    .at(-1) as unknown as {
    response: { output: { content?: { text?: string; transcript?: string }[] }[] };
  };
  return done.response.output
    .flatMap((item) => item.content ?? [])
    .map((part) => part.text ?? part.transcript ?? '')
    .join('');
}

/** What must hold of every client stream: spec-valid, each replayed item added once, every response closed. */
function expectConsistent(client: TestClient) {
  expect(client.events.map((event) => specErrors(event)).filter(Boolean)).toEqual([]);
  const added = client.events
    .filter((event) => event.type === 'conversation.item.added')
    .map((event) => (event.item as { id: string }).id);
  expect(new Set(added).size).toBe(added.length);
  const created = client.events
    .filter((event) => event.type === 'response.created')
    .map((event) => (event.response as { id: string }).id);
  const done = client.events
    .filter((event) => event.type === 'response.done')
    .map((event) => (event.response as { id: string }).id);
  expect(done).toEqual(created);
}

/** A frame with an object `levels` deep where `"$deep"` is, as no serializer would write it. */
function deepFrame(event: unknown, levels: number): string {
  const deep = `${'{"a":'.repeat(levels - 1)}{"a":1}${'}'.repeat(levels - 1)}`;
  return JSON.stringify(event).replaceAll('"$deep"', deep);
}

const replayedIds = (fake: FakeRealtime | undefined) =>
  (fake?.received ?? [])
    .filter((event) => event.type === 'conversation.item.create')
    .map((event) => (event.item as { id?: string }).id);

describe('resume on a fake upstream that is killed', () => {
  it('while idle: the second upstream gets the configuration and the items with their ids, in order; the next turn has the whole history', async () => {
    const upstream = await startKillableUpstream();
    const relay = await startRelay({ UPSTREAM_URL: upstream.url });
    const client = await connectClient(`${relay.wsUrl}?model=gpt-realtime`);
    await client.waitFor((event) => event.type === 'session.created');
    client.send({
      type: 'session.update',
      session: { type: 'realtime', instructions: 'Be brief.' },
    });
    expect(await turn(client, 'my name is Ada')).toBe('I have 1 items; you said: my name is Ada');
    const before = upstream.fakes[0]?.items.map((item) => item.id);
    upstream.kill();
    await client.waitFor((event) => event.type === 'error');
    expect(client.events.at(-1)).toMatchObject({
      error: { type: 'server_error', code: 'upstream_reconnected' },
    });
    const second = upstream.fakes[1];
    await eventually(() => replayedIds(second).length === (before?.length ?? -1));
    expect(second?.received[0]).toMatchObject({
      type: 'session.update',
      session: { instructions: 'Be brief.' },
    });
    expect(replayedIds(second)).toEqual(before);
    expect(await turn(client, 'what is my name?')).toBe(
      'I have 3 items; you said: what is my name?',
    );
    expect(client.events.filter((event) => event.type === 'session.created')).toHaveLength(1);
    expectConsistent(client);
    expect(relay.metrics.resumes.get('resumed')).toBe(1);
  });

  for (const audio of [false, true]) {
    it(`mid-response (${audio ? 'audio' : 'text'}): the response ends failed, the next one works`, async () => {
      const upstream = await startKillableUpstream((index) =>
        index === 0 ? { audio, deltaDelayMs: 15 } : { audio },
      );
      const relay = await startRelay({ UPSTREAM_URL: upstream.url });
      const client = await connectClient(relay.wsUrl);
      await client.waitFor((event) => event.type === 'session.created');
      client.send(userText('tell me a long story'));
      client.send({ type: 'response.create' });
      await client.waitFor((event) => event.type.endsWith('.delta'));
      upstream.kill();
      const done = await client.waitFor((event) => event.type === 'response.done');
      expect(done).toMatchObject({
        response: { status: 'failed', status_details: { error: { code: 'upstream_lost' } } },
      });
      await client.waitFor((event) => event.type === 'error');
      // The user's words survived; the half-said answer did not.
      await eventually(() => replayedIds(upstream.fakes[1]).length === 1);
      expect(await turn(client, 'again')).toBe('I have 2 items; you said: again');
      expectConsistent(client);
    });
  }

  it('mid input audio: the uncommitted audio is reported lost, committed audio replays as its transcript', async () => {
    const upstream = await startKillableUpstream();
    const relay = await startRelay({ UPSTREAM_URL: upstream.url });
    const client = await connectClient(relay.wsUrl);
    await client.waitFor((event) => event.type === 'session.created');
    client.send({ type: 'input_audio_buffer.append', audio: 'AAAAAAAA' });
    client.send({ type: 'input_audio_buffer.commit' });
    await client.waitFor((event) => event.type === 'conversation.item.done');
    client.send({ type: 'input_audio_buffer.append', audio: 'BBBBBBBB' });
    await eventually(() => (upstream.fakes[0]?.received.length ?? 0) === 3);
    upstream.kill();
    const lost = await client.waitFor(
      (event) =>
        event.type === 'error' && (event.error as { code: string }).code === 'input_audio_lost',
    );
    expect(lost).toBeDefined();
    await client.waitFor(
      (event) =>
        event.type === 'error' && (event.error as { code: string }).code === 'upstream_reconnected',
    );
    await eventually(() => replayedIds(upstream.fakes[1]).length === 1);
    const replayed = upstream.fakes[1]?.received.find(
      (event) => event.type === 'conversation.item.create',
    );
    expect(replayed?.item).toMatchObject({
      role: 'user',
      content: [{ type: 'input_text', text: '8 audio chars' }],
    });
    expectConsistent(client);
  });

  it('twice in a row', async () => {
    const upstream = await startKillableUpstream();
    const relay = await startRelay({ UPSTREAM_URL: upstream.url });
    const client = await connectClient(relay.wsUrl);
    await client.waitFor((event) => event.type === 'session.created');
    await turn(client, 'one');
    upstream.kill();
    await eventually(
      () => upstream.fakes.length === 2 && replayedIds(upstream.fakes[1]).length === 2,
    );
    upstream.kill();
    await eventually(
      () => upstream.fakes.length === 3 && replayedIds(upstream.fakes[2]).length === 2,
    );
    expect(replayedIds(upstream.fakes[2])).toEqual(replayedIds(upstream.fakes[1]));
    expect(await turn(client, 'two')).toBe('I have 3 items; you said: two');
    expect(
      client.events
        .filter((event) => event.type === 'error')
        .map((event) => (event.error as { code: string }).code),
    ).toEqual(['upstream_reconnected', 'upstream_reconnected']);
    expectConsistent(client);
  });

  it('when every reconnect fails: an error event and a 1011 close', async () => {
    const upstream = await startKillableUpstream();
    const relay = await startRelay({ UPSTREAM_URL: upstream.url, RESUME_WINDOW_MS: '1000' });
    const client = await connectClient(relay.wsUrl);
    await client.waitFor((event) => event.type === 'session.created');
    upstream.refuse();
    upstream.kill();
    const closed = await client.closed;
    expect(closed.code).toBe(1011);
    expect(client.events.at(-1)).toMatchObject({ error: { code: 'upstream_closed' } });
    // The relay's own log says which way the resume went, should this ever not hold.
    const resumeLog = relay.logs.filter((line) => /resume|upstream/.test(line)).join('\n');
    expect(relay.metrics.resumes.get('failed'), resumeLog).toBe(1);
  });

  it('an upstream that echoes a session too deep to replay: 5 sessions end 1011 and leave no upstream connection open', async () => {
    const upstream = await startKillableUpstream();
    const relay = await startRelay({ UPSTREAM_URL: upstream.url });
    const deep = deepFrame(
      {
        type: 'session.updated',
        event_id: 'deep',
        session: {
          type: 'realtime',
          tools: [{ type: 'function', name: 'f', parameters: '$deep' }],
        },
      },
      4500,
    );
    for (let session = 0; session < 5; session++) {
      const client = await connectClient(relay.wsUrl);
      await client.waitFor((event) => event.type === 'session.created');
      upstream.sendRaw(deep);
      await client.waitFor((event) => event.type === 'session.updated');
      upstream.kill();
      expect((await client.closed).code).toBe(1011);
    }
    await eventually(() => relay.activeSessions === 0 && upstream.open() === 0);
    expect(upstream.open()).toBe(0);
    expect(relay.logs.join('\n')).not.toContain('{"a":{"a"');
  });

  it('rolls over before expires_at with the conversation replayed, the client noticing nothing', async () => {
    // The relay rolls over a minute before expires_at: here, one to two seconds in.
    const upstream = await startKillableUpstream((index) =>
      index === 0 ? { expiresInSeconds: 62 } : {},
    );
    const relay = await startRelay({ UPSTREAM_URL: upstream.url });
    const client = await connectClient(relay.wsUrl);
    await client.waitFor((event) => event.type === 'session.created');
    await turn(client, 'before the rollover');
    await eventually(
      () => upstream.fakes.length === 2 && replayedIds(upstream.fakes[1]).length === 2,
      8000,
    );
    expect(await turn(client, 'after the rollover')).toBe(
      'I have 3 items; you said: after the rollover',
    );
    expect(client.events.map((event) => event.type)).not.toContain('error');
    expect(client.events.filter((event) => event.type === 'session.created')).toHaveLength(1);
    expectConsistent(client);
    expect(relay.metrics.resumes.get('rolled_over')).toBe(1);
  });
});

describe('resume on the simulator', () => {
  /** The simulator, with a hook that drops its current connection as a network failure would. */
  function killableSimulator() {
    const simulator = createSimulatorConnector({ pace: 'fast', frames: 'bytes' });
    let kill: () => void = () => {};
    const connect: UpstreamConnector = async (request) => {
      const socket = await simulator(request);
      let closeHandler: (code: number, reason: string) => void = () => {};
      const wrapped: DuplexSocket = {
        send: (data, binary) => socket.send(data, binary),
        close: (code, reason) => socket.close(code, reason),
        get bufferedAmount() {
          return socket.bufferedAmount;
        },
        listen: (handlers) => {
          closeHandler = handlers.close;
          socket.listen(handlers);
        },
      };
      kill = () => {
        socket.close(1000, 'killed by the test');
        closeHandler(1006, '');
      };
      return wrapped;
    };
    return { connect, kill: () => kill() };
  }

  it("@openai/agents-realtime's history is intact after a drop, and its next turn uses it", async () => {
    const simulator = killableSimulator();
    const relay = await startRelay({}, simulator.connect);
    const agent = new RealtimeAgent({ name: 'Assistant', instructions: 'Be brief.' });
    const session = new RealtimeSession(agent, {
      transport: 'websocket',
      model: 'gpt-realtime',
      config: { outputModalities: ['text'] },
    });
    const answers: string[] = [];
    const errors: unknown[] = [];
    session.on('agent_end', (_context, _agent, text) => answers.push(text));
    session.on('error', (error) => errors.push(error));
    await session.connect({ apiKey: 'unused', url: `${relay.wsUrl}?model=gpt-realtime` });
    session.sendMessage('my name is Ada');
    await eventually(() => answers.length === 1);
    const history = session.history.map((item) => item.itemId);
    simulator.kill();
    await eventually(() => relay.metrics.resumes.get('resumed') === 1);
    session.sendMessage('what did I say before?');
    await eventually(() => answers.length === 2);
    session.close();
    expect(answers).toEqual([
      'You said: my name is Ada',
      'Before, you said: my name is Ada (the conversation has 3 items).',
    ]);
    expect(session.history.map((item) => item.itemId).slice(0, history.length)).toEqual(history);
    // The SDK reports the relay's notice as an error event; nothing else went wrong.
    expect(errors.map((error) => JSON.stringify(error))).toEqual([
      expect.stringContaining('upstream_reconnected'),
    ]);
  });
});
