/** A JSON Schema (the subset {@link validateJsonSchema} reads), as parsed JSON. */
export type JsonSchema = boolean | { readonly [keyword: string]: unknown };

/** One place a value does not match its schema: where (a JSON pointer) and what was expected. */
export interface SchemaViolation {
  /** JSON pointer into the validated value (`''` is the value itself). */
  readonly path: string;
  /** What the schema expected there, in words; never the value itself. */
  readonly expected: string;
}

/** Options of {@link validateJsonSchema}. */
export interface ValidateOptions {
  /** The document `$ref`s resolve in (`#/definitions/…`, `#/$defs/…`); the schema by default. */
  readonly root?: JsonSchema;
  /** Violations reported at most (the rest are not looked for). Default 20. */
  readonly maxViolations?: number;
  /** How deep the value may nest before it is refused. Default 64. */
  readonly maxDepth?: number;
}

const TYPE_WORDS: Record<string, string> = {
  object: 'an object',
  array: 'an array',
  string: 'a string',
  number: 'a number',
  integer: 'an integer',
  boolean: 'a boolean',
  null: 'null',
};

const patterns = new Map<string, RegExp | null>();

/**
 * Validates a parsed JSON value against a JSON Schema, with no code generation (no `eval`, so
 * it runs on Workers): `type`, `enum`, `const`, `properties`, `required`,
 * `additionalProperties`, `items`, `minItems` / `maxItems`, `uniqueItems`, `minLength` /
 * `maxLength`, `pattern`, `minimum` / `maximum` and their exclusive forms, `anyOf`, `oneOf`,
 * `allOf`, `not` and local `$ref`s. Other keywords are ignored, as validators do with
 * keywords they do not know. Returns the violations (empty when the value matches), each
 * naming a JSON pointer and what was expected.
 *
 * @example
 * ```ts
 * validateJsonSchema({ order: 7 }, { type: 'object', properties: { order: { type: 'string' } } });
 * // [{ path: '/order', expected: 'a string' }]
 * ```
 */
export function validateJsonSchema(
  value: unknown,
  schema: JsonSchema,
  options: ValidateOptions = {},
): SchemaViolation[] {
  const violations: SchemaViolation[] = [];
  const limit = options.maxViolations ?? 20;
  const maxDepth = options.maxDepth ?? 64;
  const root = options.root ?? schema;

  const report = (path: string, expected: string): undefined => {
    if (violations.length < limit) violations.push({ path, expected });
  };

  const check = (node: unknown, at: JsonSchema, path: string, depth: number): undefined => {
    if (violations.length >= limit) return;
    if (at === true) return;
    if (at === false) return report(path, 'nothing (no value is allowed here)');
    if (depth > maxDepth) return report(path, `at most ${maxDepth} levels of nesting`);
    let schemaNode = at;
    for (let hops = 0; typeof schemaNode.$ref === 'string'; hops++) {
      const target = hops < 32 ? resolveRef(root, schemaNode.$ref) : undefined;
      if (target === undefined) return report(path, `a schema at ${String(schemaNode.$ref)}`);
      if (typeof target === 'boolean') return check(node, target, path, depth);
      schemaNode = target;
    }
    const s = schemaNode;
    const kind = typeOf(node);

    if (s.type !== undefined) {
      const types = Array.isArray(s.type) ? (s.type as string[]) : [s.type as string];
      const matches = types.some(
        (type) => type === kind || (type === 'number' && kind === 'integer'),
      );
      if (!matches) return report(path, types.map((type) => TYPE_WORDS[type] ?? type).join(' or '));
    }
    if (Array.isArray(s.enum) && !s.enum.some((option) => jsonEqual(option, node))) {
      return report(path, `one of ${s.enum.map((option) => JSON.stringify(option)).join(', ')}`);
    }
    if (s.const !== undefined && !jsonEqual(s.const, node)) {
      return report(path, `${JSON.stringify(s.const)}`);
    }

    if (kind === 'string') {
      const text = node as string;
      const length = [...text].length;
      if (typeof s.minLength === 'number' && length < s.minLength) {
        report(path, `a string of at least ${s.minLength} characters`);
      }
      if (typeof s.maxLength === 'number' && length > s.maxLength) {
        report(path, `a string of at most ${s.maxLength} characters`);
      }
      if (typeof s.pattern === 'string') {
        const pattern = compile(s.pattern);
        if (pattern === null) report(path, `a valid regular expression in the schema's pattern`);
        else if (!pattern.test(text)) report(path, `a string matching ${s.pattern}`);
      }
    } else if (kind === 'number' || kind === 'integer') {
      const number = node as number;
      if (typeof s.minimum === 'number' && number < s.minimum)
        report(path, `at least ${s.minimum}`);
      if (typeof s.maximum === 'number' && number > s.maximum) report(path, `at most ${s.maximum}`);
      if (typeof s.exclusiveMinimum === 'number' && number <= s.exclusiveMinimum) {
        report(path, `more than ${s.exclusiveMinimum}`);
      }
      if (typeof s.exclusiveMaximum === 'number' && number >= s.exclusiveMaximum) {
        report(path, `less than ${s.exclusiveMaximum}`);
      }
    } else if (kind === 'array') {
      const items = node as unknown[];
      if (typeof s.minItems === 'number' && items.length < s.minItems) {
        report(path, `at least ${s.minItems} items`);
      }
      if (typeof s.maxItems === 'number' && items.length > s.maxItems) {
        report(path, `at most ${s.maxItems} items`);
      }
      if (s.uniqueItems === true) {
        const seen = new Set<string>();
        items.forEach((item, index) => {
          const key = JSON.stringify(item);
          if (seen.has(key)) report(`${path}/${index}`, 'an item unlike the ones before it');
          seen.add(key);
        });
      }
      if (isSchema(s.items)) {
        const itemSchema = s.items;
        items.forEach((item, index) => {
          check(item, itemSchema, `${path}/${index}`, depth + 1);
        });
      }
    } else if (kind === 'object') {
      const object = node as Record<string, unknown>;
      const properties = (s.properties ?? {}) as Record<string, JsonSchema>;
      if (Array.isArray(s.required)) {
        for (const key of s.required as string[]) {
          if (!Object.hasOwn(object, key))
            report(`${path}/${escapePointer(key)}`, 'a value (required)');
        }
      }
      for (const key of Object.keys(object)) {
        const child = `${path}/${escapePointer(key)}`;
        if (Object.hasOwn(properties, key)) {
          check(object[key], properties[key] as JsonSchema, child, depth + 1);
        } else if (s.additionalProperties === false) {
          const known = Object.keys(properties);
          report(
            child,
            known.length > 0 ? `no such field (known: ${known.join(', ')})` : 'no field',
          );
        } else if (isSchema(s.additionalProperties)) {
          check(object[key], s.additionalProperties, child, depth + 1);
        }
      }
    }

    if (Array.isArray(s.allOf)) {
      for (const part of s.allOf) if (isSchema(part)) check(node, part, path, depth);
    }
    const alternatives = Array.isArray(s.anyOf)
      ? s.anyOf
      : Array.isArray(s.oneOf)
        ? s.oneOf
        : undefined;
    if (alternatives !== undefined) {
      const matching = alternatives.filter(
        (part) =>
          isSchema(part) &&
          validateJsonSchema(node, part, { root, maxViolations: 1, maxDepth: maxDepth - depth })
            .length === 0,
      ).length;
      if (matching === 0)
        report(path, `a value matching one of ${alternatives.length} alternatives`);
      else if (Array.isArray(s.oneOf) && matching > 1)
        report(path, 'a value matching exactly one alternative');
    }
    if (
      isSchema(s.not) &&
      validateJsonSchema(node, s.not, { root, maxViolations: 1 }).length === 0
    ) {
      report(path, 'a value the schema excludes (not)');
    }
  };

  check(value, schema, '', 0);
  return violations;
}

function isSchema(value: unknown): value is JsonSchema {
  return (
    typeof value === 'boolean' ||
    (typeof value === 'object' && value !== null && !Array.isArray(value))
  );
}

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function resolveRef(root: JsonSchema, ref: string): JsonSchema | undefined {
  if (ref === '#') return root;
  if (!ref.startsWith('#/')) return undefined;
  let node: unknown = root;
  for (const part of ref.slice(2).split('/')) {
    const key = part.replace(/~1/g, '/').replace(/~0/g, '~');
    if (typeof node !== 'object' || node === null || !Object.hasOwn(node, key)) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return isSchema(node) ? node : undefined;
}

function compile(pattern: string): RegExp | null {
  let compiled = patterns.get(pattern);
  if (compiled === undefined) {
    try {
      compiled = new RegExp(pattern, 'u');
    } catch {
      compiled = null;
    }
    if (patterns.size < 1024) patterns.set(pattern, compiled);
  }
  return compiled;
}

/**
 * Escapes one JSON pointer segment (`~` → `~0`, `/` → `~1`).
 *
 * @example
 * ```ts
 * escapePointer('a/b'); // 'a~1b'
 * ```
 */
export function escapePointer(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const keysA = Object.keys(a);
  const keysB = Object.keys(b);
  if (keysA.length !== keysB.length) return false;
  return keysA.every(
    (key) =>
      Object.hasOwn(b, key) &&
      jsonEqual((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]),
  );
}
