/** How deep nested objects and arrays are filled before the rest is left out. */
const MAX_DEPTH = 6;

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
 * schema in an SDK gets arguments it can parse.
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
  return valueFor(isSchema(schema) ? schema : { type: 'object' }, words, 0, 'value');
}

function valueFor(schema: Schema, words: string, depth: number, name: string): unknown {
  if ('const' in schema) return schema.const;
  if (schema.default !== undefined) return schema.default;
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0];
  for (const key of ['anyOf', 'oneOf', 'allOf'] as const) {
    const options = schema[key];
    if (Array.isArray(options) && isSchema(options[0])) {
      // allOf: the first part stands for the whole, which a simple schema suffices for.
      return valueFor(options[0], words, depth, name);
    }
  }
  const type = Array.isArray(schema.type)
    ? (schema.type.find((candidate) => candidate !== 'null') ?? 'null')
    : schema.type;
  switch (type) {
    case 'string':
      return stringFor(schema, words || name);
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
      return Array.from({ length: Math.min(count, 8) }, () =>
        valueFor(items, words, depth + 1, name),
      );
    }
    default:
      return objectFor(schema, words, depth);
  }
}

function objectFor(schema: Schema, words: string, depth: number): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  if (depth >= MAX_DEPTH) return result;
  const properties = isSchema(schema.properties) ? schema.properties : {};
  const required = Array.isArray(schema.required)
    ? schema.required.filter((key): key is string => typeof key === 'string')
    : Object.keys(properties);
  for (const key of required) {
    const property = properties[key];
    Object.defineProperty(result, key, {
      value: valueFor(isSchema(property) ? property : {}, words, depth + 1, key),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return result;
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
