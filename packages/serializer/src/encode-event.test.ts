import { CLIENT_EVENT_TYPES, SERVER_EVENT_TYPES, type UnknownEvent } from '@rtwire/types';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { anyNumber, anyString, anyValue, extraFields } from '../test/arbitraries.ts';
import { clientExamples, serverExamples } from '../test/spec-examples.ts';
import {
  encodeClientEvent,
  encodeClientEventBytes,
  encodeServerEvent,
  encodeServerEventBytes,
  encodeServerEventInto,
} from './encode-event.ts';
import { MAX_ENCODE_DEPTH } from './engine/encode-value.ts';

const decoder = new TextDecoder('utf-8', { fatal: true });

/** Replaces every leaf of `example` with an arbitrary value of its kind. */
function mutate(example: unknown): fc.Arbitrary<unknown> {
  if (typeof example === 'string') return fc.oneof(fc.constant(example), anyString);
  if (typeof example === 'number') return fc.oneof(fc.constant(example), anyNumber);
  if (Array.isArray(example)) return fc.tuple(...example.map(mutate));
  if (typeof example === 'object' && example !== null) {
    const fields = Object.fromEntries(
      Object.entries(example).map(([key, value]) => [key, mutate(value)]),
    );
    return fc.record(fields);
  }
  return fc.constant(example);
}

function arbitraryEvent(
  type: string,
  example: Record<string, unknown>,
): fc.Arbitrary<UnknownEvent> {
  const { type: _type, ...rest } = example;
  return fc
    .tuple(mutate(rest), extraFields)
    .map(([fields, extra]) => ({ type, ...(fields as object), ...extra }));
}

function expectSameAsJson(event: object, text: string, bytes: Uint8Array): void {
  const expected = JSON.stringify(event);
  // Same keys in the same order as JSON.stringify, so the text is equal, not just parse-equal.
  expect(text).toBe(expected);
  expect(decoder.decode(bytes)).toBe(expected);
  expect(JSON.parse(text)).toStrictEqual(JSON.parse(expected));
}

describe('encodeServerEvent / encodeServerEventBytes', () => {
  it('has a spec example for every one of the 46 server event types', () => {
    expect(SERVER_EVENT_TYPES.length).toBe(46);
    for (const type of SERVER_EVENT_TYPES) expect(serverExamples.has(type), type).toBe(true);
  });

  for (const type of SERVER_EVENT_TYPES) {
    it(`${type}: encodes like JSON.stringify for arbitrary field values and extra fields`, () => {
      fc.assert(
        fc.property(arbitraryEvent(type, serverExamples.get(type)!), (event) => {
          expectSameAsJson(event, encodeServerEvent(event), encodeServerEventBytes(event));
        }),
        { numRuns: 60 },
      );
    });
  }

  it('encodes arbitrary unknown events like JSON.stringify', () => {
    fc.assert(
      fc.property(anyString, extraFields, anyValue, (type, extra, payload) => {
        const event = { type, ...extra, payload };
        expectSameAsJson(event, encodeServerEvent(event), encodeServerEventBytes(event));
      }),
      { numRuns: 500 },
    );
  });

  it('writes numbers as JSON.stringify does and omits undefined', () => {
    const event = { type: 'x', a: -0, b: Number.NaN, c: -Infinity, d: 1e21, e: undefined, f: null };
    expect(encodeServerEvent(event)).toBe(
      '{"type":"x","a":0,"b":null,"c":null,"d":1e+21,"f":null}',
    );
    expect(decoder.decode(encodeServerEventBytes(event))).toBe(encodeServerEvent(event));
  });

  it('follows toJSON, unboxes primitives and drops functions and symbols', () => {
    const event = {
      type: 'x',
      when: new Date(0),
      boxed: [Object(1), Object('s'), Object(false)],
      f: () => 1,
      s: Symbol('s'),
      list: [undefined, () => 1, Symbol('t')],
      custom: { toJSON: (key: string) => `key:${key}` },
    };
    expectSameAsJson(event, encodeServerEvent(event), encodeServerEventBytes(event));
  });

  it('throws a TypeError for BigInt, as JSON.stringify does, and a bounded RangeError for circular values', () => {
    expect(() => encodeServerEvent({ type: 'x', n: 1n })).toThrow(TypeError);
    expect(() => encodeServerEventBytes({ type: 'x', n: 1n })).toThrow(TypeError);
    const circular: Record<string, unknown> = { type: 'x' };
    circular.self = { circular };
    expect(() => encodeServerEvent(circular as UnknownEvent)).toThrow(/refers to itself/);
    expect(() => encodeServerEventBytes(circular as UnknownEvent)).toThrow(/refers to itself/);
  });

  const nested = (levels: number): unknown => {
    let deep: unknown = 'leaf';
    for (let depth = 0; depth < levels; depth++) deep = depth % 2 ? [deep] : { deep };
    return deep;
  };

  it('encodes values as deep as MAX_ENCODE_DEPTH', () => {
    // The event object is level 1.
    const event = { type: 'x', deep: nested(MAX_ENCODE_DEPTH - 1) };
    expectSameAsJson(event, encodeServerEvent(event), encodeServerEventBytes(event));
  });

  it('refuses deeper values with a RangeError that names the bound, never a stack overflow', () => {
    for (const levels of [MAX_ENCODE_DEPTH, 5_000, 100_000]) {
      const event = { type: 'x', deep: nested(levels) };
      for (const encode of [encodeServerEvent, encodeServerEventBytes, encodeClientEvent]) {
        expect(() => encode(event)).toThrow(/nests deeper than 256 levels/);
      }
    }
  });
});

describe('encodeClientEvent / encodeClientEventBytes', () => {
  for (const type of CLIENT_EVENT_TYPES) {
    it(`${type}: encodes like JSON.stringify`, () => {
      expect(clientExamples.has(type), type).toBe(true);
      fc.assert(
        fc.property(arbitraryEvent(type, clientExamples.get(type)!), (event) => {
          expectSameAsJson(event, encodeClientEvent(event), encodeClientEventBytes(event));
        }),
        { numRuns: 40 },
      );
    });
  }
});

describe('returned bytes', () => {
  it('are never overwritten by later encodes (a socket may still hold them)', () => {
    const kept: Array<[Uint8Array, Uint8Array]> = [];
    for (let index = 0; index < 3000; index++) {
      const event = { type: 'x', event_id: `event_${index}`, delta: 'x'.repeat(index % 97) };
      const bytes = encodeServerEventBytes(event);
      kept.push([bytes, bytes.slice()]);
    }
    for (const [bytes, copy] of kept) expect(bytes).toStrictEqual(copy);
    const ranges = kept.map(([bytes]) => bytes);
    const distinct = new Set(ranges.map((bytes) => bytes.buffer));
    expect(distinct.size).toBeGreaterThan(1);
  });
});

describe('encodeServerEventInto', () => {
  it('writes at the offset and returns the length', () => {
    const event = { type: 'x', delta: 'héllo' };
    const target = new Uint8Array(64);
    const length = encodeServerEventInto(event, target, 5);
    expect(decoder.decode(target.subarray(5, 5 + length))).toBe(JSON.stringify(event));
  });

  it('throws a RangeError naming the sizes when the target is too small', () => {
    expect(() => encodeServerEventInto({ type: 'x', a: 'long' }, new Uint8Array(8))).toThrow(
      /needs 23/,
    );
  });
});
