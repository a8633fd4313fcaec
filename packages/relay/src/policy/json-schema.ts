import { exceedsNesting, nestingOverflowPath } from '@rtwire/types';

/** A JSON Schema (the subset the relay validates tool arguments with), as parsed JSON. */
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

/**
 * How deep a schema document may nest (as JSON), and how many checks deep the validator may
 * go through `properties`, `items`, `allOf`, `anyOf`, `oneOf`, `not` and `$ref` together. Both
 * keep the validator's recursion far from any runtime's stack limit, whatever the schema.
 */
const MAX_SCHEMA_NESTING = 128;
const MAX_CHECK_LEVELS = 256;
/**
 * Checks one validation may make: a fixed part plus a share per node of the value, so a large
 * valid value is checked in full while a schema whose alternatives refer to themselves (each
 * level trying every alternative of the next: exponential) stops with a violation.
 */
const BASE_STEPS = 10_000;
const STEPS_PER_NODE = 64;

const patterns = new Map<string, RegExp | null>();

/** What one validation shares with the sub-validations of its `anyOf` / `oneOf` / `not`. */
interface Budget {
  steps: number;
  /** Set when the steps or the levels ran out: the value is then refused, never passed. */
  exhausted: SchemaViolation | undefined;
}

/**
 * Validates a parsed JSON value against a JSON Schema, with no code generation (no `eval`, so
 * it runs on Workers): `type`, `enum`, `const`, `properties`, `required`,
 * `additionalProperties`, `items`, `minItems` / `maxItems`, `uniqueItems`, `minLength` /
 * `maxLength`, `pattern`, `minimum` / `maximum` and their exclusive forms, `anyOf`, `oneOf`,
 * `allOf`, `not` and local `$ref`s. Other keywords are ignored, as validators do with
 * keywords they do not know. Returns the violations (empty when the value matches), each
 * naming a JSON pointer and what was expected.
 *
 * Never throws and never recurses without bound, whatever the value or the schema: a value
 * nested deeper than `maxDepth`, a schema nested deeper than 128 levels, a schema that refers
 * to itself without end, or one whose alternatives multiply the work past a budget (10,000
 * checks plus 64 per node of the value) each end as one violation naming the limit.
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
  const maxDepth = options.maxDepth ?? 64;
  const root = options.root ?? schema;
  // Walked without recursion first: past these checks, every recursive step below is bounded.
  const tooDeep = nestingOverflowPath(value, maxDepth, 16);
  if (tooDeep !== undefined)
    return [{ path: tooDeep, expected: `at most ${maxDepth} levels of nesting` }];
  if (exceedsNesting(schema, MAX_SCHEMA_NESTING) || exceedsNesting(root, MAX_SCHEMA_NESTING)) {
    return [{ path: '', expected: `a schema nested at most ${MAX_SCHEMA_NESTING} levels` }];
  }
  const budget: Budget = {
    steps: BASE_STEPS + STEPS_PER_NODE * countNodes(value),
    exhausted: undefined,
  };
  const violations = collect(value, schema, root, options.maxViolations ?? 20, maxDepth, budget);
  return budget.exhausted === undefined ? violations : [budget.exhausted];
}

/** One validation's (or sub-validation's) violations, spending `budget`. */
function collect(
  value: unknown,
  schema: JsonSchema,
  root: JsonSchema,
  limit: number,
  maxDepth: number,
  budget: Budget,
  startLevel = 0,
): SchemaViolation[] {
  const violations: SchemaViolation[] = [];

  const report = (path: string, expected: string): undefined => {
    if (violations.length < limit) violations.push({ path, expected });
  };
  // Whether `node` matches `part`: a sub-validation on the same budget, one level down.
  const matches = (node: unknown, part: JsonSchema, depth: number, level: number): boolean =>
    collect(node, part, root, 1, maxDepth - depth, budget, level).length === 0 &&
    budget.exhausted === undefined;

  const check = (
    node: unknown,
    at: JsonSchema,
    path: string,
    depth: number,
    level: number,
  ): undefined => {
    if (violations.length >= limit || budget.exhausted !== undefined) return;
    if (--budget.steps < 0) {
      budget.exhausted = {
        path: '',
        expected:
          'a value and schema checked in a bounded number of steps (the schema multiplies the work)',
      };
      return;
    }
    if (level > MAX_CHECK_LEVELS) {
      budget.exhausted = {
        path,
        expected: `a schema that nests or refers to itself at most ${MAX_CHECK_LEVELS} levels deep`,
      };
      return;
    }
    if (at === true) return;
    if (at === false) return report(path, 'nothing (no value is allowed here)');
    if (depth > maxDepth) return report(path, `at most ${maxDepth} levels of nesting`);
    let schemaNode = at;
    for (let hops = 0; typeof schemaNode.$ref === 'string'; hops++) {
      const target = hops < 32 ? resolveRef(root, schemaNode.$ref) : undefined;
      if (target === undefined) return report(path, `a schema at ${String(schemaNode.$ref)}`);
      if (typeof target === 'boolean') return check(node, target, path, depth, level + 1);
      schemaNode = target;
    }
    const s = schemaNode;
    const kind = typeOf(node);

    if (s.type !== undefined) {
      const types = Array.isArray(s.type) ? (s.type as string[]) : [s.type as string];
      const typeMatches = types.some(
        (type) => type === kind || (type === 'number' && kind === 'integer'),
      );
      if (!typeMatches)
        return report(path, types.map((type) => TYPE_WORDS[type] ?? type).join(' or '));
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
        for (let index = 0; index < items.length; index++) {
          check(items[index], itemSchema, `${path}/${index}`, depth + 1, level + 1);
        }
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
          check(object[key], properties[key] as JsonSchema, child, depth + 1, level + 1);
        } else if (s.additionalProperties === false) {
          const known = Object.keys(properties);
          report(
            child,
            known.length > 0 ? `no such field (known: ${known.join(', ')})` : 'no field',
          );
        } else if (isSchema(s.additionalProperties)) {
          check(object[key], s.additionalProperties, child, depth + 1, level + 1);
        }
      }
    }

    if (Array.isArray(s.allOf)) {
      for (const part of s.allOf) if (isSchema(part)) check(node, part, path, depth, level + 1);
    }
    const alternatives = Array.isArray(s.anyOf)
      ? s.anyOf
      : Array.isArray(s.oneOf)
        ? s.oneOf
        : undefined;
    if (alternatives !== undefined) {
      let matching = 0;
      for (const part of alternatives) {
        if (isSchema(part) && matches(node, part, depth, level + 1)) matching++;
        if (budget.exhausted !== undefined) return;
      }
      if (matching === 0)
        report(path, `a value matching one of ${alternatives.length} alternatives`);
      else if (Array.isArray(s.oneOf) && matching > 1)
        report(path, 'a value matching exactly one alternative');
    }
    if (isSchema(s.not) && matches(node, s.not, depth, level + 1)) {
      report(path, 'a value the schema excludes (not)');
    }
  };

  check(value, schema, '', 0, startLevel);
  return violations;
}

/** Nodes (containers and primitives) of a value, counted without recursion. */
function countNodes(value: unknown): number {
  let count = 0;
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const node = pending.pop();
    count++;
    if (typeof node !== 'object' || node === null) continue;
    if (Array.isArray(node)) for (const item of node) pending.push(item);
    else for (const key of Object.keys(node)) pending.push((node as Record<string, unknown>)[key]);
  }
  return count;
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
