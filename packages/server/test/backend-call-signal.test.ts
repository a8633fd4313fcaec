import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FakeBackend, startFakeBackend } from '../../../test-support/fake-openai-backend.ts';
import { BackendCall } from '../src/cascade/backend-call.ts';
import { createCascadeModel } from '../src/index.ts';

let backend: FakeBackend;
beforeEach(async () => {
  backend = await startFakeBackend();
});
afterEach(async () => {
  await backend.close();
});

/**
 * The abort listeners alive on `signal`: its own add and remove are wrapped, nothing else is
 * (the calls and the backend are the real ones).
 */
function liveAbortListeners(signal: AbortSignal): Set<unknown> {
  const live = new Set<unknown>();
  const track = (name: 'addEventListener' | 'removeEventListener', adds: boolean) => {
    const original = signal[name] as unknown as (this: AbortSignal, ...args: unknown[]) => void;
    Object.defineProperty(signal, name, {
      value(type: string, listener: unknown, options?: unknown) {
        if (type === 'abort' && adds) live.add(listener);
        else if (type === 'abort') live.delete(listener);
        original.call(signal, type, listener, options);
      },
    });
  };
  track('addEventListener', true);
  track('removeEventListener', false);
  return live;
}

const CALLS = 25;

/** A chat call to the fake backend on `signal`, its request sent. */
function chatOn(signal: AbortSignal) {
  const call = new BackendCall({
    stage: 'chat',
    endpoint: { baseURL: backend.baseURL },
    fetch: (input, init) => fetch(input, init),
    timeoutMs: 60_000,
    signal,
  });
  const sent = call.send('chat/completions', {
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'hi' }] }),
  });
  return { call, sent };
}

describe('a backend call on a long-lived signal', () => {
  it('stops following the signal once closed: many calls leave no listener behind', async () => {
    const session = new AbortController();
    const live = liveAbortListeners(session.signal);
    for (let index = 0; index < CALLS; index++) {
      const { call, sent } = chatOn(session.signal);
      await call.text(await sent, 1024 * 1024);
      // While open the call follows the signal: the session's end must reach it.
      expect(live.size).toBe(1);
      call.close();
    }
    expect(backend.requestsTo('chat/completions')).toHaveLength(CALLS);
    expect(live.size).toBe(0);
  });

  it('leaves none behind through the cascade: input transcriptions on one signal', async () => {
    const model = createCascadeModel({
      baseURL: backend.baseURL,
      chatModel: 'llama3.2',
      transcriptionModel: 'whisper-small',
    });
    const session = new AbortController();
    const live = liveAbortListeners(session.signal);
    const audio = new Uint8Array(4800).fill(1);
    for (let index = 0; index < CALLS; index++) {
      const text = await model.transcribe?.(
        { itemId: `item_${index}`, audio, format: 'audio/pcm', durationMs: 100, settings: {} },
        session.signal,
      );
      expect(text).toBe('hello there');
    }
    expect(backend.requestsTo('audio/transcriptions')).toHaveLength(CALLS);
    expect(live.size).toBe(0);
  });

  it('still aborts an open call when the signal aborts', async () => {
    backend.script = { chat: () => ({ kind: 'hang' }) };
    const session = new AbortController();
    const { call, sent } = chatOn(session.signal);
    const reason = new Error('session ended');
    session.abort(reason);
    await expect(sent).rejects.toBe(reason);
    call.close();
  });
});
