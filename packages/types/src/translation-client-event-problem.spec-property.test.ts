// translationClientEventProblem against the spec's translation schemas, as the realtime check
// is held to its own (test/client-event-properties.ts says how): every valid translation client
// event passes, as built and decoded, and every single mutation is judged as ajv judges it. Then
// the fields a translation `session.update` may not carry, at every depth, named by their path.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  describeClientEventProperties,
  eventTreeArb,
  liveErrorsOf,
  specErrorsOf,
} from '../test/client-event-properties.ts';
import { schemaNamesByType } from '../test/spec.ts';
import { decodeTranslationClientEvent } from './decode-translation-event.ts';
import { translationClientEventProblem } from './translation-client-event-problem.ts';

const schemaNames = schemaNamesByType('RealtimeTranslationClientEvent');

describeClientEventProperties({
  title: 'translationClientEventProblem over events generated from the spec (properties)',
  schemaNames,
  problemOf: translationClientEventProblem,
  decode: decodeTranslationClientEvent,
  weights: { 'session.update': 4 },
  minimumUniverse: 30,
});

type Json = Record<string, unknown>;

/**
 * The closed objects of a translation `session.update`, each with the least that makes it
 * valid when the generated event left it out (a union member needs its required field).
 */
const PLACES: ReadonlyArray<readonly [path: readonly string[], least: Json]> = [
  [[], {}],
  [['session'], {}],
  [['session', 'audio'], {}],
  [['session', 'audio', 'input'], {}],
  [['session', 'audio', 'output'], {}],
  [['session', 'audio', 'input', 'transcription'], { model: 'gpt-realtime-whisper' }],
  [['session', 'audio', 'input', 'noise_reduction'], { type: 'near_field' }],
];

const updates = eventTreeArb(new Map([['session.update', schemaNames.get('session.update')!]])).map(
  (tree) => tree.json as Json & { type: string },
);
const fieldKey = fc.stringMatching(/^[a-z][a-z0-9_]{0,12}$/).map((key) => `x_${key}`);
const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** A copy of `event` with an object at `path` (the generated one, or the least valid one). */
function withObjectAt(event: Json, path: readonly string[], least: Json): [Json, Json] {
  const copy = structuredClone(event);
  let target = copy;
  path.forEach((key, index) => {
    const last = index === path.length - 1;
    if (!isObject(target[key])) target[key] = last ? { ...least } : {};
    target = target[key] as Json;
  });
  return [copy, target];
}

describe('translationClientEventProblem refuses a field the translation session does not take', () => {
  const liveErrors = liveErrorsOf(schemaNames);
  const specErrors = specErrorsOf(schemaNames);

  for (const [path, least] of PLACES) {
    const where = path.length === 0 ? 'the event' : path.join('.');
    it(`an unknown field in ${where}, named by its path (ajv's live reading agrees)`, () => {
      fc.assert(
        fc.property(updates, fieldKey, (generated, key) => {
          const [event, target] = withObjectAt(generated, path, least);
          // Without the unknown field the event is valid: the refusal is the key's alone.
          expect(translationClientEventProblem(event as { type: string })).toBeUndefined();
          target[key] = 'x';
          const param = [...path, key].join('.');
          expect(translationClientEventProblem(event as { type: string })).toEqual({
            code: 'unknown_parameter',
            param,
            message: `Unknown parameter: '${param}'.`,
          });
          expect(liveErrors(event as { type: string })).toBeDefined();
          // The spec leaves these objects open; the live API refuses what they do not name.
          expect(specErrors(event as { type: string })).toBeUndefined();
        }),
        { numRuns: 100 },
      );
    });
  }
});
