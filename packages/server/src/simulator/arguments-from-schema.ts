import { exceedsNesting } from '@rtwire/types';
import { estimateHeldBytes } from '../held-bytes.ts';

/** How deep nested objects and arrays are filled before the rest is left out. */
const MAX_DEPTH = 6;
/**
 * How many schemas one value may pass through (`anyOf` inside `anyOf` …) before it is left
 * `null`: with {@link MAX_DEPTH}, what bounds the recursion, whatever the schema's depth.
 */
const MAX_STEPS = 64;
/** The most values (strings, numbers, objects, array items) one call makes. */
const MAX_VALUES = 2048;
/** The deepest and the largest `const`, `default` or `enum` value taken as it is given. */
const MAX_GIVEN_DEPTH = 16;
const MAX_GIVEN_BYTES = 16 * 1024;

type Schema = Readonly<Record<string, unknown>>;

const isSchema = (value: unknown): value is Schema =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Example values of the string formats JSON Schema names, as a tool would accept them. */
const FORMATS: Readonly<Record<string, string>> = {
  date: '2025-01-01',
  'date-time': '2025-01-01T12:00:00Z',
  time: '12:00:00',
  email: 'user@example.com',
  uri: 'https://example.com/',
  url: 'https://example.com/',
  uuid: '00000000-0000-4000-8000-000000000000',
  hostname: 'example.com',
  ipv4: '192.0.2.1',
};

/**
 * Arguments a tool's `parameters` JSON Schema accepts, made deterministically: every required
 * property (all of them when none is marked), `const`, `default` and the first `enum` value
 * where given, the types asked for, simple string formats, lengths and numeric bounds
 * honoured, and strings drawn from `words` (the user's text). So a tool declared with a zod
 * schema in an SDK gets arguments it can parse. Bounded whatever the schema: six levels of
 * objects and arrays, 64 schemas deep (`anyOf` in `anyOf` …), 2,048 values, and a `const`,
 * `default` or `enum` value is taken only when it is small (16 levels, about 16 KiB); past
 * that, parts are left out or `null`, never a throw.
 *
 * @example
 * ```ts
 * argumentsFromSchema(
 *   { type: 'object', properties: { city: { type: 'string' }, days: { type: 'integer', minimum: 1 } }, required: ['city'] },
 *   'weather in Paris',
 * ); // { city: 'weather in Paris' }
 * ```
 */
export function argumentsFromSchema(schema: unknown, words: string): unknown {
  const state: Walk = { words, valuesLeft: MAX_VALUES };
  return valueFor(isSchema(schema) ? schema : { type: 'object' }, state, 0, 0, 'value');
}

/** One call's words and what it may still make. */
interface Walk {
  readonly words: string;
  valuesLeft: number;
}

function valueFor(schema: Schema, walk: Walk, depth: number, steps: number, name: string): unknown {
  if (steps >= MAX_STEPS || walk.valuesLeft <= 0) return null;
  walk.valuesLeft--;
  if ('const' in schema && isSmall(schema.const)) return schema.const;
  if (schema.default !== undefined && isSmall(schema.default)) return schema.default;
  if (Array.isArray(schema.enum) && schema.enum.length > 0 && isSmall(schema.enum[0])) {
    return schema.enum[0];
  }
  for (const key of ['anyOf', 'oneOf', 'allOf'] as const) {
    const options = schema[key];
    if (Array.isArray(options) && isSchema(options[0])) {
      // allOf: the first part stands for the whole, which a simple schema suffices for.
      return valueFor(options[0], walk, depth, steps + 1, name);
    }
  }
  const type = Array.isArray(schema.type)
    ? (schema.type.find((candidate) => candidate !== 'null') ?? 'null')
    : schema.type;
  switch (type) {
    case 'string':
      return stringFor(schema, walk.words || name);
    case 'integer':
    case 'number':
      return numberFor(schema, type === 'integer');
    case 'boolean':
      return true;
    case 'null':
      return null;
    case 'array': {
      if (depth >= MAX_DEPTH) return [];
      const items = isSchema(schema.items) ? schema.items : { type: 'string' };
      const count = Math.max(1, typeof schema.minItems === 'number' ? schema.minItems : 1);
      const result: unknown[] = [];
      for (let index = 0; index < Math.min(count, 8) && walk.valuesLeft > 0; index++) {
        result.push(valueFor(items, walk, depth + 1, steps + 1, name));
      }
      return result;
    }
    default:
      return objectFor(schema, walk, depth, steps);
  }
}

function objectFor(
  schema: Schema,
  walk: Walk,
  depth: number,
  steps: number,
): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  if (depth >= MAX_DEPTH) return result;
  const properties = isSchema(schema.properties) ? schema.properties : {};
  const required = Array.isArray(schema.required)
    ? schema.required.filter((key): key is string => typeof key === 'string')
    : Object.keys(properties);
  for (const key of required) {
    if (walk.valuesLeft <= 0) break;
    const property = properties[key];
    Object.defineProperty(result, key, {
      value: valueFor(isSchema(property) ? property : {}, walk, depth + 1, steps + 1, key),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return result;
}

/**
 * Whether a value the schema gives (`const`, `default`, `enum`) is taken as it is: not when
 * it nests or weighs more than arguments need, which only a schema built to hurt does (or
 * one built in process, which no decoder has bounded).
 */
function isSmall(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return true;
  return (
    !exceedsNesting(value, MAX_GIVEN_DEPTH) &&
    estimateHeldBytes(value, MAX_GIVEN_BYTES) <= MAX_GIVEN_BYTES
  );
}

function stringFor(schema: Schema, words: string): string {
  const format = typeof schema.format === 'string' ? FORMATS[schema.format] : undefined;
  let text = format ?? words;
  const max = typeof schema.maxLength === 'number' ? schema.maxLength : undefined;
  // Bounded: a schema is client input, and `minLength: 1e9` must not cost a gigabyte.
  const min = typeof schema.minLength === 'number' ? Math.min(schema.minLength, 1024) : 0;
  if (max !== undefined && text.length > max) text = text.slice(0, max);
  while (text.length < min) text += 'x';
  return text;
}

function numberFor(schema: Schema, integer: boolean): number {
  const low =
    typeof schema.minimum === 'number'
      ? schema.minimum
      : typeof schema.exclusiveMinimum === 'number'
        ? schema.exclusiveMinimum + (integer ? 1 : 0.5)
        : undefined;
  const high =
    typeof schema.maximum === 'number'
      ? schema.maximum
      : typeof schema.exclusiveMaximum === 'number'
        ? schema.exclusiveMaximum - (integer ? 1 : 0.5)
        : undefined;
  let value = low ?? (high !== undefined ? Math.min(1, high) : 1);
  if (integer) value = Math.ceil(value);
  return value;
}
