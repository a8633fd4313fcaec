import { describe, expect, it } from 'vitest';
import { inputsOf } from '../test/decode-inputs.ts';
import {
  eventSchemaNames,
  eventTypeOf,
  gaTraffic,
  officialExamples,
  schemas,
} from '../test/spec.ts';
import { createDecodeError, errorCodeOf, errorParamOf, isDecodeError } from './decode-error.ts';
import { decodeClientEvent, decodeServerEvent } from './decode-event.ts';
import { SERVER_EVENT_TYPES } from './generated/event-types.ts';

const encoder = new TextEncoder();

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

describe('hostile values', () => {
  // Planted in everything thrown or returned: it must never reach an error.
  const SECRET = 'sk-HOSTILE-VALUE';
  const hostileThrown = {
    toString: () => SECRET,
    get message() {
      return SECRET;
    },
  };
  const thrower = () => {
    throw hostileThrown;
  };
  const revoked = () => {
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    return proxy;
  };
  const throwingAt = (frame: Record<string, unknown>, path: Array<string | number>) => {
    let target = frame as Record<string | number, unknown>;
    for (const key of path.slice(0, -1)) target = target[key] as Record<string | number, unknown>;
    Object.defineProperty(target, path.at(-1)!, { get: thrower, enumerable: true });
    return frame;
  };
  type Decode = typeof decodeClientEvent | typeof decodeServerEvent;
  const refused: Array<[string, Decode, () => unknown]> = [
    [
      'a throwing type getter',
      decodeClientEvent,
      () => ({
        get type(): string {
          throw 1;
        },
      }),
    ],
    ['a revoked proxy', decodeClientEvent, revoked],
    ['a revoked proxy (server)', decodeServerEvent, revoked],
    [
      'a proxy whose getPrototypeOf trap throws',
      decodeServerEvent,
      () => new Proxy({}, { getPrototypeOf: thrower }),
    ],
    [
      'a proxy whose getOwnPropertyDescriptor trap throws',
      decodeClientEvent,
      () => new Proxy({ type: 'response.create' }, { getOwnPropertyDescriptor: thrower }),
    ],
    [
      'a proxy whose get trap throws',
      decodeClientEvent,
      () => new Proxy({ type: 'response.create' }, { get: thrower }),
    ],
    [
      'a throwing getter on session',
      decodeClientEvent,
      () => throwingAt({ type: 'session.update', session: {} }, ['session']),
    ],
    [
      'a throwing getter on session.type',
      decodeClientEvent,
      () =>
        throwingAt({ type: 'session.update', session: { type: 'realtime' } }, ['session', 'type']),
    ],
    [
      'a revoked proxy as item',
      decodeClientEvent,
      () => ({ type: 'conversation.item.create', item: revoked() }),
    ],
    [
      'a proxy whose get trap throws as item',
      decodeClientEvent,
      () => ({ type: 'conversation.item.create', item: new Proxy({}, { get: thrower }) }),
    ],
    [
      'a throwing getter on response.input[0]',
      decodeClientEvent,
      () =>
        throwingAt({ type: 'response.create', response: { input: [{ type: 'message' }] } }, [
          'response',
          'input',
          0,
        ]),
    ],
    [
      'a revoked proxy as session.include (Array.isArray throws)',
      decodeClientEvent,
      () => ({ type: 'session.update', session: { type: 'realtime', include: revoked() } }),
    ],
    [
      'a throwing getter on response.output[0]',
      decodeServerEvent,
      () =>
        throwingAt(
          { type: 'response.done', event_id: 'e', response: { output: [{ type: 'message' }] } },
          ['response', 'output', 0],
        ),
    ],
  ];
  for (const [label, decode, make] of refused) {
    it(`refuses ${label} as invalid_input, saying reading threw, echoing nothing`, () => {
      const result = decode(make());
      // Not toMatchObject: on failure it would print the hostile event, and throw doing so.
      expect(result.ok).toBe(false);
      if (result.ok) return;
      expect(result.error.code).toBe('invalid_input');
      expect(result.error.path).toBe('');
      expect(isDecodeError(result.error)).toBe(true);
      expect(result.error.message).toContain('threw');
      expect(JSON.stringify(result.error)).not.toContain(SECRET);
    });
  }

  it('refuses a legacy frame whose keys cannot be listed when normalizing', () => {
    const frame = new Proxy({ type: 'response.text.delta' }, { ownKeys: thrower });
    expect(decodeServerEvent(frame, { legacyNames: 'normalize' })).toMatchObject({
      ok: false,
      error: { code: 'invalid_input' },
    });
  });

  it('never throws for traps the decoder need not run', () => {
    for (const trap of ['has', 'ownKeys', 'set', 'defineProperty', 'deleteProperty'] as const) {
      const frame = new Proxy({ type: 'response.create' }, { [trap]: thrower });
      expect(decodeClientEvent(frame), trap).toMatchObject({ ok: true, known: true });
    }
  });

  it('never coerces: throwing toString, valueOf and Symbol.toPrimitive are only values', () => {
    const coercible = {
      toString: thrower,
      valueOf: thrower,
      [Symbol.toPrimitive]: thrower,
      toJSON: thrower,
    };
    expect(decodeClientEvent({ type: coercible })).toMatchObject({
      ok: false,
      error: { code: 'missing_type' },
    });
    expect(
      decodeClientEvent({ type: 'input_audio_buffer.append', audio: coercible }),
    ).toMatchObject({ ok: false, error: { code: 'invalid_field', path: '/audio' } });
    expect(decodeClientEvent(coercible)).toMatchObject({
      ok: false,
      error: { code: 'missing_type' },
    });
  });

  it('reads the type once, so a getter that changes its answer cannot pass the frame off as an error', () => {
    let reads = 0;
    const frame = {
      get type() {
        return reads++ === 0 ? 'response.create' : 5;
      },
      code: 'invalid_json',
      message: SECRET,
    };
    const result = decodeClientEvent(frame);
    expect(reads).toBe(1);
    if (!result.ok) {
      expect(isDecodeError(result.error)).toBe(true);
      expect(result.error.message).not.toContain(SECRET);
    } else {
      expect(result.known).toBe(true);
    }
  });

  it('still decodes proxies and typed-array views that read cleanly', () => {
    const proxy = new Proxy({ type: 'response.create', event_id: 'e' }, {});
    expect(decodeClientEvent(proxy)).toMatchObject({ ok: true, known: true, event: proxy });
    const bytes = encoder.encode('{"type":"response.create"}');
    const view = new DataView(bytes.buffer);
    expect(decodeClientEvent(view)).toMatchObject({ ok: true, known: true });
    // A proxy of bytes is not bytes: it has no internal slot to decode.
    expect(decodeClientEvent(new Proxy(bytes, {}))).toMatchObject({
      ok: false,
      error: { code: 'not_an_object' },
    });
  });
});

describe('byte order mark', () => {
  const json = '{"type":"response.create"}';
  const bom = [0xef, 0xbb, 0xbf];

  it('is refused as invalid_json in a string frame and in a bytes frame alike (RFC 8259 §8.1)', () => {
    const bytes = new Uint8Array([...bom, ...encoder.encode(json)]);
    for (const input of [`\uFEFF${json}`, bytes, bytes.buffer]) {
      expect(decodeClientEvent(input)).toMatchObject({
        ok: false,
        error: { code: 'invalid_json' },
      });
    }
  });

  it('is data inside a string value', () => {
    const text = '{"type":"response.create","event_id":"\uFEFFe"}';
    for (const input of [text, encoder.encode(text)]) {
      expect(decodeClientEvent(input)).toMatchObject({
        ok: true,
        known: true,
        event: { event_id: '\uFEFFe' },
      });
    }
  });
});

describe('DecodeError eventId', () => {
  const refusals: Array<[string, string, string]> = [
    ['missing_type', '{"event_id":"evt_1"}', 'evt_1'],
    ['missing_type', '{"type":7,"event_id":"evt_2"}', 'evt_2'],
    ['missing_field', '{"type":"conversation.item.delete","event_id":"evt_3"}', 'evt_3'],
    [
      'invalid_field',
      '{"type":"conversation.item.delete","event_id":"evt_4","item_id":5}',
      'evt_4',
    ],
  ];
  for (const [code, json, eventId] of refusals) {
    it(`${code} carries the frame's own event_id, from string, bytes and object`, () => {
      for (const [kind, input] of Object.entries(inputsOf(json))) {
        expect(decodeClientEvent(input), kind).toMatchObject({
          ok: false,
          error: { code, eventId },
        });
      }
    });
  }

  it('is carried for server events too', () => {
    const result = decodeServerEvent('{"type":"response.output_text.delta","event_id":"evt_5"}');
    expect(result).toMatchObject({ ok: false, error: { code: 'missing_field', eventId: 'evt_5' } });
  });

  it('keeps up to 256 characters and leaves longer ids out', () => {
    const frame = (id: string) =>
      JSON.stringify({ type: 'conversation.item.delete', event_id: id });
    const longest = 'e'.repeat(256);
    expect(decodeClientEvent(frame(longest))).toMatchObject({ error: { eventId: longest } });
    const result = decodeClientEvent(frame(`${longest}e`));
    expect(result.ok).toBe(false);
    if (!result.ok) expect('eventId' in result.error).toBe(false);
  });

  const without: Array<[string, unknown]> = [
    ['no event_id', '{"type":"conversation.item.delete"}'],
    ['a numeric event_id', '{"type":"conversation.item.delete","event_id":5}'],
    ['an event_id under an own __proto__ key', '{"__proto__":{"event_id":"e"}}'],
    ['an array', '[{"event_id":"e"}]'],
    ['broken JSON', '{"event_id":"e"'],
    ['an inherited-type object', Object.assign(Object.create({ type: 'x' }), { event_id: 'e' })],
    [
      'a throwing event_id getter',
      {
        get event_id(): string {
          throw new Error('e');
        },
      },
    ],
  ];
  for (const [label, input] of without) {
    it(`is absent for ${label}`, () => {
      const result = decodeClientEvent(input);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(Object.keys(result.error)).not.toContain('eventId');
    });
  }

  it('is read on the error path only: accepted frames are returned as they came', () => {
    const frame = { type: 'conversation.item.delete', item_id: 'i', event_id: 'e' };
    expect(decodeClientEvent(frame)).toEqual({ ok: true, known: true, event: frame });
  });
});

describe('createDecodeError', () => {
  it('keeps its positional event type, and takes details with an eventId', () => {
    expect(createDecodeError('missing_type', '/type', 'm')).toEqual({
      code: 'missing_type',
      path: '/type',
      message: 'm',
    });
    expect(createDecodeError('invalid_field', '/a', 'm', 'session.update')).toEqual({
      code: 'invalid_field',
      path: '/a',
      message: 'm',
      eventType: 'session.update',
    });
    const error = createDecodeError('missing_field', '/a', 'm', { eventId: 'e' });
    expect(error).toEqual({ code: 'missing_field', path: '/a', message: 'm', eventId: 'e' });
    expect(Object.keys(error)).toEqual(['code', 'path', 'message', 'eventId']);
    expect(isDecodeError(error)).toBe(true);
  });
});

describe('errorParamOf', () => {
  it('names a decode error path as the live API names a param', () => {
    expect(errorParamOf('')).toBeNull();
    expect(errorParamOf('/item_id')).toBe('item_id');
    expect(errorParamOf('/session/tools/0/name')).toBe('session.tools[0].name');
    expect(errorParamOf('/0')).toBe('[0]');
    expect(errorParamOf('/a~1b/c~0d')).toBe('a/b.c~d');
  });
});

describe('errorCodeOf', () => {
  it('tells frames that are not JSON objects from invalid events', () => {
    const codeOf = (frame: string) => {
      const result = decodeClientEvent(frame);
      return result.ok ? 'decoded' : errorCodeOf(result.error);
    };
    expect(codeOf('[1,2]')).toBe('invalid_json');
    expect(codeOf('{"type":')).toBe('invalid_json');
    expect(codeOf('"text"')).toBe('invalid_json');
    expect(codeOf('{"event_id":"e"}')).toBe('invalid_event');
    expect(codeOf('{"type":"conversation.item.delete"}')).toBe('invalid_event');
    expect(codeOf('{"type":"input_audio_buffer.append","audio":1}')).toBe('invalid_event');
  });
});
