import type { Socket } from 'node:net';
import type { DuplexSocket } from '@rtwire/relay';
import { afterEach, describe, expect, it } from 'vitest';
import { type RawData, WebSocket, WebSocketServer } from 'ws';
import { createWsDuplexSocket } from '../src/ws-duplex-socket.ts';

interface Pair {
  /** The server's end, adapted: what the relay sends through. */
  readonly relay: DuplexSocket;
  /** The TCP socket under it, with its writes counted. */
  readonly writes: () => number;
  /** What the client received, in order, and how it closed. */
  readonly received: string[];
  readonly closed: Promise<number>;
}

const servers: WebSocketServer[] = [];
const clients: WebSocket[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.terminate();
  await Promise.all(
    servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))),
  );
});

/** A `ws` server and client on loopback; the server's connection adapted as the relay does. */
async function connectedPair(): Promise<Pair> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  servers.push(server);
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as { port: number };
  const accepted = new Promise<Pair>((resolve) => {
    server.once('connection', (ws, request) => {
      const transport = request.socket as Socket;
      // What the stream hands the kernel: one call per write, however many chunks it holds.
      let writes = 0;
      const counted = transport as unknown as {
        _write: (...args: unknown[]) => void;
        _writev: (...args: unknown[]) => void;
      };
      const write = counted._write.bind(transport);
      const writev = counted._writev.bind(transport);
      counted._write = (...args) => {
        writes++;
        write(...args);
      };
      counted._writev = (...args) => {
        writes++;
        writev(...args);
      };
      resolve({
        relay: createWsDuplexSocket(ws, transport),
        writes: () => writes,
        received,
        closed,
      });
    });
  });
  const client = new WebSocket(`ws://127.0.0.1:${port}`);
  clients.push(client);
  const received: string[] = [];
  client.on('message', (data: RawData) => received.push(data.toString()));
  const closed = new Promise<number>((resolve) => client.once('close', resolve));
  await new Promise((resolve) => client.once('open', resolve));
  return accepted;
}

// A guard against a hang, far above the milliseconds loopback takes even on a busy machine.
const arrived = async (pair: Pair, count: number) => {
  await expect.poll(() => pair.received.length, { timeout: 10_000 }).toBe(count);
};

describe('createWsDuplexSocket: writes', () => {
  it('sends the frames of one turn of the event loop in one write, in order', async () => {
    const pair = await connectedPair();
    const before = pair.writes();
    for (let index = 0; index < 20; index++) pair.relay.send(`{"index":${index}}`, false);
    await arrived(pair, 20);
    expect(pair.writes() - before).toBe(1);
    expect(pair.received).toEqual(Array.from({ length: 20 }, (_, index) => `{"index":${index}}`));
  });

  it('writes again in the next turn, and for sends made in a promise callback', async () => {
    const pair = await connectedPair();
    const before = pair.writes();
    pair.relay.send('a', false);
    await new Promise((resolve) => setImmediate(resolve));
    await Promise.resolve().then(() => {
      pair.relay.send('b', false);
      pair.relay.send('c', false);
    });
    await arrived(pair, 3);
    expect(pair.received).toEqual(['a', 'b', 'c']);
    expect(pair.writes() - before).toBe(2);
  });

  it('counts what waits for the end of the turn as buffered, and hands it over then', async () => {
    const pair = await connectedPair();
    const frame = 'x'.repeat(10_000);
    pair.relay.send(frame, false);
    pair.relay.send(frame, false);
    // The relay's backpressure reads this: bytes held back for the turn are not yet sent.
    expect(pair.relay.bufferedAmount).toBeGreaterThanOrEqual(20_000);
    await arrived(pair, 2);
    expect(pair.relay.bufferedAmount).toBe(0);
  });

  it('delivers the frames sent before a close in the same turn, then the close', async () => {
    const pair = await connectedPair();
    pair.relay.send('last words', false);
    pair.relay.close(4000, 'done');
    expect(await pair.closed).toBe(4000);
    expect(pair.received).toEqual(['last words']);
  });
});
