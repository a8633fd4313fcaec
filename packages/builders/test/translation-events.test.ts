// biome-ignore-all lint/suspicious/noExplicitAny: examples are untyped JSON by nature
import {
  decodeTranslationClientEvent,
  decodeTranslationServerEvent,
  type RealtimeTranslationClientEvent,
  type RealtimeTranslationServerEvent,
  TRANSLATION_CLIENT_EVENT_TYPES,
  TRANSLATION_SERVER_EVENT_TYPES,
  type TranslationClientEventType,
  type TranslationServerEventType,
  translationClientEventProblem,
} from '@rtwire/types';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  translationClientSchemaNames as clientSchemaNames,
  officialExample,
  schemaErrors,
  translationServerSchemaNames as serverSchemaNames,
} from '../../../test-support/spec-validator.ts';
import {
  TranslationClientEvents,
  TranslationServerEvents,
  translationSession,
} from '../src/index.ts';

type Example = Record<string, any>;

/** ajv's errors of a value against a spec schema by name, or undefined when it is valid. */
const specErrors = (value: unknown, schemaName: string) => schemaErrors(schemaName, value);

const buildServer: {
  [T in TranslationServerEventType]: (x: Example) => RealtimeTranslationServerEvent;
} = {
  error: (x) => TranslationServerEvents.errorEvent(x.event_id, x.error),
  'session.created': (x) => TranslationServerEvents.sessionCreated(x.event_id, x.session),
  'session.updated': (x) => TranslationServerEvents.sessionUpdated(x.event_id, x.session),
  'session.closed': (x) => TranslationServerEvents.sessionClosed(x.event_id),
  'session.input_transcript.delta': (x) =>
    TranslationServerEvents.inputTranscriptDelta(x.event_id, x.delta, x.elapsed_ms),
  'session.output_transcript.delta': (x) =>
    TranslationServerEvents.outputTranscriptDelta(x.event_id, x.delta, x.elapsed_ms),
  'session.output_audio.delta': (x) =>
    TranslationServerEvents.outputAudioDelta(x.event_id, x.delta, x.elapsed_ms),
};

const buildClient: {
  [T in TranslationClientEventType]: (x: Example) => RealtimeTranslationClientEvent;
} = {
  'session.update': (x) => TranslationClientEvents.sessionUpdate(x.event_id, x.session),
  'session.input_audio_buffer.append': (x) =>
    TranslationClientEvents.inputAudioBufferAppend(x.event_id, x.audio),
  'session.close': (x) => TranslationClientEvents.sessionClose(x.event_id),
};

describe('TranslationServerEvents', () => {
  it('has a builder for each of the 7 translation server events', () => {
    expect([...serverSchemaNames.keys()]).toEqual([...TRANSLATION_SERVER_EVENT_TYPES]);
    expect(Object.keys(buildServer).sort()).toEqual([...TRANSLATION_SERVER_EVENT_TYPES].sort());
    expect(Object.keys(TranslationServerEvents)).toHaveLength(7);
  });

  it.each([...serverSchemaNames])(
    '%s rebuilds its official example, valid and decodable',
    (type, name) => {
      const example = officialExample(name);
      const built = buildServer[type as TranslationServerEventType](example);
      expect(built).toEqual(example);
      expect(specErrors(built, name)).toBeUndefined();
      expect(decodeTranslationServerEvent(JSON.stringify(built))).toMatchObject({
        ok: true,
        known: true,
      });
    },
  );

  it('writes elapsed_ms when given, null as null, and leaves it out when undefined', () => {
    expect(TranslationServerEvents.outputTranscriptDelta('e', 'x', 200)).toEqual({
      type: 'session.output_transcript.delta',
      event_id: 'e',
      delta: 'x',
      elapsed_ms: 200,
    });
    expect(TranslationServerEvents.inputTranscriptDelta('e', 'x', null)).toHaveProperty(
      'elapsed_ms',
      null,
    );
    expect(TranslationServerEvents.outputAudioDelta('e', 'AAAA')).not.toHaveProperty('elapsed_ms');
  });

  it('every event it builds, from any arguments, is valid and decodes lossless (property)', () => {
    const eventId = fc.string({ maxLength: 40 });
    const elapsed = fc.option(fc.nat(), { nil: undefined });
    const built = fc.oneof(
      fc
        .tuple(eventId, fc.string(), elapsed)
        .map(([id, delta, ms]) => TranslationServerEvents.inputTranscriptDelta(id, delta, ms)),
      fc
        .tuple(eventId, fc.string(), fc.option(fc.nat()))
        .map(([id, delta, ms]) => TranslationServerEvents.outputTranscriptDelta(id, delta, ms)),
      fc
        .tuple(eventId, fc.base64String(), elapsed)
        .map(([id, delta, ms]) => TranslationServerEvents.outputAudioDelta(id, delta, ms)),
      eventId.map((id) => TranslationServerEvents.sessionClosed(id)),
      fc
        .tuple(eventId, fc.string({ maxLength: 8 }))
        .map(([id, language]) =>
          TranslationServerEvents.sessionUpdated(
            id,
            translationSession({ id: 'sess_1', expiresAt: 1, outputLanguage: language }),
          ),
        ),
    );
    fc.assert(
      fc.property(built, (event) => {
        expect(specErrors(event, serverSchemaNames.get(event.type)!)).toBeUndefined();
        const json = JSON.stringify(event);
        expect(decodeTranslationServerEvent(json)).toEqual({
          ok: true,
          known: true,
          event: JSON.parse(json),
        });
      }),
    );
  });
});

describe('TranslationClientEvents', () => {
  it('has a builder for each of the 3 translation client events', () => {
    expect(Object.keys(buildClient).sort()).toEqual([...TRANSLATION_CLIENT_EVENT_TYPES].sort());
    expect(Object.keys(TranslationClientEvents)).toHaveLength(3);
  });

  it.each([...clientSchemaNames])(
    '%s rebuilds its official example, with no problem',
    (type, name) => {
      const example = officialExample(name);
      const built = buildClient[type as TranslationClientEventType](example);
      expect(built).toEqual(example);
      expect(specErrors(built, name)).toBeUndefined();
      expect(translationClientEventProblem(built)).toBeUndefined();
      expect(decodeTranslationClientEvent(built)).toMatchObject({ ok: true, known: true });
    },
  );

  it('leaves an absent event id out', () => {
    expect(TranslationClientEvents.sessionClose()).toEqual({ type: 'session.close' });
    expect(TranslationClientEvents.inputAudioBufferAppend(undefined, 'AAAA')).toEqual({
      type: 'session.input_audio_buffer.append',
      audio: 'AAAA',
    });
  });
});

describe('translationSession', () => {
  it('rebuilds the spec example of a translation session', () => {
    const example = officialExample('RealtimeTranslationSession') as Example;
    const built = translationSession({
      id: example.id,
      expiresAt: example.expires_at,
      outputLanguage: example.audio.output.language,
      model: example.model,
      transcription: example.audio.input.transcription,
      noiseReduction: example.audio.input.noise_reduction,
    });
    expect(built).toEqual(example);
    expect(specErrors(built, 'RealtimeTranslationSession')).toBeUndefined();
  });

  it("fills in the live API's defaults: the translate model, no transcription, no noise reduction", () => {
    const built = translationSession({ id: 'sess_1', expiresAt: 10, outputLanguage: 'de' });
    expect(built).toEqual({
      id: 'sess_1',
      type: 'translation',
      model: 'gpt-realtime-translate',
      expires_at: 10,
      audio: {
        input: { noise_reduction: null, transcription: null },
        output: { language: 'de' },
      },
    });
    expect(specErrors(built, 'RealtimeTranslationSession')).toBeUndefined();
  });
});

describe('wrong arguments in plain JavaScript', () => {
  const untyped = <T>(value: T) =>
    value as unknown as Record<string, (...args: unknown[]) => unknown>;

  it('every server builder refuses a missing event id, naming itself', () => {
    for (const [name, build] of Object.entries(untyped(TranslationServerEvents))) {
      expect(() => build(), name).toThrow(
        new TypeError(`TranslationServerEvents.${name}: eventId must be a string`),
      );
    }
  });

  it('refuses a wrong payload or elapsedMs without showing it', () => {
    const secret = 'a secret transcript';
    expect(() => untyped(TranslationServerEvents).outputTranscriptDelta?.('e', 5)).toThrow(
      'TranslationServerEvents.outputTranscriptDelta: delta must be a string',
    );
    try {
      untyped(TranslationServerEvents).outputAudioDelta?.('e', 'AAAA', secret);
      expect.unreachable();
    } catch (error) {
      expect((error as Error).message).toBe(
        'TranslationServerEvents.outputAudioDelta: elapsedMs must be a number when given',
      );
    }
    expect(() => untyped(TranslationClientEvents).sessionUpdate?.(undefined, 'es')).toThrow(
      'TranslationClientEvents.sessionUpdate: session must be an object',
    );
    expect(() => untyped(TranslationClientEvents).sessionClose?.(42)).toThrow(
      'TranslationClientEvents.sessionClose: eventId must be a string when given',
    );
  });

  it('translationSession names the wrong option', () => {
    const build = translationSession as (options: unknown) => unknown;
    const valid = { id: 's', expiresAt: 1, outputLanguage: 'es' };
    const cases: Array<[unknown, string]> = [
      [null, 'options must be an object'],
      [{ ...valid, id: 1 }, 'options.id must be a string'],
      [{ ...valid, expiresAt: '1' }, 'options.expiresAt must be a number'],
      [{ ...valid, outputLanguage: undefined }, 'options.outputLanguage must be a string'],
      [{ ...valid, model: 7 }, 'options.model must be a string'],
      [{ ...valid, transcription: 'whisper' }, 'options.transcription must be an object or null'],
      [{ ...valid, noiseReduction: [] }, 'options.noiseReduction must be an object or null'],
    ];
    for (const [options, message] of cases) {
      expect(() => build(options)).toThrow(new TypeError(`translationSession: ${message}`));
    }
  });
});
