import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type JsonSchema, validateJsonSchema } from './json-schema.ts';

/** `levels` arrays (or objects under `key`) around `leaf`, built without recursion. */
function nest(levels: number, leaf: unknown = 'x', key?: string): unknown {
  let value = leaf;
  for (let level = 0; level < levels; level++)
    value = key === undefined ? [value] : { [key]: value };
  return value;
}

/** A schema `levels` deep through `keyword` (`allOf`, `anyOf`, `not`, `items`). */
function nestedSchema(levels: number, keyword: 'allOf' | 'anyOf' | 'not' | 'items'): JsonSchema {
  let schema: JsonSchema = { type: 'string' };
  for (let level = 0; level < levels; level++) {
    schema =
      keyword === 'not' || keyword === 'items' ? { [keyword]: schema } : { [keyword]: [schema] };
  }
  return schema;
}

describe('validateJsonSchema on hostile schemas and values', () => {
  it('a schema that refers to itself through allOf, anyOf or not ends with a violation, not a stack overflow', () => {
    for (const schema of [
      { allOf: [{ $ref: '#' }] },
      { anyOf: [{ $ref: '#' }, { type: 'null' }] },
      { oneOf: [{ $ref: '#' }] },
      { not: { not: { $ref: '#' } } },
      { properties: { a: { $ref: '#' } }, allOf: [{ $ref: '#' }] },
    ]) {
      const violations = validateJsonSchema({ a: 1 }, schema);
      expect(violations.length, JSON.stringify(schema)).toBeGreaterThan(0);
    }
  });

  it('a schema whose alternatives fan out on every level is checked within a bounded number of steps', () => {
    // Each level tries both alternatives of the level below: 2^depth steps without a budget.
    const schema = {
      definitions: { n: { anyOf: [{ $ref: '#/definitions/n' }, { $ref: '#/definitions/n' }] } },
      $ref: '#/definitions/n',
    };
    expect(validateJsonSchema('x', schema)).toEqual([
      expect.objectContaining({ expected: expect.stringMatching(/steps|levels/) }),
    ]);
  });

  it('a schema within the level limit whose alternatives multiply the work stops at the step budget', () => {
    // 100 levels of two alternatives each: 2^100 paths, none deeper than the level limit.
    const definitions: Record<string, JsonSchema> = { d100: false };
    for (let level = 0; level < 100; level++) {
      const next = { $ref: `#/definitions/d${level + 1}` };
      definitions[`d${level}`] = { anyOf: [next, next] };
    }
    expect(validateJsonSchema('x', { definitions, $ref: '#/definitions/d0' })).toEqual([
      { path: '', expected: expect.stringMatching(/bounded number of steps/) },
    ]);
  });

  it('a schema or a value 100,000 levels deep gets a violation naming the limit', () => {
    for (const keyword of ['allOf', 'anyOf', 'not', 'items'] as const) {
      const violations = validateJsonSchema([], nestedSchema(100_000, keyword));
      expect(violations, keyword).toEqual([
        { path: '', expected: expect.stringMatching(/levels/) },
      ]);
    }
    const deep = nest(100_000);
    expect(validateJsonSchema([deep, deep], { type: 'array', uniqueItems: true })).toEqual([
      {
        path: expect.stringMatching(/^\/[01](\/0){15}$/),
        expected: 'at most 64 levels of nesting',
      },
    ]);
    expect(validateJsonSchema(deep, { const: nest(100_000) })).toHaveLength(1);
    expect(validateJsonSchema('x', { enum: [nest(100_000)] })).toHaveLength(1);
    expect(validateJsonSchema(nest(100_000, 1, 'k'), { type: 'object' })).toEqual([
      { path: '/k/k/k/k/k/k/k/k/k/k/k/k/k/k/k/k', expected: 'at most 64 levels of nesting' },
    ]);
  });

  it('never throws, for values and schemas of random depth (to 100,000), width and size', () => {
    const depth = fc.oneof(fc.integer({ min: 0, max: 200 }), fc.integer({ min: 0, max: 100_000 }));
    const value = fc
      .tuple(depth, fc.anything({ maxDepth: 3 }), fc.option(fc.string({ maxLength: 8 })))
      .map(([levels, leaf, key]) => nest(levels, leaf, key ?? undefined));
    const schema = fc.oneof(
      fc
        .tuple(
          depth,
          fc.constantFrom('allOf', 'anyOf', 'not', 'items') as fc.Arbitrary<
            'allOf' | 'anyOf' | 'not' | 'items'
          >,
        )
        .map(([levels, keyword]) => nestedSchema(levels, keyword)),
      fc.record(
        {
          type: fc.constantFrom('array', 'object', 'string'),
          uniqueItems: fc.boolean(),
          const: value,
          enum: fc.array(value, { maxLength: 2 }),
          additionalProperties: fc.constantFrom<JsonSchema>({ $ref: '#' }, true, false),
          items: fc.constant<JsonSchema>({ $ref: '#' }),
        },
        { requiredKeys: [] },
      ),
    );
    fc.assert(
      fc.property(value, schema, (candidate, against) => {
        const violations = validateJsonSchema(candidate, against);
        expect(Array.isArray(violations)).toBe(true);
      }),
      { numRuns: 50 },
    );
  });
});
