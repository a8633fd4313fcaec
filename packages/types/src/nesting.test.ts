import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeClientEvent, decodeServerEvent } from './decode-event.ts';
import { exceedsNesting, MAX_NESTING_DEPTH, nestingOverflowPath } from './nesting.ts';

/** The reference: the depth of a JSON value by plain recursion (only for shallow values). */
function depthOf(value: unknown): number {
  if (typeof value !== 'object' || value === null) return 0;
  let deepest = 0;
  for (const child of Object.values(value)) deepest = Math.max(deepest, depthOf(child));
  return deepest + 1;
}

/** A value `levels` deep, alternating objects and arrays, built without recursion. */
function nested(levels: number, key = 'a'): unknown {
  let value: unknown = 1;
  for (let level = 0; level < levels; level++) value = level % 2 ? [value] : { [key]: value };
  return value;
}

describe('exceedsNesting', () => {
  it('agrees with the recursive depth for any JSON value and any limit', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 12 }), fc.nat(14), (value, limit) => {
        expect(exceedsNesting(value, limit)).toBe(depthOf(value) > limit);
        expect(nestingOverflowPath(value, limit) !== undefined).toBe(depthOf(value) > limit);
      }),
    );
  });

  it('answers for values far deeper than any stack, without recursion', () => {
    for (const levels of [129, 10_000, 1_000_000]) {
      expect(exceedsNesting(nested(levels))).toBe(true);
    }
    expect(exceedsNesting(nested(MAX_NESTING_DEPTH))).toBe(false);
  });

  it('stops on a value that refers to itself', () => {
    const cycle: Record<string, unknown> = {};
    cycle.self = [cycle];
    expect(exceedsNesting(cycle)).toBe(true);
  });

  it('names the field that holds the overflow, through field-name keys only', () => {
    expect(nestingOverflowPath({ a: [[1]] }, 2)).toBe('/a/0');
    expect(nestingOverflowPath({ a: [[1]] }, 2, 1)).toBe('/a');
    // A client-chosen key that is not field-name shaped never reaches the path.
    expect(nestingOverflowPath({ a: { 'sk-proj secret/key': nested(300) } })).toBe('/a');
    expect(nestingOverflowPath({ ['x'.repeat(65)]: nested(300) })).toBe('');
  });
});

describe('decoders and nesting', () => {
  const frame = (field: string, levels: number) =>
    `{"type":"response.create","response":{"${field}":${'['.repeat(levels)}${']'.repeat(levels)}}}`;

  it('refuse a frame nested deeper than the limit as too_deep, known type or not', () => {
    // response (2) + the field's own levels: 126 levels of arrays is 128 in all.
    expect(decodeClientEvent(frame('metadata_x', MAX_NESTING_DEPTH - 2)).ok).toBe(true);
    for (const levels of [MAX_NESTING_DEPTH - 1, 4_500, 100_000]) {
      const result = decodeClientEvent(frame('metadata_x', levels));
      expect(result).toMatchObject({
        ok: false,
        error: { code: 'too_deep', path: '/response/metadata_x/0/0', eventType: 'response.create' },
      });
    }
    const unknown = decodeServerEvent(
      `{"type":"x.y","v":${'{"k":'.repeat(5_000)}1${'}'.repeat(5_000)}}`,
    );
    expect(unknown).toMatchObject({ ok: false, error: { code: 'too_deep', path: '/v/k/k/k' } });
    expect(unknown.ok || unknown.error.eventType).toBeUndefined();
  });

  it('check values the caller parsed when given a limit, and take it for text too', () => {
    const event = { type: 'response.create', response: { extra: nested(40) } };
    expect(decodeClientEvent(event).ok).toBe(true);
    const tooDeep = { ok: false, error: { code: 'too_deep', path: '/response/extra/0/a' } };
    expect(decodeClientEvent(event, { maxNesting: 16 })).toMatchObject(tooDeep);
    expect(decodeClientEvent(JSON.stringify(event), { maxNesting: 16 })).toMatchObject(tooDeep);
    expect(decodeClientEvent(JSON.stringify(event), { maxNesting: 42 }).ok).toBe(true);
  });

  it('never put a client-chosen key in the message', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 20 }), (key) => {
        const result = decodeClientEvent(
          JSON.stringify({
            type: 'session.update',
            session: { type: 'realtime', [`secret ${key}`]: nested(200, key) },
          }),
        );
        expect(result.ok).toBe(false);
        if (!result.ok) {
          expect(result.error.code).toBe('too_deep');
          expect(result.error.message).not.toContain('secret');
          expect(result.error.path).toBe('/session');
        }
      }),
    );
  });
});
