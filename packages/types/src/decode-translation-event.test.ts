import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { eventTreeArb } from '../test/client-event-properties.ts';
import { inputsOf } from '../test/decode-inputs.ts';
import {
  type EventUnion,
  eventSchemaNames,
  officialExamples,
  schemaNamesByType,
  schemas,
} from '../test/spec.ts';
import { decodeClientEvent, decodeServerEvent } from './decode-event.ts';
import {
  decodeTranslationClientEvent,
  decodeTranslationServerEvent,
} from './decode-translation-event.ts';
import { SERVER_EVENT_TYPES } from './generated/event-types.ts';
import {
  TRANSLATION_CLIENT_EVENT_TYPES,
  TRANSLATION_SERVER_EVENT_TYPES,
} from './generated/translation-event-types.ts';

const sides = [
  ['server', 'RealtimeTranslationServerEvent', decodeTranslationServerEvent],
  ['client', 'RealtimeTranslationClientEvent', decodeTranslationClientEvent],
] as const;

describe('official spec examples of the translation events', () => {
  it('cover every translation event: 7 server events (error included) and 3 client events', () => {
    expect(officialExamples('RealtimeTranslationServerEvent')).toHaveLength(7);
    expect(officialExamples('RealtimeTranslationClientEvent')).toHaveLength(3);
    expect(TRANSLATION_SERVER_EVENT_TYPES).toHaveLength(7);
    expect(TRANSLATION_CLIENT_EVENT_TYPES).toHaveLength(3);
  });

  for (const [side, union, decode] of sides) {
    for (const { type, example } of officialExamples(union)) {
      it(`${side} ${type} decodes known and lossless from string, bytes and object`, () => {
        const json = JSON.stringify(example);
        for (const [kind, input] of Object.entries(inputsOf(json))) {
          const result = decode(input);
          expect(result, kind).toMatchObject({ ok: true, known: true });
          if (result.ok) expect(result.event, kind).toStrictEqual(JSON.parse(json));
        }
      });
    }
  }
});

/** A value of a JSON type the schema does not allow for the field. */
function wrongValueFor(schema: { type?: string | string[]; $ref?: string } | undefined): unknown {
  const target = schema?.$ref ? schemas[schema.$ref.replace('#/components/schemas/', '')] : schema;
  const types = target?.type === undefined ? [] : [target.type].flat();
  if (types.includes('string')) return 12345;
  if (types.includes('integer') || types.includes('number')) return 'not a number';
  return 'not an object';
}

describe('every required top-level field of every translation event is enforced', () => {
  for (const [side, union, decode] of sides) {
    const examples = new Map(officialExamples(union).map((entry) => [entry.name, entry.example]));
    for (const name of eventSchemaNames(union as EventUnion)) {
      const schema = schemas[name]!;
      const example = examples.get(name)!;
      for (const field of schema.required ?? []) {
        if (field === 'type') continue;
        it(`${side} ${example.type}: missing /${field}, wrong JSON type at /${field}`, () => {
          const frame: Record<string, unknown> = { ...example };
          delete frame[field];
          expect(decode(JSON.stringify(frame))).toMatchObject({
            ok: false,
            error: { code: 'missing_field', path: `/${field}`, eventType: example.type },
          });
          const wrong = wrongValueFor(schema.properties?.[field]);
          const result = decode({ ...example, [field]: wrong });
          expect(result).toMatchObject({
            ok: false,
            error: { code: 'invalid_field', path: `/${field}`, eventType: example.type },
          });
          if (!result.ok) expect(result.error.message).not.toContain(String(wrong));
        });
      }
    }
  }
});

describe('nested fields of a translation session name their path', () => {
  const created = officialExamples('RealtimeTranslationServerEvent').find(
    (entry) => entry.type === 'session.created',
  )!.example;
  const update = officialExamples('RealtimeTranslationClientEvent').find(
    (entry) => entry.type === 'session.update',
  )!.example;
  const withAudio = (event: Record<string, unknown>, audio: unknown) => ({
    ...event,
    session: { ...(event.session as object), audio },
  });

  const cases: Array<[string, unknown, string, string]> = [
    [
      'an output language that is a number',
      { output: { language: 7 } },
      'invalid_field',
      '/output/language',
    ],
    [
      'a noise reduction of no type',
      { input: { noise_reduction: {} } },
      'missing_field',
      '/input/noise_reduction/type',
    ],
    [
      'a noise reduction type that is a number',
      { input: { noise_reduction: { type: 1 } } },
      'invalid_field',
      '/input/noise_reduction/type',
    ],
    [
      'a transcription with no model',
      { input: { transcription: {} } },
      'missing_field',
      '/input/transcription/model',
    ],
    ['an input that is an array', { input: [] }, 'invalid_field', '/input'],
  ];
  for (const [label, audio, code, path] of cases) {
    it(`${label}: refused at /session/audio${path}, server and client alike`, () => {
      for (const [event, decode] of [
        [created, decodeTranslationServerEvent],
        [update, decodeTranslationClientEvent],
      ] as const) {
        expect(decode(withAudio(event, audio))).toMatchObject({
          ok: false,
          error: { code, path: `/session/audio${path}` },
        });
      }
    });
  }

  it('takes null where a session field is optional, as the live API sends', () => {
    const audio = { input: { noise_reduction: null, transcription: null }, output: null };
    expect(decodeTranslationServerEvent(withAudio(created, audio))).toMatchObject({ ok: true });
    expect(decodeTranslationClientEvent(withAudio(update, audio))).toMatchObject({ ok: true });
  });

  it('requires the server session its id, expiry, model and audio', () => {
    for (const field of ['id', 'expires_at', 'model', 'audio', 'type']) {
      const session = { ...(created.session as Record<string, unknown>) };
      delete session[field];
      expect(decodeTranslationServerEvent({ ...created, session })).toMatchObject({
        ok: false,
        error: { code: 'missing_field', path: `/session/${field}` },
      });
    }
  });

  it('refuses a fractional elapsed_ms and takes a null one', () => {
    const delta = { type: 'session.output_audio.delta', event_id: 'e', delta: 'AAAA' };
    expect(decodeTranslationServerEvent({ ...delta, elapsed_ms: 1.5 })).toMatchObject({
      ok: false,
      error: { code: 'invalid_field', path: '/elapsed_ms' },
    });
    expect(decodeTranslationServerEvent({ ...delta, elapsed_ms: null })).toMatchObject({
      ok: true,
      known: true,
    });
  });
});

describe('the two protocols stay apart', () => {
  it('a realtime-only event is unknown to the translation decoders, kept whole', () => {
    const create = { type: 'response.create', response: { instructions: 'x' } };
    expect(decodeTranslationClientEvent(create)).toEqual({ ok: true, known: false, event: create });
    const done = { type: 'response.done', event_id: 'e', response: {} };
    expect(decodeTranslationServerEvent(done)).toEqual({ ok: true, known: false, event: done });
  });

  it('a translation-only event is unknown to the realtime decoders', () => {
    const shared = new Set<string>(SERVER_EVENT_TYPES);
    const own = officialExamples('RealtimeTranslationServerEvent').filter(
      ({ type }) => !shared.has(type),
    );
    expect(own.map(({ type }) => type)).toEqual([
      'session.closed',
      'session.input_transcript.delta',
      'session.output_transcript.delta',
      'session.output_audio.delta',
    ]);
    for (const { example } of own) {
      expect(decodeServerEvent(example)).toMatchObject({ ok: true, known: false });
    }
    const append = { type: 'session.input_audio_buffer.append', audio: 'AAAA' };
    expect(decodeClientEvent(append)).toMatchObject({ ok: true, known: false });
  });

  it('renames no beta-era name: translation sessions have none', () => {
    const legacy = { type: 'response.text.delta', event_id: 'e' };
    const result = decodeTranslationServerEvent(legacy, { legacyNames: 'normalize' } as object);
    expect(result).toEqual({ ok: true, known: false, event: legacy });
  });
});

describe('bounds and refusals, as decodeServerEvent', () => {
  const deep = (levels: number): unknown => {
    let value: unknown = 'x';
    for (let level = 0; level < levels; level++) value = { nested: value };
    return value;
  };

  it('refuses nesting past 128 levels as too_deep, echoing the event_id', () => {
    const frame = { type: 'session.closed', event_id: 'evt_deep', extra: deep(130) };
    for (const [kind, input] of Object.entries(inputsOf(JSON.stringify(frame)))) {
      if (kind === 'object') continue; // a parsed value is walked only with maxNesting set
      expect(decodeTranslationServerEvent(input), kind).toMatchObject({
        ok: false,
        error: { code: 'too_deep', eventType: 'session.closed', eventId: 'evt_deep' },
      });
    }
    expect(decodeTranslationServerEvent(frame, { maxNesting: 128 })).toMatchObject({
      ok: false,
      error: { code: 'too_deep' },
    });
    const shallow = { type: 'session.closed', event_id: 'e', extra: deep(100) };
    expect(decodeTranslationServerEvent(JSON.stringify(shallow))).toMatchObject({ ok: true });
  });

  it('echoes the refused frame own event_id, from string, bytes and object', () => {
    const json = '{"type":"session.input_audio_buffer.append","event_id":"evt_1"}';
    for (const [kind, input] of Object.entries(inputsOf(json))) {
      expect(decodeTranslationClientEvent(input), kind).toMatchObject({
        ok: false,
        error: { code: 'missing_field', path: '/audio', eventId: 'evt_1' },
      });
    }
  });

  it('refuses a value that throws when read as invalid_input, never throwing', () => {
    const hostile = {
      type: 'session.close',
      get event_id(): string {
        throw new Error('sk-secret');
      },
    };
    const result = decodeTranslationClientEvent(hostile);
    expect(result).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    expect(JSON.stringify(result)).not.toContain('sk-secret');
  });

  it('never throws, whatever the input (property)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.anything(), fc.json(), fc.string()), (input) => {
        for (const decode of [decodeTranslationClientEvent, decodeTranslationServerEvent]) {
          expect(typeof decode(input).ok).toBe('boolean');
        }
      }),
    );
  });
});

describe('every event the spec allows decodes known and lossless (property)', () => {
  for (const [side, union, decode] of sides) {
    it(`${side} events generated from the spec's translation schemas`, () => {
      const events = eventTreeArb(schemaNamesByType(union)).map((tree) => tree.json);
      fc.assert(
        fc.property(events, (event) => {
          const json = JSON.stringify(event);
          expect(decode(json)).toEqual({ ok: true, known: true, event: JSON.parse(json) });
        }),
        { numRuns: 300 },
      );
    });
  }
});
