import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  type FakeBackend,
  type FakeBackendScript,
  startFakeBackend,
  type TranscriptionReply,
} from '../../../test-support/fake-openai-backend.ts';
import { type CascadeModelOptions, createCascadeModel } from '../src/index.ts';
import { appends, joined, openTranslation, setLanguage, utterance } from './translation-harness.ts';

const API_KEY = 'sk-backend-secret';

let backend: FakeBackend;
beforeEach(async () => {
  backend = await startFakeBackend();
});
afterEach(async () => {
  vi.restoreAllMocks();
  await backend.close();
});

/** A translation session on a cascade over the fake backend. */
function openCascade(options: Partial<CascadeModelOptions> = {}, script: FakeBackendScript = {}) {
  backend.script = script;
  return openTranslation(
    createCascadeModel({
      baseURL: backend.baseURL,
      apiKey: API_KEY,
      chatModel: 'llama3.2',
      transcriptionModel: 'whisper-small',
      speechModel: 'kokoro',
      timeoutMs: 5000,
      ...options,
    }),
  );
}

/** Each transcription answers with the words of its segment: `first words`, `second words`, … */
const numbered: NonNullable<FakeBackendScript['transcription']> = (_form, index) => ({
  kind: 'text',
  text: `${['first', 'second', 'third'][index] ?? 'more'} words`,
});

/** A chat that "translates" by tagging the words with the language its system message names. */
const tagging: FakeBackendScript['chat'] = (body) => {
  const messages = body.messages as { role: string; content: string }[];
  const system = messages.find((message) => message.role === 'system')?.content ?? '';
  const language = /into (\w+)/.exec(system)?.[1] ?? '?';
  const said = messages.find((message) => message.role === 'user')?.content ?? '';
  return { kind: 'stream', tokens: [`[${language}] `, `${said}. `, 'Done.'] };
};

/**
 * Two utterances translated into Italian with no speech model, the first one's transcription
 * answered with `first`, then the session closed; resolves once it has.
 */
async function twoUtterancesIntoItalian(first: TranscriptionReply) {
  const harness = openCascade(
    { speechModel: undefined },
    {
      transcription: (form, index) => (index === 0 ? first : numbered(form, index)),
      chat: tagging,
    },
  );
  harness.send(setLanguage('it'));
  for (const event of [...appends(utterance(800)), ...appends(utterance(800))]) harness.send(event);
  harness.send({ type: 'session.close' });
  await harness.until(() => harness.closes.length > 0, 'the session to close');
  return harness;
}

describe('a translation session on the cascade', () => {
  it('transcribes each segment, has the chat translate it into the language, and speaks it', async () => {
    const harness = openCascade({}, { transcription: numbered, chat: tagging });
    harness.send(setLanguage('es'));
    for (const event of [...appends(utterance(1000)), ...appends(utterance(1200))]) {
      harness.send(event);
    }
    harness.send({ type: 'session.close' });
    await harness.until(() => harness.closes.length > 0, 'the session to close');

    expect(backend.requestsTo('audio/transcriptions')).toHaveLength(2);
    const transcription = backend.requestsTo('audio/transcriptions')[0];
    expect(transcription?.form).toMatchObject({ model: 'whisper-small' });
    // Bun names the part's type from the file name (audio/x-wav); either is a WAV to the server.
    expect(transcription?.file?.type).toMatch(/^audio\/(x-)?wav$/);
    const chats = backend.requestsTo('chat/completions');
    expect(chats).toHaveLength(2);
    expect(chats[0]?.headers.authorization).toBe(`Bearer ${API_KEY}`);
    expect(chats[0]?.json).toMatchObject({
      model: 'llama3.2',
      stream: true,
      messages: [
        { role: 'system', content: expect.stringContaining('into Spanish (es)') },
        { role: 'user', content: 'first words' },
      ],
    });
    expect(backend.requestsTo('audio/speech').map((request) => request.json?.input)).toEqual([
      '[Spanish] first words.',
      'Done.',
      '[Spanish] second words.',
      'Done.',
    ]);
    expect(joined(harness.only('session.input_transcript.delta'))).toBe('first wordssecond words');
    expect(joined(harness.only('session.output_transcript.delta'))).toBe(
      '[Spanish] first words. Done.[Spanish] second words. Done.',
    );
    const audio = harness.only('session.output_audio.delta');
    expect(audio.length).toBeGreaterThan(0);
    // Each segment's words carry where it ended in the input (within 4,000 ms), and its output
    // that or later: elapsed_ms is one clock for the three deltas, and the second segment's
    // words may go out while the first segment is still being said.
    const heard = harness.only('session.input_transcript.delta').map((event) => event.elapsed_ms);
    expect(new Set(heard).size).toBe(2);
    const stamps = new Set(audio.map((event) => event.elapsed_ms));
    expect(stamps.size).toBeLessThanOrEqual(2);
    for (const stamp of stamps) expect(stamp).toBeLessThanOrEqual(4000);
    expect(audio.at(-1)?.elapsed_ms).toBe(heard.at(-1));
    expect(harness.events.at(-1)?.type).toBe('session.closed');
    expect(harness.closes).toEqual([{ code: 1000, reason: 'session closed' }]);
    harness.expectWellFormed();
  });

  it('transcribes the next segment while the one before is being spoken', async () => {
    const harness = openCascade(
      // Longer than the test: the hanging speech is not timed out under it.
      { timeoutMs: 120_000 },
      {
        transcription: numbered,
        chat: tagging,
        // The first segment's speech never ends: whatever comes next happens while it plays.
        speech: (_body, index) =>
          index === 0
            ? { kind: 'hang' }
            : { kind: 'pcm', bytes: new Uint8Array(960).fill(3), chunkSizes: [960] },
      },
    );
    harness.send(setLanguage('fr'));
    for (const event of appends(utterance(800))) harness.send(event);
    await harness.until(() => backend.requestsTo('audio/speech').length > 0, 'the first speech');
    for (const event of appends(utterance(800))) harness.send(event);
    await harness.until(
      () => harness.only('session.input_transcript.delta').length === 2,
      'the second transcript, while the first segment is still being spoken',
    );
    expect(backend.requestsTo('audio/transcriptions')).toHaveLength(2);
    expect(joined(harness.only('session.input_transcript.delta'))).toBe('first wordssecond words');
    // The second segment's translation waits its turn behind the first's speech.
    expect(backend.requestsTo('chat/completions')).toHaveLength(1);
    harness.session.close();
    await harness.until(
      () => backend.requestsTo('audio/speech')[0]?.abortedAt !== undefined,
      'the hanging speech to be aborted',
    );
    harness.expectWellFormed();
  });

  it('keeps one listener on the session for all its segments, not one a segment', async () => {
    // Abort listeners alive on each signal: a backend call that stays subscribed to the
    // session's signal after its segment is done would show there, one more a segment.
    const live = new Map<AbortSignal, Set<unknown>>();
    const add = EventTarget.prototype.addEventListener;
    const remove = EventTarget.prototype.removeEventListener;
    vi.spyOn(EventTarget.prototype, 'addEventListener').mockImplementation(function (
      this: EventTarget,
      type,
      listener,
      options,
    ) {
      if (type === 'abort' && this instanceof AbortSignal) {
        const listeners = live.get(this) ?? new Set();
        live.set(this, listeners.add(listener));
      }
      return add.call(this, type, listener, options);
    });
    vi.spyOn(EventTarget.prototype, 'removeEventListener').mockImplementation(function (
      this: EventTarget,
      type,
      listener,
      options,
    ) {
      if (type === 'abort' && this instanceof AbortSignal) live.get(this)?.delete(listener);
      return remove.call(this, type, listener, options);
    });
    const harness = openCascade({ speechModel: undefined }, { transcription: numbered });
    harness.send(setLanguage('es', false));
    const segments = 12;
    for (let index = 0; index < segments; index++) {
      for (const event of appends(utterance(400, 600))) harness.send(event);
    }
    await harness.until(
      () => backend.requestsTo('chat/completions').length === segments,
      'every segment to be translated',
    );
    await harness.until(
      () => backend.requestsTo('chat/completions').every((chat) => chat.finishedAt !== undefined),
      'the last translation to end',
    );
    let most = 0;
    for (const [signal, listeners] of live) {
      if (!signal.aborted) most = Math.max(most, listeners.size);
    }
    expect(most).toBeLessThanOrEqual(3);
    harness.send({ type: 'session.close' });
    await harness.until(() => harness.closes.length > 0, 'the session to close');
    expect(harness.closes).toEqual([{ code: 1000, reason: 'session closed' }]);
  });

  it('tells the client of a backend failure with the cascade code, and goes on with the next segment', async () => {
    const harness = openCascade(
      {},
      {
        transcription: numbered,
        chat: (body, index) =>
          index === 0
            ? { kind: 'status', status: 500, body: `{"error":{"message":"${API_KEY} leaked"}}` }
            : (tagging(body, index) as ReturnType<NonNullable<FakeBackendScript['chat']>>),
      },
    );
    harness.send(setLanguage('de', false));
    for (const event of [...appends(utterance(800)), ...appends(utterance(800))])
      harness.send(event);
    harness.send({ type: 'session.close' });
    await harness.until(() => harness.closes.length > 0, 'the session to close');
    expect(harness.only('error').map((event) => event.error)).toEqual([
      {
        type: 'server_error',
        code: 'backend_http_error',
        message: 'chat backend: request failed (HTTP 500)',
        param: null,
        event_id: null,
      },
    ]);
    expect(joined(harness.only('session.output_transcript.delta'))).toBe(
      '[German] second words. Done.',
    );
    expect(JSON.stringify(harness.events)).not.toContain(API_KEY);
    expect(harness.closes).toEqual([{ code: 1000, reason: 'session closed' }]);
    harness.expectWellFormed();
  });

  it('reports a failed transcription the same way, and translates text only without a speech model', async () => {
    const harness = await twoUtterancesIntoItalian({
      kind: 'status',
      status: 429,
      body: '{}',
      headers: { 'retry-after': '3' },
    });
    expect(harness.only('error').map((event) => event.error.code)).toEqual([
      'backend_rate_limited',
    ]);
    expect(harness.only('error')[0]?.error.message).toContain('retry after 3 s');
    expect(joined(harness.only('session.input_transcript.delta'))).toBe('second words');
    expect(joined(harness.only('session.output_transcript.delta'))).toBe(
      '[Italian] second words. Done.',
    );
    expect(harness.only('session.output_audio.delta')).toEqual([]);
    expect(backend.requestsTo('audio/speech')).toEqual([]);
    harness.expectWellFormed();
  });

  it('refuses a segment’s transcription answer past 64 KiB (16 s of speech is a few hundred characters), and goes on', async () => {
    const harness = await twoUtterancesIntoItalian({ kind: 'text', text: 'w'.repeat(70_000) });
    expect(harness.only('error').map((event) => event.error.code)).toEqual([
      'backend_malformed_response',
    ]);
    expect(joined(harness.only('session.input_transcript.delta'))).toBe('second words');
    harness.expectWellFormed();
  });

  it('ends the session at once without a transcription model: nothing could be heard', async () => {
    const harness = openCascade({ transcriptionModel: undefined });
    await harness.until(() => harness.closes.length > 0, 'the session to close');
    expect(harness.only('error')[0]?.error).toMatchObject({
      type: 'server_error',
      code: 'backend_not_configured',
      message: 'transcription backend: none is configured',
    });
    expect(harness.closes).toEqual([{ code: 1011, reason: 'model error' }]);
    harness.expectWellFormed();
  });

  it('aborts every request when the session closes under it', async () => {
    const harness = openCascade({}, { transcription: numbered, chat: () => ({ kind: 'hang' }) });
    for (const event of appends(utterance(800))) harness.send(event);
    await harness.until(
      () => backend.requestsTo('chat/completions').length > 0,
      'the chat request',
    );
    harness.session.close();
    await harness.until(
      () => backend.requestsTo('chat/completions')[0]?.abortedAt !== undefined,
      'the backend to see the connection close',
    );
    expect(harness.session.heldBytes).toBe(0);
  });
});
