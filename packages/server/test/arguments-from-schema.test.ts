import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { argumentsFromSchema } from '../src/index.ts';

// ajv-formats is CommonJS: its default export is the function, or holds it, by loader.
const addFormats = ((addFormatsModule as { default?: unknown }).default ??
  addFormatsModule) as unknown as (ajv: Ajv) => void;
const ajv = new Ajv({ strict: false, allErrors: true });
addFormats(ajv);
const valid = (schema: object, value: unknown) => {
  const check = ajv.compile(schema);
  const ok = check(value);
  return ok ? undefined : check.errors;
};

describe('argumentsFromSchema', () => {
  it('fills what a zod-made tool schema requires, with the types, enums, formats and bounds it asks for', () => {
    // What zod-to-json-schema makes of z.object({ city, days, unit, when, email, tags, address }).
    const schema = {
      type: 'object',
      properties: {
        city: { type: 'string', minLength: 2 },
        days: { type: 'integer', minimum: 1, maximum: 14 },
        ratio: { type: 'number', exclusiveMinimum: 0 },
        unit: { type: 'string', enum: ['celsius', 'fahrenheit'] },
        when: { type: 'string', format: 'date' },
        email: { type: 'string', format: 'email' },
        tags: { type: 'array', items: { type: 'string' }, minItems: 2 },
        address: {
          type: 'object',
          properties: { street: { type: 'string' }, zip: { type: ['string', 'null'] } },
          required: ['street', 'zip'],
          additionalProperties: false,
        },
        optional: { type: 'boolean' },
      },
      required: ['city', 'days', 'ratio', 'unit', 'when', 'email', 'tags', 'address'],
      additionalProperties: false,
    };
    const value = argumentsFromSchema(schema, 'weather in Oslo');
    expect(valid(schema, value)).toBeUndefined();
    expect(value).toMatchObject({ city: 'weather in Oslo', unit: 'celsius', days: 1 });
    expect(value).not.toHaveProperty('optional');
  });

  it('fills every property when none is marked required, and takes const and default', () => {
    const schema = {
      type: 'object',
      properties: {
        a: { const: 7 },
        b: { type: 'string', default: 'dflt' },
        c: { type: 'boolean' },
      },
    };
    expect(argumentsFromSchema(schema, 'x')).toEqual({ a: 7, b: 'dflt', c: true });
  });

  it('never throws, whatever the schema, and what it returns survives JSON', () => {
    fc.assert(
      fc.property(fc.anything(), fc.string(), (schema, words) => {
        const value = argumentsFromSchema(schema, words);
        expect(() => JSON.stringify(value)).not.toThrow();
      }),
      { numRuns: 2000 },
    );
  });

  it('keeps __proto__ keys as data', () => {
    const schema = JSON.parse(
      '{"type":"object","properties":{"__proto__":{"type":"string"}},"required":["__proto__"]}',
    );
    const value = argumentsFromSchema(schema, 'w') as Record<string, unknown>;
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(JSON.stringify(value)).toBe('{"__proto__":"w"}');
  });
});
