import type { AddressInfo } from 'node:net';
import { createWsDuplexSocket } from '@rtwire/node';
import type { UpstreamConnector } from '@rtwire/relay';
import { createSimulatorConnector } from '@rtwire/relay/engine';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import {
  connectClient,
  startFakeUpstream,
  startRelay,
  stopAll,
  type TestClient,
} from './helpers.ts';
import { spawnRelay } from './spawn-relay.ts';

afterEach(stopAll);

/** What reached the process itself: each is a fault that got past a session's boundary. */
const escaped: unknown[] = [];
const onEscape = (error: unknown) => escaped.push(error);
beforeEach(() => {
  escaped.length = 0;
  process.on('uncaughtException', onEscape);
  process.on('unhandledRejection', onEscape);
  return () => {
    process.off('uncaughtException', onEscape);
    process.off('unhandledRejection', onEscape);
  };
});

/** A text turn: the item, the response, and every event up to `response.done`. */
async function holdTextTurn(client: TestClient, text: string) {
  client.send({
    type: 'conversation.item.create',
    item: { type: 'message', role: 'user', content: [{ type: 'input_text', text }] },
  });
  client.send({ type: 'response.create', response: { output_modalities: ['text'] } });
  return client.waitFor((event) => event.type === 'response.done', 10_000);
}

describe('one session whose handling throws', () => {
  it('ends with 1011 and a log line; the process and another session carry on (in process)', async () => {
    const simulator = createSimulatorConnector({ pace: 'fast' });
    let sessions = 0;
    // The first session's engine has a bug: it throws from receive on a response.create.
    const connectUpstream: UpstreamConnector = async (request) => {
      const socket = await simulator(request);
      if (sessions++ > 0) return socket;
      const send = socket.send.bind(socket);
      return Object.assign(socket, {
        send(data: string | Uint8Array, binary: boolean) {
          if (String(data).includes('response.create')) {
            throw new RangeError('Maximum call stack size exceeded');
          }
          send(data, binary);
        },
      });
    };
    const relay = await startRelay({}, connectUpstream);
    const broken = await connectClient(relay.wsUrl);
    const healthy = await connectClient(relay.wsUrl);
    await broken.waitFor((event) => event.type === 'session.created');
    broken.send({ type: 'response.create', event_id: 'evt_secret_words' });
    expect((await broken.closed).code).toBe(1011);
    expect(broken.events.at(-1)).toMatchObject({
      type: 'error',
      error: { type: 'server_error', code: 'internal_error' },
    });

    const done = await holdTextTurn(healthy, 'hello there');
    expect(done).toMatchObject({ response: { status: 'completed' } });
    expect(healthy.events.filter((event) => event.type === 'error')).toEqual([]);
    expect(relay.activeSessions).toBe(1);
    expect(escaped).toEqual([]);

    const faults = relay.logs.filter((line) => line.includes('session.fault'));
    expect(faults).toHaveLength(1);
    expect(JSON.parse(faults[0] as string)).toMatchObject({
      level: 'error',
      where: 'upstream.send',
      error: 'RangeError',
    });
    expect(relay.logs.join('\n')).not.toContain('Maximum call stack');
  });

  it('never takes a spawned relay down: a send that throws, an item nested 100,000 deep', async () => {
    let deep = '"x"';
    for (let level = 0; level < 100_000; level++) deep = `[${deep}]`;
    const upstream = await startFakeUpstream((socket, index) => {
      socket.on('message', (data) => {
        const event = JSON.parse(data.toString()) as { type: string };
        if (event.type !== 'response.create') return;
        if (index === 0) {
          // An item echoed back nested far deeper than any client frame may be.
          socket.send(
            `{"type":"conversation.item.done","event_id":"u1","item":{"id":"item_deep","type":"message","role":"user","content":${deep}}}`,
          );
          return;
        }
        socket.send('{"type":"response.created","event_id":"u2","response":{"id":"resp_1"}}');
        socket.send(
          '{"type":"response.output_text.delta","event_id":"u3","response_id":"resp_1","item_id":"item_1","output_index":0,"content_index":0,"delta":"hi"}',
        );
        socket.send(
          '{"type":"response.done","event_id":"u4","response":{"id":"resp_1","status":"completed","output":[]}}',
        );
      });
    });
    const relay = await spawnRelay(
      { UPSTREAM_URL: upstream.url },
      { nodeFlags: ['--import', './test/fixtures/fault-ws-send-throws.mjs'] },
    );
    try {
      const wsUrl = `${relay.url.replace(/^http/, 'ws')}/v1/realtime`;
      const deepItem = await connectClient(wsUrl);
      await deepItem.waitFor((event) => event.type === 'session.created');
      deepItem.send({ type: 'response.create' });
      // The item is forwarded, or the session alone ends with 1011: never the process.
      const outcome = await Promise.race([
        deepItem.closed.then(({ code }) => code),
        deepItem
          .waitFor((event) => event.type === 'conversation.item.done')
          .then(() => 'forwarded'),
      ]);
      expect([1011, 'forwarded']).toContain(outcome);

      // The relay's send to this session's upstream throws (see the fixture).
      const throwing = await connectClient(wsUrl);
      await throwing.waitFor((event) => event.type === 'session.created');
      throwing.send({ type: 'fault.throw_on_purpose', note: 'private words' });
      expect((await throwing.closed).code).toBe(1011);
      expect(throwing.events.at(-1)).toMatchObject({ error: { code: 'internal_error' } });

      const healthy = await connectClient(wsUrl);
      await healthy.waitFor((event) => event.type === 'session.created');
      healthy.send({ type: 'response.create' });
      const done = await healthy.waitFor((event) => event.type === 'response.done');
      expect(done).toMatchObject({ response: { status: 'completed' } });
      expect(relay.child.exitCode).toBeNull();

      const output = relay.output.join('');
      const faults = output.split('\n').filter((line) => line.includes('"session.fault"'));
      expect(faults.map((line) => JSON.parse(line))).toEqual([
        expect.objectContaining({ where: 'upstream.send', error: 'RangeError' }),
      ]);
      expect(output).not.toMatch(/on purpose|private words|Uncaught|at JSON\.stringify/);
    } finally {
      relay.child.kill();
      await relay.exited;
    }
  });
});

describe('the ws adapter', () => {
  it('closes a connection whose handler throws with 1011, and nothing reaches the process', async () => {
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    server.on('connection', (ws, request) => {
      createWsDuplexSocket(ws, request.socket).listen({
        message() {
          throw new TypeError('a handler with a bug');
        },
        close() {},
        drain() {},
      });
    });
    try {
      const { port } = server.address() as AddressInfo;
      const client = new WebSocket(`ws://127.0.0.1:${port}`);
      const closed = new Promise<number>((resolve) => client.once('close', resolve));
      await new Promise((resolve) => client.once('open', resolve));
      client.send('{"type":"response.create"}');
      expect(await closed).toBe(1011);
      expect(escaped).toEqual([]);
    } finally {
      for (const socket of server.clients) socket.terminate();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
