import { Ajv } from 'ajv';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { escapePointer, validateJsonSchema } from './json-schema.ts';

const order = {
  type: 'object',
  properties: {
    order: { type: 'string', minLength: 2, maxLength: 8, pattern: '^[A-Z]-\\d+$' },
    quantity: { type: 'integer', minimum: 1, maximum: 10 },
    rush: { type: 'boolean' },
    tags: { type: 'array', items: { enum: ['a', 'b'] }, maxItems: 2, uniqueItems: true },
    note: { anyOf: [{ type: 'string' }, { type: 'null' }] },
  },
  required: ['order'],
  additionalProperties: false,
};

describe('validateJsonSchema', () => {
  it('names a JSON pointer and what was expected, never the value', () => {
    expect(validateJsonSchema({ order: 7, quantity: 0, extra: 'secret-value' }, order)).toEqual([
      { path: '/order', expected: 'a string' },
      { path: '/quantity', expected: 'at least 1' },
      { path: '/extra', expected: 'no such field (known: order, quantity, rush, tags, note)' },
    ]);
    expect(validateJsonSchema({}, order)).toEqual([
      { path: '/order', expected: 'a value (required)' },
    ]);
    expect(validateJsonSchema({ order: 'A-1', tags: ['a', 'a'] }, order)).toEqual([
      { path: '/tags/1', expected: 'an item unlike the ones before it' },
    ]);
    expect(JSON.stringify(validateJsonSchema({ order: 'secret-value' }, order))).not.toContain(
      'secret-value',
    );
  });

  it('resolves local $refs and escapes pointer segments', () => {
    const schema = {
      type: 'object',
      additionalProperties: { $ref: '#/definitions/name' },
      definitions: { name: { type: 'string', maxLength: 3 } },
    };
    expect(validateJsonSchema({ 'a/b': 'long', '~': 'ok' }, schema)).toEqual([
      { path: '/a~1b', expected: 'a string of at most 3 characters' },
    ]);
    expect(escapePointer('~/')).toBe('~0~1');
    expect(validateJsonSchema(1, { $ref: '#/nowhere' })).toEqual([
      { path: '', expected: 'a schema at #/nowhere' },
    ]);
  });

  it('refuses nesting past the depth limit instead of recursing without end', () => {
    let deep: unknown = 'x';
    for (let level = 0; level < 10_000; level++) deep = [deep];
    const result = validateJsonSchema(deep, {
      $ref: '#/definitions/tree',
      definitions: { tree: { type: ['array', 'string'], items: { $ref: '#/definitions/tree' } } },
    });
    expect(result).toEqual([
      { path: expect.stringMatching(/^(\/0)+$/), expected: 'at most 64 levels of nesting' },
    ]);
  });

  it('stops at maxViolations', () => {
    const items = Array.from({ length: 100 }, () => 1);
    expect(
      validateJsonSchema(items, { type: 'array', items: { type: 'string' } }, { maxViolations: 3 }),
    ).toHaveLength(3);
  });

  it('agrees with ajv on whether a value is valid, for generated values', () => {
    const ajv = new Ajv({ strict: false });
    const compiled = ajv.compile(order);
    const value = fc.oneof(
      fc.record(
        {
          order: fc.oneof(fc.stringMatching(/^[A-Z]-\d{1,7}$/), fc.string(), fc.integer()),
          quantity: fc.oneof(fc.integer({ min: -2, max: 12 }), fc.double(), fc.constant('3')),
          rush: fc.oneof(fc.boolean(), fc.constant(null)),
          tags: fc.array(fc.constantFrom('a', 'b', 'c'), { maxLength: 3 }),
          note: fc.oneof(fc.string(), fc.constant(null), fc.integer()),
          other: fc.anything(),
        },
        { requiredKeys: [] },
      ),
      fc.anything(),
    );
    fc.assert(
      fc.property(value, (candidate) => {
        expect(validateJsonSchema(candidate, order).length === 0).toBe(compiled(candidate));
      }),
      { numRuns: 2000 },
    );
  });
});
