import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { officialExamples } from '../test/spec.ts';
import { validClientEvents } from '../test/valid-client-events.ts';
import { clientEventProblem } from './client-event-problem.ts';
import { decodeClientEvent } from './decode-event.ts';

// A marker no spec value contains: if it shows up in a problem, the client's input was echoed.
const SECRET = 'sk-SECRETPAYLOAD';

type Json = Record<string, unknown>;
type Event = { readonly type: string } & Json;

const examples: readonly Event[] = officialExamples('RealtimeClientEvent').map(
  ({ example }) => example as Event,
);
const corpus: readonly Event[] = [...examples, ...validClientEvents.map(({ event }) => event)];

/**
 * Fields whose objects the spec leaves open (a tool's JSON Schema, metadata, MCP headers and
 * annotations, prompt variables): any key goes there, so no extra key is refused in them.
 */
const OPEN = new Set([
  'parameters',
  'metadata',
  'input_schema',
  'annotations',
  'headers',
  'variables',
]);

interface Place {
  /** Where the object is, from the event down. */
  readonly segments: readonly (string | number)[];
  /** Its param as the live API writes it; `''` for the event itself. */
  readonly param: string;
}

/** Every closed object of an event, and its param. */
function closedObjects(event: Json): Place[] {
  const places: Place[] = [];
  const walk = (value: unknown, segments: (string | number)[], param: string) => {
    if (Array.isArray(value)) {
      for (const [index, item] of value.entries()) {
        walk(item, [...segments, index], `${param}[${index}]`);
      }
      return;
    }
    if (typeof value !== 'object' || value === null) return;
    places.push({ segments, param });
    for (const [key, child] of Object.entries(value)) {
      if (OPEN.has(key)) continue;
      walk(child, [...segments, key], param === '' ? key : `${param}.${key}`);
    }
  };
  walk(event, [], '');
  return places;
}

/** A deep copy of a JSON event with `key: value` added to the object at `segments`. */
function withKey(
  event: Event,
  segments: readonly (string | number)[],
  key: string,
  value: unknown,
) {
  const copy = JSON.parse(JSON.stringify(event)) as Json;
  let target: Json = copy;
  for (const segment of segments) target = target[segment as string] as Json;
  // defineProperty, not assignment: `__proto__` must become an own key, as JSON.parse makes it.
  Object.defineProperty(target, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
  return copy as Event;
}

const placedIn = fc.nat().chain((seed) => {
  const event = corpus[seed % corpus.length]!;
  const places = closedObjects(event);
  return fc.record({ event: fc.constant(event), place: fc.constantFrom(...places) });
});

const jsonValue = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.string().map((text) => `${text}${SECRET}`),
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(fc.string(), tie('value'), { maxKeys: 3 }),
  ),
})).value;

describe('clientEventProblem (properties)', () => {
  it('finds no problem in any official example, with or without an event_id, as parsed or decoded', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...examples),
        fc.option(fc.string({ maxLength: 512 }), { nil: undefined }),
        (example, eventId) => {
          const event = eventId === undefined ? example : { ...example, event_id: eventId };
          expect(clientEventProblem(event)).toBeUndefined();
          const decoded = decodeClientEvent(JSON.stringify(event));
          expect(decoded.ok && decoded.known).toBe(true);
          if (decoded.ok) expect(clientEventProblem(decoded.event)).toBeUndefined();
        },
      ),
    );
  });

  it('names an extra key at any depth of a closed object as an unknown parameter, by its path', () => {
    const name = fc.stringMatching(/^[a-z][a-z0-9_]{0,20}$/).map((key) => `x_${key}`);
    fc.assert(
      fc.property(placedIn, name, jsonValue, ({ event, place }, key, value) => {
        const problem = clientEventProblem(withKey(event, place.segments, key, value));
        const param = place.param === '' ? key : `${place.param}.${key}`;
        expect(problem).toEqual({
          code: 'unknown_parameter',
          param,
          message: `Unknown parameter: '${param}'.`,
        });
      }),
    );
  });

  it('never echoes a key that does not look like a field name: it names the parent', () => {
    const hostile = fc
      .tuple(fc.string(), fc.constantFrom(' ', '.', '/', '\n', "'", '[', '\u2028', '"'))
      .map(([text, unsafe]) => `${text}${unsafe}${SECRET}`);
    fc.assert(
      fc.property(placedIn, hostile, jsonValue, ({ event, place }, key, value) => {
        const problem = clientEventProblem(withKey(event, place.segments, key, value));
        expect(problem).toMatchObject({
          code: 'unknown_parameter',
          param: place.param === '' ? null : place.param,
        });
        expect(JSON.stringify(problem)).not.toContain(SECRET);
      }),
    );
  });

  it('never throws and never echoes a value, whatever replaces a field at any depth', () => {
    fc.assert(
      fc.property(placedIn, fc.nat(), jsonValue, ({ event, place }, seed, value) => {
        const copy = JSON.parse(JSON.stringify(event)) as Json;
        let target: Json = copy;
        for (const segment of place.segments) target = target[segment as string] as Json;
        const keys = Object.keys(target);
        if (keys.length > 0) target[keys[seed % keys.length]!] = value;
        const problem = clientEventProblem(copy as Event);
        expect(JSON.stringify(problem ?? null)).not.toContain(SECRET);
        if (problem !== undefined) {
          expect(problem.param === null || /^[A-Za-z0-9_$[\].-]+$/.test(problem.param)).toBe(true);
        }
      }),
    );
  });
});
