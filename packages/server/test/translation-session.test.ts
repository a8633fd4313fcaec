import type { RealtimeTranslationServerEvent } from '@rtwire/types';
import { describe, expect, it } from 'vitest';
import { silencePcm } from '../../cli/src/conformance/speech.ts';
import {
  createSimulatorModel,
  createTranslationSession,
  RealtimeModelError,
  type TranslationModel,
} from '../src/index.ts';
import { encodeBase64 } from './harness.ts';
import {
  appends,
  joined,
  openTranslation,
  setLanguage,
  type TranslationHarness,
  until,
  utterance,
} from './translation-harness.ts';

const simulator = () => createSimulatorModel({ pace: 'fast' });

/** Speaks `utterances` into the session (speech then a pause each), then closes it. */
async function speakAndClose(harness: TranslationHarness, utterances: readonly number[]) {
  for (const speechMs of utterances)
    for (const event of appends(utterance(speechMs))) harness.send(event);
  harness.send({ type: 'session.close' });
  await harness.until(() => harness.closes.length > 0, 'the session to close');
}

/** Nondecreasing: each `elapsed_ms` of a stream at or after the one before. */
function expectNondecreasing(values: readonly (number | null | undefined)[]) {
  for (let index = 1; index < values.length; index++) {
    expect(values[index]).toBeGreaterThanOrEqual(values[index - 1] as number);
  }
}

describe('a translation session on the simulator', () => {
  it('opens, takes the language, translates speech into transcripts and audio, and closes on session.close', async () => {
    const harness = openTranslation(simulator());
    await harness.until(() => harness.events.length > 0, 'session.created');
    expect(harness.events[0]).toMatchObject({
      type: 'session.created',
      session: {
        id: 'sess_1',
        type: 'translation',
        model: 'gpt-realtime-translate',
        audio: { output: { language: 'en' }, input: { transcription: null } },
      },
    });
    harness.send({ ...setLanguage('es'), event_id: 'evt_update' });
    expect(harness.events.at(-1)).toMatchObject({
      type: 'session.updated',
      session: {
        audio: {
          output: { language: 'es' },
          input: { transcription: { model: 'gpt-realtime-whisper' }, noise_reduction: null },
        },
      },
    });
    await speakAndClose(harness, [1200, 1600]);

    const input = harness.only('session.input_transcript.delta');
    const output = harness.only('session.output_transcript.delta');
    const audio = harness.only('session.output_audio.delta');
    expect(joined(input)).toBe('Hello world today. Morning thank you please.');
    expect(joined(output)).toBe('Hola mundo hoy. Mañana gracias tú por favor.');
    expect(audio.length).toBeGreaterThan(10);
    // The speech lasts as long as the text takes to say (60 ms a character), in 100 ms chunks.
    const samples = audio.reduce((sum, event) => sum + atob(event.delta).length / 2, 0);
    expect(samples / 24).toBeGreaterThanOrEqual(60 * 'Hola mundo hoy.'.length);
    for (const event of audio) {
      expect(event).toMatchObject({ format: 'pcm16', sample_rate: 24_000, channels: 1 });
    }
    // elapsed_ms: where in the input each piece lies, never past what was sent (4,800 ms).
    for (const stream of [input, output, audio]) {
      const elapsed = stream.map((event) => event.elapsed_ms);
      expectNondecreasing(elapsed);
      for (const value of elapsed) expect(value).toBeGreaterThan(0);
      for (const value of elapsed) expect(value).toBeLessThanOrEqual(4800);
    }
    expect(harness.events.at(-1)?.type).toBe('session.closed');
    expect(harness.closes).toEqual([{ code: 1000, reason: 'session closed' }]);
    expect(harness.only('error')).toEqual([]);
    harness.expectWellFormed();
    expect(harness.session.heldBytes).toBe(0);
  });

  it('says the same input in each language in words of its own, the same each time', async () => {
    const outputs = new Map<string, string>();
    for (const language of ['es', 'fr', 'de', 'sw', 'x-klingon', 'es']) {
      const harness = openTranslation(simulator());
      harness.send(setLanguage(language, false));
      await speakAndClose(harness, [1500]);
      const text = joined(harness.only('session.output_transcript.delta'));
      expect(text.length).toBeGreaterThan(0);
      if (outputs.has(language)) expect(text).toBe(outputs.get(language));
      outputs.set(language, text);
      harness.expectWellFormed();
    }
    expect(new Set(outputs.values()).size).toBe(5);
  });

  it('sends the input transcript only while input transcription is on', async () => {
    const harness = openTranslation(simulator());
    harness.send(setLanguage('fr', false));
    for (const event of appends(utterance(1000))) harness.send(event);
    await harness.until(
      () => harness.only('session.output_audio.delta').length > 0,
      'the first translation',
    );
    harness.send(setLanguage('fr', true));
    await speakAndClose(harness, [1000]);
    // Only the second utterance was transcribed; both were translated.
    expect(joined(harness.only('session.input_transcript.delta')).trim()).toBe(
      'Morning thank you.',
    );
    expect(joined(harness.only('session.output_transcript.delta'))).toBe(
      "Bonjour monde aujourd'hui. Matin merci vous.",
    );
    harness.expectWellFormed();
  });

  it('follows a language change mid-session, from the audio appended after it', async () => {
    const harness = openTranslation(simulator());
    harness.send(setLanguage('es', false));
    for (const event of appends(utterance(1000))) harness.send(event);
    harness.send(setLanguage('de', false));
    await speakAndClose(harness, [1000]);
    expect(joined(harness.only('session.output_transcript.delta'))).toBe(
      'Hola mundo hoy. Morgen danke du.',
    );
  });

  it('makes nothing of silence', async () => {
    const harness = openTranslation(simulator());
    harness.send(setLanguage('es'));
    for (const event of appends(silencePcm(5000))) harness.send(event);
    harness.send({ type: 'session.close' });
    await harness.until(() => harness.closes.length > 0, 'the session to close');
    expect(harness.events.map((event) => event.type)).toEqual([
      'session.created',
      'session.updated',
      'session.closed',
    ]);
  });

  it('paces its speech in real time under realtime pacing', async () => {
    const harness = openTranslation(createSimulatorModel({ pace: 'realtime' }));
    harness.send(setLanguage('es', false));
    for (const event of appends(utterance(1000))) harness.send(event);
    harness.send({ type: 'session.close' });
    await harness.until(() => harness.only('session.output_audio.delta').length > 0, 'audio');
    // The speech is streamed, not sent at once: the session is still open after the first chunk.
    expect(harness.closes).toEqual([]);
    await harness.until(() => harness.closes.length > 0, 'the session to close');
    expect(joined(harness.only('session.output_transcript.delta'))).toBe('Hola mundo hoy.');
    harness.expectWellFormed();
  });
});

describe('how a translation session sends', () => {
  it('sends UTF-8 bytes by default, each event with an id of its own from one sequence', async () => {
    const frames: Uint8Array[] = [];
    const closes: number[] = [];
    const session = createTranslationSession({
      model: simulator(),
      send: (frame) => frames.push(frame),
      close: (code) => closes.push(code),
      language: 'pt',
    });
    for (const event of appends(utterance(1000))) session.receive(JSON.stringify(event));
    session.receive(new TextEncoder().encode('{"type":"session.close"}'));
    await until(() => closes.length > 0, 'the session to close');
    const events = frames.map(
      (frame) => JSON.parse(new TextDecoder().decode(frame)) as RealtimeTranslationServerEvent,
    );
    expect(events.every((_, index) => frames[index] instanceof Uint8Array)).toBe(true);
    expect(events[0]).toMatchObject({ session: { audio: { output: { language: 'pt' } } } });
    expect(joined(events.filter((event) => event.type === 'session.output_transcript.delta'))).toBe(
      'Olá mundo hoje.',
    );
    const ids = events.map((event) => event.event_id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^event_[0-9A-Za-z]{12}\d+$/);
    expect(closes).toEqual([1000]);
  });

  it('refuses a language option no session.update would take, naming it', () => {
    for (const language of ['', ' ', 'x'.repeat(65)]) {
      expect(() =>
        createTranslationSession({ model: simulator(), send: () => {}, language }),
      ).toThrow(/createTranslationSession: language must be/);
    }
  });

  it('holds the model back while the client reads slower than it writes', async () => {
    let release: () => void = () => {};
    let gate: Promise<void> | undefined = new Promise<void>((resolve) => {
      release = resolve;
    });
    const harness = openTranslation(simulator(), { sendReady: () => gate });
    harness.send(setLanguage('es', false));
    for (const event of appends(utterance(1500))) harness.send(event);
    harness.send({ type: 'session.close' });
    await harness.until(() => harness.only('session.output_audio.delta').length > 0, 'audio');
    const held = harness.events.length;
    // However long the client takes, the model waits on it: nothing more goes out.
    for (let tick = 0; tick < 20; tick++) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(harness.events.length).toBe(held);
    expect(harness.closes).toEqual([]);
    gate = undefined;
    release();
    await harness.until(() => harness.closes.length > 0, 'the session to close');
    expect(joined(harness.only('session.output_transcript.delta'))).toBe('Hola mundo hoy amigo.');
  });
});

describe('what a translation session refuses', () => {
  it('refuses unknown and invalid session.update parameters, naming them, and applies nothing', async () => {
    const harness = openTranslation(simulator());
    harness.send({
      type: 'session.update',
      event_id: 'evt_voice',
      session: { audio: { output: { language: 'es', voice: 'alloy' } } },
    });
    harness.send({
      type: 'session.update',
      event_id: 'evt_type',
      session: { type: 'realtime', audio: { output: { language: 'es' } } },
    });
    harness.send({
      type: 'session.update',
      event_id: 'evt_noise',
      session: { audio: { input: { noise_reduction: { type: 'underwater' } } } },
    });
    harness.send({
      type: 'session.update',
      event_id: 'evt_empty',
      session: { audio: { output: { language: '' } } },
    });
    harness.send({
      type: 'session.update',
      event_id: 'evt_model',
      session: { audio: { input: { transcription: {} } } },
    });
    const errors = harness.only('error').map((event) => event.error);
    expect(errors).toEqual([
      expect.objectContaining({
        type: 'invalid_request_error',
        code: 'unknown_parameter',
        param: 'session.audio.output.voice',
        event_id: 'evt_voice',
      }),
      expect.objectContaining({
        code: 'unknown_parameter',
        param: 'session.type',
        event_id: 'evt_type',
      }),
      expect.objectContaining({
        code: 'invalid_value',
        param: 'session.audio.input.noise_reduction.type',
        event_id: 'evt_noise',
      }),
      expect.objectContaining({
        code: 'invalid_value',
        param: 'session.audio.output.language',
        event_id: 'evt_empty',
      }),
      expect.objectContaining({
        code: 'invalid_event',
        param: 'session.audio.input.transcription.model',
        event_id: 'evt_model',
      }),
    ]);
    expect(harness.only('session.updated')).toEqual([]);
    harness.expectWellFormed();
  });

  it('refuses Realtime events, naming the type, and unknown ones, and goes on', async () => {
    const harness = openTranslation(simulator());
    const realtimeOnly = [
      'response.create',
      'conversation.item.create',
      'input_audio_buffer.append',
      'input_audio_buffer.commit',
      'response.cancel',
    ];
    for (const type of realtimeOnly) {
      harness.send({ type, event_id: `evt_${type}` });
    }
    harness.send({ type: 'session.fly', event_id: 'evt_fly' });
    harness.send('not json');
    harness.send({
      type: 'session.input_audio_buffer.append',
      audio: 'not base64!',
      event_id: 'e',
    });
    const errors = harness.only('error').map((event) => event.error);
    expect(errors.slice(0, realtimeOnly.length)).toEqual(
      realtimeOnly.map((type) =>
        expect.objectContaining({
          type: 'invalid_request_error',
          param: 'type',
          event_id: `evt_${type}`,
          message: expect.stringContaining(`${type} is not supported in a translation session`),
        }),
      ),
    );
    expect(errors.slice(realtimeOnly.length)).toEqual([
      expect.objectContaining({ code: 'invalid_value', param: 'type', event_id: 'evt_fly' }),
      expect.objectContaining({ code: 'invalid_json' }),
      expect.objectContaining({ code: 'invalid_value', param: 'audio', event_id: 'e' }),
    ]);
    // Still a working session.
    harness.send(setLanguage('it', false));
    await speakAndClose(harness, [1000]);
    expect(joined(harness.only('session.output_transcript.delta'))).toBe('Ciao mondo oggi.');
    harness.expectWellFormed();
  });

  it('refuses a Realtime event a host decoded for it, as the frame would be refused', async () => {
    const harness = openTranslation(simulator());
    const frame = '{"type":"response.create","event_id":"evt_1"}';
    harness.session.receive(frame, { type: 'response.create', event_id: 'evt_1' });
    const realtimeUpdate = { type: 'session.update', session: { type: 'realtime' } } as const;
    harness.session.receive(JSON.stringify(realtimeUpdate), realtimeUpdate);
    expect(harness.only('error').map((event) => event.error)).toEqual([
      expect.objectContaining({ param: 'type', event_id: 'evt_1' }),
      expect.objectContaining({ code: 'unknown_parameter', param: 'session.type' }),
    ]);
    harness.expectWellFormed();
  });
});

describe('a translation model that fails', () => {
  it('ends its session with an error event and 1011, and no other session notices', async () => {
    const failing: TranslationModel = {
      async translate(request) {
        for await (const _chunk of request.audio) throw new Error('secret words sk-key');
      },
    };
    const faulty = openTranslation(failing);
    const healthy = openTranslation(simulator());
    healthy.send(setLanguage('es', false));
    for (const event of appends(utterance(1000))) faulty.send(event);
    await faulty.until(() => faulty.closes.length > 0, 'the failing session to close');
    expect(faulty.only('error').map((event) => event.error)).toEqual([
      {
        type: 'server_error',
        code: 'model_error',
        message: 'The model failed to translate.',
        param: null,
        event_id: null,
      },
    ]);
    expect(faulty.closes).toEqual([{ code: 1011, reason: 'model error' }]);
    expect(JSON.stringify(faulty.events)).not.toContain('secret');
    // Nothing more is sent, and nothing is held.
    const sent = faulty.events.length;
    for (const event of appends(utterance(500))) faulty.send(event);
    expect(faulty.events.length).toBe(sent);
    expect(faulty.session.heldBytes).toBe(0);
    await speakAndClose(healthy, [1000]);
    expect(joined(healthy.only('session.output_transcript.delta'))).toBe('Hola mundo hoy.');
    faulty.expectWellFormed();
  });

  it("gives the client a RealtimeModelError's code, and its message when exposed; throws at once too", async () => {
    const exposed = openTranslation({
      translate() {
        throw new RealtimeModelError('Try again shortly.', {
          code: 'model_overloaded',
          expose: true,
        });
      },
    });
    await exposed.until(() => exposed.closes.length > 0, 'the session to close');
    expect(exposed.only('error')[0]?.error).toMatchObject({
      code: 'model_overloaded',
      message: 'Try again shortly.',
    });
  });

  it('ends the session on a thrown value that throws when looked at, never the process', async () => {
    const hostile = new Proxy(
      {},
      {
        get() {
          throw new Error('secret');
        },
        getPrototypeOf() {
          throw new Error('secret');
        },
      },
    );
    const harness = openTranslation({
      async translate() {
        throw hostile;
      },
    });
    await harness.until(() => harness.closes.length > 0, 'the session to close');
    expect(harness.closes[0]?.code).toBe(1011);
    expect(JSON.stringify(harness.events)).not.toContain('secret');
  });

  it('keeps a non-fatal error of the model to one error event, and the session goes on', async () => {
    const harness = openTranslation({
      async translate(request, output) {
        for await (const chunk of request.audio) {
          output.error(new Error('secret backend body'));
          output.outputTranscript('ok', chunk.endMs);
        }
      },
    });
    harness.send(appends(utterance(200, 0))[0] as object);
    harness.send({ type: 'session.close' });
    await harness.until(() => harness.closes.length > 0, 'the session to close');
    expect(harness.events.map((event) => event.type)).toEqual([
      'session.created',
      'error',
      'session.output_transcript.delta',
      'session.closed',
    ]);
    expect(JSON.stringify(harness.events)).not.toContain('secret');
    harness.expectWellFormed();
  });
});

describe('what a translation session holds', () => {
  it('bounds the input waiting for a model that does not read: dropped past the backlog, one error', async () => {
    let release: () => void = () => {};
    const stalled: TranslationModel = {
      translate: () =>
        new Promise<void>((resolve) => {
          release = resolve;
        }),
    };
    const harness = openTranslation(stalled, { maxInputBacklogMs: 2000 });
    await harness.until(() => harness.events.length > 0, 'session.created');
    const second = encodeBase64(new Uint8Array(48_000).fill(1));
    for (let index = 0; index < 600; index++) {
      harness.send({
        type: 'session.input_audio_buffer.append',
        audio: second,
        event_id: `a${index}`,
      });
      expect(harness.session.heldBytes).toBeLessThanOrEqual(2000 * 48 + 4096);
    }
    const errors = harness.only('error');
    expect(errors).toHaveLength(1);
    expect(errors[0]?.error).toMatchObject({ code: 'input_audio_dropped', event_id: 'a2' });
    release();
    await harness.until(() => harness.closes.length > 0, 'the session to close');
    expect(harness.only('session.closed')).toHaveLength(1);
    harness.expectWellFormed();
  });

  it('stamps elapsed_ms within the input received and never back, whatever the model says', async () => {
    const harness = openTranslation({
      async translate(request, output) {
        for await (const chunk of request.audio) {
          output.outputTranscript('a', Number.NaN);
          output.outputTranscript('b', -5);
          output.outputTranscript('c', 1e12);
          output.outputTranscript('d', chunk.startMs + 10.7);
          output.audio(new Int16Array(40_000), chunk.endMs);
          // What a careless model may pass: dropped, not sent.
          (output.audio as (pcm: unknown, ms: number) => void)(new Uint8Array(10), 0);
          (output.outputTranscript as (delta: unknown, ms: number) => void)(42, 0);
          output.inputTranscript('off', 0);
        }
      },
    });
    harness.send(appends(silencePcm(200))[0] as object);
    harness.send({ type: 'session.close' });
    await harness.until(() => harness.closes.length > 0, 'the session to close');
    // NaN is the input received (200); after it, -5, 1e12 and 10.7 are held at 200.
    expect(
      harness.only('session.output_transcript.delta').map((event) => event.elapsed_ms),
    ).toEqual([200, 200, 200, 200]);
    // 40,000 samples go out in deltas of at most 16,384.
    expect(
      harness.only('session.output_audio.delta').map((event) => atob(event.delta).length / 2),
    ).toEqual([16_384, 16_384, 7232]);
    expect(harness.only('session.input_transcript.delta')).toEqual([]);
    harness.expectWellFormed();
  });

  it('hands a long append to the model in seconds that each hold only their own audio', async () => {
    const buffers: number[] = [];
    const harness = openTranslation({
      async translate(request) {
        for await (const chunk of request.audio) buffers.push(chunk.pcm.buffer.byteLength);
      },
    });
    // 5.5 s in one append: a view per second would keep all 264,000 bytes alive in each.
    harness.send({
      type: 'session.input_audio_buffer.append',
      audio: encodeBase64(new Uint8Array(5.5 * 48_000).fill(7)),
    });
    await speakAndClose(harness, []);
    expect(buffers).toEqual([48_000, 48_000, 48_000, 48_000, 48_000, 24_000]);
  });

  it('gives the model its closeTimeoutMs when that is past what a timer can hold', async () => {
    const harness = openTranslation(
      {
        async translate(request, output) {
          for await (const _chunk of request.audio) {
            // Reads the input to its end.
          }
          // Longer than a timer that overflowed to fire at once would wait.
          await new Promise((resolve) => setTimeout(resolve, 30));
          output.outputTranscript('the rest', 0);
        },
      },
      { closeTimeoutMs: 2 ** 32 },
    );
    await speakAndClose(harness, []);
    expect(harness.events.map((event) => event.type)).toEqual([
      'session.created',
      'session.output_transcript.delta',
      'session.closed',
    ]);
  });

  it('lets a model waiting on output.ready() go on at the drain, or when the session ends', async () => {
    let drain: () => void = () => {};
    const waits: number[] = [];
    let returned = false;
    const harness = openTranslation(
      {
        async translate(request, output) {
          for await (const chunk of request.audio) {
            output.outputTranscript('x', chunk.endMs);
            await output.ready();
            waits.push(chunk.endMs);
          }
          await output.ready();
          returned = true;
        },
      },
      {
        // The client reads no more until it drains: every wait waits.
        sendReady: () =>
          new Promise<void>((resolve) => {
            drain = resolve;
          }),
      },
    );
    for (const event of appends(silencePcm(400))) harness.send(event);
    await harness.until(() => harness.only('session.output_transcript.delta').length === 1, 'x');
    expect(waits).toEqual([]);
    drain();
    await harness.until(() => harness.only('session.output_transcript.delta').length === 2, 'x');
    expect(waits).toEqual([200]);
    // The client never drains again: the host's close lets the model go on all the same.
    harness.session.close();
    await harness.until(() => returned, 'the model to return');
    expect(waits).toEqual([200, 400]);
  });

  it('ends on session.close after closeTimeoutMs when the model does not finish', async () => {
    let aborted = false;
    const harness = openTranslation(
      {
        translate: (_request, _output, signal) =>
          new Promise<void>(() => {
            signal.addEventListener('abort', () => {
              aborted = true;
            });
          }),
      },
      { closeTimeoutMs: 50 },
    );
    harness.send({ type: 'session.close' });
    await harness.until(() => harness.closes.length > 0, 'the session to close');
    expect(aborted).toBe(true);
    expect(harness.events.map((event) => event.type)).toEqual([
      'session.created',
      'session.closed',
    ]);
  });
});
