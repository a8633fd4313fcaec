import { afterEach, describe, expect, it } from 'vitest';
import { parseRelayConfig } from '../config/relay-config.ts';
import { createSimulatorConnector } from '../engine/simulator-connector.ts';
import type { WebSocketLike } from '../sockets/web-socket-duplex.ts';
import { createFetchHandler } from './fetch-handler.ts';
import { createRelayHost, type RelayHost } from './relay-host.ts';

type Listener = (event: never) => void;

/** An in-memory server-side WebSocket: what the relay sends is recorded, the test plays the client. */
class FakeSocket implements WebSocketLike {
  readyState = 1;
  bufferedAmount = 0;
  binaryType = 'blob';
  readonly sent: string[] = [];
  closed: { code: number; reason: string } | undefined;
  readonly #listeners = new Map<string, Listener[]>();

  send(data: string | ArrayBufferView | ArrayBuffer): void {
    this.sent.push(typeof data === 'string' ? data : new TextDecoder().decode(data as Uint8Array));
  }
  close(code = 1000, reason = ''): void {
    if (this.closed) return;
    this.closed = { code, reason };
    this.readyState = 3;
    this.#emit('close', { code, reason });
  }
  addEventListener(type: string, listener: Listener): void {
    this.#listeners.set(type, [...(this.#listeners.get(type) ?? []), listener]);
  }
  /** The client sends a text frame. */
  deliver(text: string): void {
    this.#emit('message', { data: text });
  }
  events(): { type: string; [key: string]: unknown }[] {
    return this.sent.map((frame) => JSON.parse(frame));
  }
  #emit(type: string, event: unknown): void {
    for (const listener of this.#listeners.get(type) ?? [])
      (listener as (e: unknown) => void)(event);
  }
}

const sockets: FakeSocket[] = [];
afterEach(() => {
  for (const socket of sockets.splice(0)) socket.close(1000, 'test over');
});

function setUp(env: Record<string, string> = {}): {
  host: RelayHost;
  fetch: (request: Request) => Promise<Response>;
} {
  const result = parseRelayConfig(env);
  if (!result.ok) throw new Error('bad test config');
  const host = createRelayHost({
    config: result.config,
    connectUpstream: createSimulatorConnector({ pace: 'fast' }),
  });
  const fetch = createFetchHandler(host, (_request, protocol) => {
    const socket = new FakeSocket();
    sockets.push(socket);
    return {
      socket,
      response: new Response(null, {
        status: 200, // a real upgrade answers 101, which `Response` cannot carry outside a runtime
        headers: protocol === undefined ? {} : { 'sec-websocket-protocol': protocol },
      }),
    };
  });
  return { host, fetch };
}

const upgrade = (headers: Record<string, string> = {}, path = '/v1/realtime?model=gpt-realtime') =>
  new Request(`http://relay.test${path}`, { headers: { upgrade: 'websocket', ...headers } });

async function until(check: () => boolean, ms = 2_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('createFetchHandler', () => {
  it('serves the demo page, health, metrics, and refuses the rest', async () => {
    const { fetch } = setUp();
    const page = await fetch(new Request('http://relay.test/'));
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<!doctype html>');
    expect(await (await fetch(new Request('http://relay.test/healthz'))).json()).toEqual({
      status: 'ok',
      sessions: 0,
    });
    expect(await (await fetch(new Request('http://relay.test/metrics'))).text()).toContain(
      'rtwire_relay_sessions_active 0',
    );
    expect((await fetch(new Request('http://relay.test/v1/realtime'))).status).toBe(426);
    expect((await fetch(new Request('http://relay.test/elsewhere'))).status).toBe(404);
    expect((await fetch(new Request('http://relay.test/', { method: 'POST' }))).status).toBe(405);
  });

  it('runs a session on the upgraded socket: session.created, then a text reply', async () => {
    const { fetch, host } = setUp();
    const response = await fetch(upgrade());
    expect(response.status).toBe(200);
    const socket = sockets[0] as FakeSocket;
    await until(() => socket.events().some((event) => event.type === 'session.created'));
    expect(host.activeSessions).toBe(1);
    socket.deliver(
      JSON.stringify({
        type: 'conversation.item.create',
        item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'ping' }] },
      }),
    );
    socket.deliver(
      JSON.stringify({ type: 'response.create', response: { output_modalities: ['text'] } }),
    );
    await until(() => socket.events().some((event) => event.type === 'response.done'));
    const done = socket.events().find((event) => event.type === 'response.output_text.done');
    expect(done?.text).toBe('You said: ping');
    socket.deliver('{not json');
    await until(() => socket.events().some((event) => event.type === 'error'));
    socket.close(1000, 'bye');
    await until(() => host.activeSessions === 0);
  });

  it('passes ?intent=transcription on: the simulator opens a transcription session', async () => {
    const { fetch } = setUp();
    expect((await fetch(upgrade({}, '/v1/realtime?intent=transcription'))).status).toBe(200);
    const socket = sockets[0] as FakeSocket;
    await until(() => socket.events().some((event) => event.type === 'session.created'));
    expect(socket.events()[0]).toMatchObject({
      type: 'session.created',
      session: { type: 'transcription', object: 'realtime.transcription_session' },
    });
    socket.deliver(JSON.stringify({ type: 'response.create', event_id: 'evt_r' }));
    await until(() => socket.events().some((event) => event.type === 'error'));
    expect(socket.events().at(-1)).toMatchObject({ error: { event_id: 'evt_r', param: 'type' } });
    expect((await fetch(upgrade({}, '/v1/realtime?intent=Transcription%20please'))).status).toBe(
      400,
    );
  });

  it('checks tokens (header or subprotocol) and echoes the realtime subprotocol', async () => {
    const { fetch } = setUp({ RELAY_TOKENS: 'tok_a,tok_b' });
    expect((await fetch(upgrade())).status).toBe(401);
    expect((await fetch(upgrade({ authorization: 'Bearer wrong' }))).status).toBe(401);
    expect((await fetch(upgrade({ authorization: 'Bearer tok_b' }))).status).toBe(200);
    const browser = await fetch(
      upgrade({ 'sec-websocket-protocol': 'realtime, openai-insecure-api-key.tok_a' }),
    );
    expect(browser.status).toBe(200);
    expect(browser.headers.get('sec-websocket-protocol')).toBe('realtime');
  });

  it('refuses foreign origins, and sessions past MAX_SESSIONS until a slot frees', async () => {
    const { fetch, host } = setUp({
      ALLOWED_ORIGINS: 'https://app.example',
      MAX_SESSIONS: '1',
    });
    expect((await fetch(upgrade({ origin: 'https://evil.example' }))).status).toBe(403);
    expect((await fetch(upgrade({ origin: 'https://app.example' }))).status).toBe(200);
    expect((await fetch(upgrade())).status).toBe(503);
    (sockets[0] as FakeSocket).close(1000, 'done');
    await until(() => host.activeSessions === 0);
    expect((await fetch(upgrade())).status).toBe(200);
  });

  it('gives the slot back when the runtime refuses the handshake', async () => {
    const result = parseRelayConfig({ MAX_SESSIONS: '1' });
    if (!result.ok) throw new Error('bad test config');
    const host = createRelayHost({
      config: result.config,
      connectUpstream: createSimulatorConnector({ pace: 'fast' }),
    });
    const fetch = createFetchHandler(host, () => {
      throw new TypeError('not a websocket request');
    });
    expect((await fetch(upgrade())).status).toBe(400);
    expect((await fetch(upgrade())).status).toBe(400); // not 503: the first attempt freed its slot
  });

  it('drains: sessions close with 1001, health says draining, upgrades get 503', async () => {
    const { fetch, host } = setUp();
    await fetch(upgrade());
    const socket = sockets[0] as FakeSocket;
    await until(() => socket.events().some((event) => event.type === 'session.created'));
    host.drain();
    await host.idle(1_000);
    expect(socket.closed?.code).toBe(1001);
    expect((await fetch(new Request('http://relay.test/healthz'))).status).toBe(503);
    expect((await fetch(upgrade())).status).toBe(503);
  });
});
