import { describe, expect, it } from 'vitest';
import {
  eventSchemaNames,
  eventTypeOf,
  gaTraffic,
  officialExamples,
  schemas,
} from '../test/spec.ts';
import { decodeClientEvent, decodeServerEvent } from './decode-event.ts';
import { SERVER_EVENT_TYPES } from './generated/event-types.ts';

const encoder = new TextEncoder();
const inputsOf = (json: string) => ({
  string: json,
  bytes: encoder.encode(json),
  arrayBuffer: encoder.encode(json).buffer,
  object: JSON.parse(json) as unknown,
});

describe('official spec examples', () => {
  const server = officialExamples('RealtimeServerEvent');
  const client = officialExamples('RealtimeClientEvent');

  it('covers every event with an example (the spec misspells dtmf and has no response.create example)', () => {
    expect(server).toHaveLength(45);
    expect(server.map((entry) => entry.type)).not.toContain(
      'input_audio_buffer.dtmf_event_received',
    );
    expect(client).toHaveLength(10);
  });

  for (const { type, example } of server) {
    it(`server ${type} decodes known and lossless from string, bytes and object`, () => {
      const json = JSON.stringify(example);
      for (const [kind, input] of Object.entries(inputsOf(json))) {
        const result = decodeServerEvent(input);
        expect(result, kind).toMatchObject({ ok: true, known: true });
        if (result.ok) expect(result.event, kind).toStrictEqual(JSON.parse(json));
      }
    });
  }

  for (const { type, example } of client) {
    it(`client ${type} decodes known and lossless from string, bytes and object`, () => {
      const json = JSON.stringify(example);
      for (const [kind, input] of Object.entries(inputsOf(json))) {
        const result = decodeClientEvent(input);
        expect(result, kind).toMatchObject({ ok: true, known: true });
        if (result.ok) expect(result.event, kind).toStrictEqual(JSON.parse(json));
      }
    });
  }
});

describe('GA traffic (nulls and extra fields)', () => {
  for (const frame of gaTraffic) {
    const type = (JSON.parse(frame) as { type: string }).type;
    it(`${type} decodes known and lossless`, () => {
      const result = decodeServerEvent(frame);
      expect(result).toMatchObject({ ok: true, known: true });
      if (result.ok) expect(result.event).toStrictEqual(JSON.parse(frame));
    });
  }
});

/** A value of a JSON type the schema does not allow for the field. */
function wrongValueFor(schema: { type?: string | string[] } | undefined): unknown {
  const types = schema?.type === undefined ? [] : [schema.type].flat();
  if (types.includes('string')) return 12345;
  if (types.includes('integer') || types.includes('number')) return 'not a number';
  if (types.includes('array')) return { not: 'an array' };
  return 'not an object';
}

function resolved(schema: { $ref?: string } | undefined) {
  return schema?.$ref ? schemas[schema.$ref.replace('#/components/schemas/', '')] : schema;
}

describe('every required top-level field of every server event is enforced', () => {
  const examples = new Map(
    officialExamples('RealtimeServerEvent').map((entry) => [entry.type, entry.example]),
  );
  for (const name of eventSchemaNames('RealtimeServerEvent')) {
    const type = eventTypeOf(name);
    const schema = schemas[name]!;
    // The dtmf example's type is misspelled in the spec; a minimal valid frame stands in.
    const example = examples.get(type) ?? { type, event: '9', received_at: 1 };
    for (const field of schema.required ?? []) {
      if (field === 'type') continue;
      it(`${type}: missing /${field}`, () => {
        const frame: Record<string, unknown> = { ...example };
        delete frame[field];
        const result = decodeServerEvent(JSON.stringify(frame));
        expect(result.ok).toBe(false);
        if (!result.ok) {
          expect(result.error.code).toBe('missing_field');
          expect(result.error.path).toBe(`/${field}`);
          expect(result.error.eventType).toBe(type);
        }
      });
      it(`${type}: wrong JSON type at /${field}`, () => {
        const wrong = wrongValueFor(resolved(schema.properties?.[field]) as { type?: string });
        const result = decodeServerEvent({ ...example, [field]: wrong });
        expect(result.ok).toBe(false);
        if (!result.ok) {
          expect(result.error.code).toBe('invalid_field');
          expect(result.error.path).toBe(`/${field}`);
          expect(result.error.message).not.toContain(String(wrong));
        }
      });
    }
  }
  it('covers all 46 server events', () => {
    expect(eventSchemaNames('RealtimeServerEvent')).toHaveLength(46);
    expect(SERVER_EVENT_TYPES).toHaveLength(46);
  });
});

describe('nested fields', () => {
  const done = JSON.parse(gaTraffic.find((line) => line.includes('"response.done"'))!);

  it('points into nested arrays and objects', () => {
    done.response.output[0].id = 42;
    const result = decodeServerEvent(done);
    expect(result).toMatchObject({
      ok: false,
      error: { code: 'invalid_field', path: '/response/output/0/id' },
    });
  });

  it('allows null for optional nested objects, as the live API sends', () => {
    const frame = {
      type: 'response.done',
      event_id: 'e',
      response: { id: 'r', status_details: null, usage: null, metadata: null, output: null },
    };
    expect(decodeServerEvent(frame)).toMatchObject({ ok: true, known: true });
  });

  it('rejects null for a required field that does not allow it', () => {
    const frame = JSON.parse(gaTraffic.find((l) => l.includes('"response.output_text.delta"'))!);
    const result = decodeServerEvent({ ...frame, event_id: null });
    expect(result).toMatchObject({
      ok: false,
      error: { code: 'invalid_field', path: '/event_id' },
    });
  });

  it('rejects a fractional integer', () => {
    const frame = JSON.parse(gaTraffic.find((l) => l.includes('"response.output_text.delta"'))!);
    const result = decodeServerEvent({ ...frame, output_index: 0.5 });
    expect(result).toMatchObject({ ok: false, error: { path: '/output_index' } });
  });
});

describe('frames that are not events', () => {
  const cases: Array<[string, unknown, string]> = [
    ['null', null, 'not_an_object'],
    ['JSON null', 'null', 'not_an_object'],
    ['an array', [{ type: 'error' }], 'not_an_object'],
    ['a number', 42, 'not_an_object'],
    ['JSON text of a number', '42', 'not_an_object'],
    ['broken JSON', '{"type":', 'invalid_json'],
    ['no type', { event_id: 'x' }, 'missing_type'],
    ['a numeric type', { type: 7 }, 'missing_type'],
    ['an inherited type', Object.create({ type: 'error' }), 'not_an_object'],
    ['a __proto__ type', JSON.parse('{"__proto__":{"type":"error"}}'), 'missing_type'],
    [
      'a class instance',
      new (class Frame {
        type = 'error';
      })(),
      'not_an_object',
    ],
    ['a function', () => ({ type: 'error' }), 'invalid_input'],
    ['invalid UTF-8 bytes', new Uint8Array([0x7b, 0xff, 0x7d]), 'invalid_utf8'],
  ];
  for (const [label, input, code] of cases) {
    it(`rejects ${label} with ${code}`, () => {
      const result = decodeServerEvent(input);
      expect(result).toMatchObject({ ok: false, error: { code } });
    });
  }

  it('keeps __proto__ as plain data when the frame is otherwise valid', () => {
    const json = '{"type":"input_audio_buffer.cleared","event_id":"e","__proto__":{"polluted":1}}';
    const result = decodeServerEvent(json);
    expect(result).toMatchObject({ ok: true, known: true });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('unknown events', () => {
  it('are kept whole', () => {
    const frame = { type: 'response.future_thing', event_id: 'e', nested: { a: [1, null] } };
    const result = decodeServerEvent(JSON.stringify(frame));
    expect(result).toEqual({ ok: true, known: false, event: frame });
  });
});

describe('legacy beta names', () => {
  const beta = {
    type: 'response.audio_transcript.delta',
    event_id: 'e',
    response_id: 'r',
    item_id: 'i',
    output_index: 0,
    content_index: 0,
    delta: 'Hi',
  };

  it('stay unknown by default', () => {
    expect(decodeServerEvent(beta)).toMatchObject({ ok: true, known: false, event: beta });
  });

  it('normalize to GA names and are validated', () => {
    const result = decodeServerEvent(beta, { legacyNames: 'normalize' });
    expect(result).toEqual({
      ok: true,
      known: true,
      event: { ...beta, type: 'response.output_audio_transcript.delta' },
    });
    expect(beta.type).toBe('response.audio_transcript.delta');
    const invalid = decodeServerEvent({ ...beta, delta: 1 }, { legacyNames: 'normalize' });
    expect(invalid).toMatchObject({ ok: false, error: { path: '/delta' } });
  });

  it('map every beta name', () => {
    for (const [legacy, ga] of [
      ['response.text.delta', 'response.output_text.delta'],
      ['response.text.done', 'response.output_text.done'],
      ['response.audio.delta', 'response.output_audio.delta'],
      ['response.audio.done', 'response.output_audio.done'],
      ['response.audio_transcript.done', 'response.output_audio_transcript.done'],
    ]) {
      const result = decodeServerEvent({ type: legacy }, { legacyNames: 'normalize' });
      expect(result.ok ? result.event.type : result.error.eventType).toBe(ga);
    }
  });
});
