import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { startApp } from '../examples/mount-on-your-server.ts';
import { mountRelay } from '../src/index.ts';

const read = (path: string) => readFileSync(new URL(path, import.meta.url), 'utf8');
const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

const listening = async (server: Server) => {
  servers.push(server);
  if (!server.listening) await new Promise((resolve) => server.once('listening', resolve));
  return (server.address() as AddressInfo).port;
};

interface Frame {
  readonly event: { type: string; [key: string]: unknown };
  readonly binary: boolean;
}

/** A client on `url` keeping every frame, and whether it came as binary. */
async function connect(url: string, protocols: string[] = ['realtime']) {
  const ws = new WebSocket(url, protocols);
  const frames: Frame[] = [];
  ws.on('message', (data, binary) => frames.push({ event: JSON.parse(String(data)), binary }));
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  const until = async (type: string) => {
    for (let waited = 0; !frames.some((frame) => frame.event.type === type); waited += 5) {
      if (waited > 5000) throw new Error(`no ${type}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  };
  const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
  return { ws, frames, until, closed };
}

describe('the README example', () => {
  it('is the example file, verbatim', () => {
    const block = /<!-- example: examples\/mount-on-your-server\.ts -->\n```ts\n([\s\S]*?)```/.exec(
      read('../README.md'),
    );
    expect(block?.[1]).toBe(read('../examples/mount-on-your-server.ts'));
  });

  it('serves the app and its relay on one server: routes, a session, text frames', async () => {
    const { server, relay } = startApp(0);
    const port = await listening(server);
    const base = `http://127.0.0.1:${port}`;
    expect(await (await fetch(`${base}/`)).text()).toBe('my app\n');
    expect(await (await fetch(`${base}/anything`)).text()).toBe('my app\n');
    expect(await (await fetch(`${base}/healthz`)).json()).toEqual({ status: 'ok', sessions: 0 });
    expect(await (await fetch(`${base}/metrics`)).text()).toContain('rtwire_relay_sessions_active');

    const client = await connect(`ws://127.0.0.1:${port}/v1/realtime?model=gpt-realtime`);
    await client.until('session.created');
    client.ws.send(
      JSON.stringify({
        type: 'conversation.item.create',
        item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'ping' }] },
      }),
    );
    client.ws.send(
      JSON.stringify({ type: 'response.create', response: { output_modalities: ['text'] } }),
    );
    await client.until('response.done');
    const done = client.frames.find((frame) => frame.event.type === 'response.output_text.done');
    expect(done?.event.text).toBe('You said: ping');
    expect(client.frames.filter((frame) => frame.binary)).toEqual([]);
    expect(relay.activeSessions).toBe(1);

    await relay.close();
    expect(await client.closed).toBe(1001);
    expect(relay.activeSessions).toBe(0);
  });
});

describe('mountRelay', () => {
  it('leaves other upgrade paths to the server’s other listeners', async () => {
    const server = createServer();
    mountRelay(server);
    const other = new WebSocketServer({ noServer: true });
    server.on('upgrade', (request, socket, head) => {
      if (request.url !== '/other') return;
      other.handleUpgrade(request, socket, head, (ws) => ws.send('from the other server'));
    });
    server.listen(0, '127.0.0.1');
    const port = await listening(server);
    const ws = new WebSocket(`ws://127.0.0.1:${port}/other`);
    const [message] = await new Promise<unknown[]>((resolve) =>
      ws.once('message', (...args) => resolve(args)),
    );
    expect(String(message)).toBe('from the other server');
    ws.close();
    const relayClient = await connect(`ws://127.0.0.1:${port}/v1/realtime`);
    await relayClient.until('session.created');
    relayClient.ws.close();
  });

  it('with ownsUpgrades refuses every other path, and applies admission', async () => {
    const server = createServer();
    mountRelay(server, { ownsUpgrades: true });
    server.listen(0, '127.0.0.1');
    const port = await listening(server);
    const status = (path: string, protocols?: string[]) =>
      new Promise<number>((resolve) => {
        const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`, protocols);
        ws.once('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
        ws.once('open', () => resolve(101));
      });
    expect(await status('/elsewhere')).toBe(404);
    expect(await status('/v1/realtime?model=%20bad')).toBe(400);
    expect(await status('/v1/realtime', ['not-realtime'])).toBe(400);
  });

  it('answers a plain GET of /v1/realtime with 426 behind an express-style chain, as the app does', async () => {
    // express's shape: middleware that calls next() for what it does not take, then a 404.
    type Handler = (
      request: IncomingMessage,
      response: ServerResponse,
      next: () => void,
    ) => unknown;
    const chain: Handler[] = [
      (request, response, next) => relay.handleRequest(request, response) || next(),
      (request, response, next) =>
        request.url === '/mine' ? response.writeHead(200).end('mine\n') : next(),
      (_request, response) => response.writeHead(404).end('Cannot GET\n'),
    ];
    const server = createServer((request, response) => {
      const run = (index: number): unknown =>
        chain[index]?.(request, response, () => run(index + 1));
      run(0);
    });
    const relay = mountRelay(server);
    server.listen(0, '127.0.0.1');
    const base = `http://127.0.0.1:${await listening(server)}`;
    const endpoint = await fetch(`${base}/v1/realtime?model=gpt-realtime`);
    expect(endpoint.status).toBe(426);
    expect(endpoint.headers.get('upgrade')).toBe('websocket');
    expect((await fetch(`${base}/v1/realtime`, { method: 'POST' })).status).toBe(405);
    expect(await (await fetch(`${base}/mine`)).text()).toBe('mine\n');
    expect((await fetch(`${base}/v1/realtime/other`)).status).toBe(404);
  });

  it('serves the console only when asked', async () => {
    const plain = createServer((request, response) => {
      if (!relayA.handleRequest(request, response)) response.writeHead(418).end();
    });
    const relayA = mountRelay(plain);
    plain.listen(0, '127.0.0.1');
    const withDemo = createServer((request, response) => {
      if (!relayB.handleRequest(request, response)) response.writeHead(418).end();
    });
    const relayB = mountRelay(withDemo, { console: true });
    withDemo.listen(0, '127.0.0.1');
    expect((await fetch(`http://127.0.0.1:${await listening(plain)}/`)).status).toBe(418);
    const page = await fetch(`http://127.0.0.1:${await listening(withDemo)}/`);
    expect(await page.text()).toContain('<!doctype html>');
  });
});
