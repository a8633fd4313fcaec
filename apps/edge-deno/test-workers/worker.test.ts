import { decodeServerEvent, type RealtimeServerEvent } from '@rtwire/types';
import { Miniflare } from 'miniflare';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleWorker } from './bundle-worker.ts';

// The worker module (src/worker.ts, bundled as wrangler would) in workerd, the Workers
// runtime, through miniflare: WebSocketPair upgrade, fetch handler, simulator.
let mf: Miniflare;

beforeAll(async () => {
  mf = new Miniflare({
    modules: true,
    script: (await bundleWorker()).text,
    compatibilityDate: '2025-07-01',
    bindings: {
      SIM_PACE: 'fast',
      RELAY_TOKENS: 'tok_worker',
      CLIENT_SECRET_KEYS: 'AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8',
    },
  });
  await mf.ready;
}, 60_000);

afterAll(async () => {
  await mf?.dispose();
});

describe('the relay worker in workerd', () => {
  it('serves health and refuses an upgrade without a token', async () => {
    const health = await mf.dispatchFetch('http://relay.test/healthz');
    expect(await health.json()).toEqual({ status: 'ok', sessions: 0 });
    const refused = await mf.dispatchFetch('http://relay.test/v1/realtime', {
      headers: { upgrade: 'websocket' },
    });
    expect(refused.status).toBe(401);
  });

  it('holds a text conversation over a WebSocketPair session', async () => {
    const response = await mf.dispatchFetch('http://relay.test/v1/realtime?model=gpt-realtime', {
      headers: { upgrade: 'websocket', authorization: 'Bearer tok_worker' },
    });
    expect(response.status).toBe(101);
    const socket = response.webSocket;
    if (!socket) throw new Error('no webSocket on the 101 response');
    const events: RealtimeServerEvent[] = [];
    const done = new Promise<void>((resolve) => {
      socket.addEventListener('message', ({ data }) => {
        const result = decodeServerEvent(data as string);
        if (!result.ok || !result.known) throw new Error('undecodable server frame');
        events.push(result.event);
        if (result.event.type === 'session.created') {
          socket.send(
            JSON.stringify({
              type: 'conversation.item.create',
              item: {
                type: 'message',
                role: 'user',
                content: [{ type: 'input_text', text: 'hi worker' }],
              },
            }),
          );
          socket.send(
            JSON.stringify({ type: 'response.create', response: { output_modalities: ['text'] } }),
          );
        }
        if (result.event.type === 'response.done') resolve();
      });
    });
    socket.accept();
    await done;
    socket.close(1000, 'done');
    const text = events.find((event) => event.type === 'response.output_text.done');
    expect(text?.type === 'response.output_text.done' && text.text).toBe('You said: hi worker');
  }, 30_000);

  it('mints a client secret, and a session opened with it starts with its session', async () => {
    const endpoint = 'http://relay.test/v1/realtime/client_secrets';
    expect((await mf.dispatchFetch(endpoint, { method: 'POST', body: '{}' })).status).toBe(401);
    const minted = await mf.dispatchFetch(endpoint, {
      method: 'POST',
      headers: { authorization: 'Bearer tok_worker', 'content-type': 'application/json' },
      body: JSON.stringify({ session: { type: 'realtime', instructions: 'Be a worker.' } }),
    });
    expect(minted.status).toBe(200);
    const { value } = (await minted.json()) as { value: string };
    expect(value).toMatch(/^ek_/);
    const cut = await mf.dispatchFetch('http://relay.test/v1/realtime', {
      headers: { upgrade: 'websocket', authorization: `Bearer ${value.slice(0, 30)}` },
    });
    expect(cut.status).toBe(401);
    expect(await cut.text()).toContain('Client secret is malformed or truncated');
    const response = await mf.dispatchFetch('http://relay.test/v1/realtime', {
      headers: {
        upgrade: 'websocket',
        'sec-websocket-protocol': `realtime, openai-insecure-api-key.${value}`,
      },
    });
    expect(response.status).toBe(101);
    const socket = response.webSocket;
    if (!socket) throw new Error('no webSocket on the 101 response');
    const updated = new Promise<Record<string, unknown>>((resolve) => {
      socket.addEventListener('message', ({ data }) => {
        const event = JSON.parse(data as string);
        if (event.type === 'session.updated') resolve(event.session);
      });
    });
    socket.accept();
    expect(await updated).toMatchObject({ instructions: 'Be a worker.' });
    socket.close(1000, 'done');
  }, 30_000);
});
