import { Miniflare } from 'miniflare';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type FakeBackend,
  startFakeBackend,
  toolAwareChat,
} from '../../../test-support/fake-openai-backend.ts';
import { bundleWorker } from './bundle-worker.ts';

// The worker in workerd in cascade mode: MODEL_BASE_URL names a fake OpenAI-compatible server
// that this process serves on loopback, so the engine and the cascade run inside workerd.
let mf: Miniflare;
let backend: FakeBackend;

beforeAll(async () => {
  backend = await startFakeBackend({ chat: toolAwareChat });
  mf = new Miniflare({
    modules: true,
    script: (await bundleWorker()).text,
    compatibilityDate: '2025-07-01',
    bindings: {
      MODEL_BASE_URL: backend.baseURL,
      MODEL_API_KEY: 'sk-worker-model-key',
      CHAT_MODEL: 'llama3.2',
      SPEECH_MODEL: 'kokoro',
    },
  });
  await mf.ready;
}, 60_000);

afterAll(async () => {
  await mf?.dispose();
  await backend?.close();
});

describe('the worker in workerd serving a model server (cascade mode)', () => {
  it('streams a text reply and a spoken one, as text frames, the key kept back', async () => {
    const response = await mf.dispatchFetch('http://relay.test/v1/realtime?model=gpt-realtime', {
      headers: { upgrade: 'websocket' },
    });
    const socket = response.webSocket;
    if (!socket) throw new Error(`no webSocket (HTTP ${response.status})`);
    const frames: unknown[] = [];
    const events: { type: string; [key: string]: unknown }[] = [];
    let wake = () => {};
    socket.addEventListener('message', ({ data }) => {
      frames.push(data);
      events.push(JSON.parse(data as string));
      wake();
    });
    socket.accept();
    const dones = (count: number) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`got ${events.map((e) => e.type).join(', ')}`)),
          10_000,
        );
        wake = () => {
          if (events.filter((event) => event.type === 'response.done').length < count) return;
          clearTimeout(timer);
          resolve();
        };
        wake();
      });
    const say = (text: string) =>
      socket.send(
        JSON.stringify({
          type: 'conversation.item.create',
          item: { type: 'message', role: 'user', content: [{ type: 'input_text', text }] },
        }),
      );
    socket.send(
      JSON.stringify({
        type: 'session.update',
        session: { type: 'realtime', output_modalities: ['text'] },
      }),
    );
    say('hi');
    socket.send('{"type":"response.create"}');
    await dones(1);
    const text = events
      .flatMap((event) => (event.type === 'response.output_text.delta' ? [event.delta] : []))
      .join('');
    expect(text).toBe('You said: hi. Anything else?');

    socket.send(
      JSON.stringify({
        type: 'session.update',
        session: { type: 'realtime', output_modalities: ['audio'] },
      }),
    );
    say('again');
    socket.send('{"type":"response.create"}');
    await dones(2);
    const audioDeltas = events.filter((event) => event.type === 'response.output_audio.delta');
    expect(audioDeltas.length).toBeGreaterThan(0);
    expect(backend.requestsTo('audio/speech').map((request) => request.json?.input)).toEqual([
      'You said: again.',
      'Anything else?',
    ]);
    expect(backend.requestsTo('chat/completions')[0]?.headers.authorization).toBe(
      'Bearer sk-worker-model-key',
    );
    for (const frame of frames) expect(typeof frame).toBe('string');
    expect(frames.join('')).not.toContain('sk-worker-model-key');
    expect(events.filter((event) => event.type === 'error')).toEqual([]);
    socket.close(1000, 'done');
  });
});
