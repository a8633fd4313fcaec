import { CLIENT_EVENT_SCHEMAS } from './generated/client-event-schemas.ts';
import { MAX_NESTING_DEPTH } from './nesting.ts';
import type { SchemaNode } from './schema-node.ts';
import { Kind } from './shape.ts';

/**
 * Codes of {@link ClientEventProblem}, the live API's codes for a client event's parameters.
 *
 * @example
 * ```ts
 * const counted: ClientEventProblemCode = 'unknown_parameter';
 * ```
 */
export type ClientEventProblemCode =
  | 'unknown_parameter'
  | 'missing_required_parameter'
  | 'invalid_type'
  | 'invalid_value'
  | 'integer_below_min_value'
  | 'integer_above_max_value'
  | 'decimal_below_min_value'
  | 'decimal_above_max_value'
  | 'string_below_min_length'
  | 'string_above_max_length'
  | 'empty_array'
  | 'array_below_min_length'
  | 'array_above_max_length';

/**
 * Why the live API would refuse a client event: the `code`, `param` and `message` of the
 * `error` it answers with (`type` is always `invalid_request_error`).
 *
 * `param` names the field as the live API does (`session.tools[0].name`), or is `null` for the
 * event itself. Neither it nor the message carries anything the client sent but field names,
 * and only names that look like field names (`^[A-Za-z0-9_$-]{1,64}$`): past any other key the
 * path stops at the nearest parent the client did not name.
 *
 * @example
 * ```ts
 * const problem: ClientEventProblem = {
 *   code: 'unknown_parameter',
 *   param: 'session.foo',
 *   message: "Unknown parameter: 'session.foo'.",
 * };
 * ```
 */
export interface ClientEventProblem {
  readonly code: ClientEventProblemCode;
  readonly param: string | null;
  readonly message: string;
}

/**
 * Checks a decoded client event against its schema in the spec, as the live API checks its
 * parameters: unknown fields (also inside items, tools and the session), missing required
 * ones, wrong types, values outside an enum and the spec's bounds. Returns the first problem
 * found, or `undefined` when the event is valid or of a type this version does not know.
 *
 * Unions are resolved by their discriminators (`type`, then `role` for messages); optional
 * fields accept `null`, as the live API sends them. Never throws: a value that throws when
 * read (a getter, a proxy) is a problem too. Run it after {@link decodeClientEvent}, which
 * bounds nesting; this walk goes no deeper than the spec's schemas, and never past
 * {@link MAX_NESTING_DEPTH} levels.
 *
 * @example
 * ```ts
 * const result = decodeClientEvent(frame);
 * if (result.ok && result.known) {
 *   const problem = clientEventProblem(result.event);
 *   if (problem) send({ type: 'error', error: { type: 'invalid_request_error', ...problem } });
 * }
 * ```
 */
export function clientEventProblem(event: {
  readonly type: string;
}): ClientEventProblem | undefined {
  return eventProblem(event, CLIENT_EVENT_SCHEMAS);
}

/**
 * The first problem of `event` against its schema in `schemas` (one union's client events,
 * keyed by `type`), or `undefined` when it is valid or of a type `schemas` does not hold.
 */
export function eventProblem(
  event: { readonly type: string },
  schemas: Readonly<Record<string, SchemaNode>>,
): ClientEventProblem | undefined {
  try {
    const type = event.type;
    if (typeof type !== 'string' || !Object.hasOwn(schemas, type)) return undefined;
    const found = check(event, schemas[type]!, '', false, 0);
    if (found === undefined) return undefined;
    return {
      code: found.code,
      param: found.path === '' ? null : found.path,
      message: found.message,
    };
  } catch {
    // Whatever was thrown is input: it is neither read nor kept.
    return {
      code: 'invalid_value',
      param: null,
      message: 'Invalid value for the event: reading it threw; expected plain JSON data.',
    };
  }
}

/** A problem while walking: `depth` ranks the members of a union that all failed. */
interface Found {
  readonly code: ClientEventProblemCode;
  readonly path: string;
  readonly message: string;
  readonly depth: number;
}

/** A key the client chose may be echoed only when it looks like a field name. */
const SAFE_KEY = /^[A-Za-z0-9_$-]{1,64}$/;

/**
 * Checks `value` against `node`. `path` is the param of `value`; `opaque` means it stopped at
 * a parent because a key on the way could not be echoed.
 */
function check(
  value: unknown,
  node: SchemaNode,
  path: string,
  opaque: boolean,
  depth: number,
): Found | undefined {
  // The schemas are acyclic and shallow, so this only guards a future table that is not.
  if (depth > MAX_NESTING_DEPTH) return undefined;
  if (node.variants !== undefined)
    return checkUnion(value, node, node.variants, path, opaque, depth);
  const kinds = node.kinds;
  if (kinds === 0) return undefined;
  const kind = kindOf(value);
  if ((kinds & kind) === 0) return invalidType(kinds, kind, path, opaque, depth);
  const values = node.values;
  if (values !== undefined && !values.includes(value as string)) {
    return found('invalid_value', path, opaque, depth, (subject) => {
      return `Invalid value for ${subject}. Supported values are: ${listValues(values)}.`;
    });
  }
  switch (kind) {
    case Kind.string:
      return checkLength(value as string, node, path, opaque, depth);
    case Kind.integer:
    case Kind.number:
      return checkRange(value as number, node, path, opaque, depth);
    case Kind.array:
      return checkArray(value as unknown[], node, path, opaque, depth);
    case Kind.object:
      return checkObject(value as Record<string, unknown>, node, path, opaque, depth);
    default:
      return undefined;
  }
}

function checkObject(
  record: Record<string, unknown>,
  node: SchemaNode,
  path: string,
  opaque: boolean,
  depth: number,
): Found | undefined {
  const { properties, extra, required } = node;
  for (const key in record) {
    if (!Object.hasOwn(record, key)) continue;
    const child = record[key];
    if (child === undefined) continue;
    let childNode: SchemaNode;
    let childPath: string;
    let childOpaque = opaque;
    if (properties !== undefined && Object.hasOwn(properties, key)) {
      childNode = properties[key]!;
      // The live API sends `null` for an absent optional field, and takes it back.
      if (child === null && (required === undefined || !required.includes(key))) continue;
      childPath = opaque ? path : member(path, key);
    } else {
      const safe = SAFE_KEY.test(key);
      if (extra === undefined) {
        if (safe && !opaque) {
          const param = member(path, key);
          const message = `Unknown parameter: '${param}'.`;
          return { code: 'unknown_parameter', path: param, message, depth: depth + 1 };
        }
        return {
          code: 'unknown_parameter',
          path,
          message:
            path === '' ? 'Unknown parameter in the event.' : `Unknown parameter in '${path}'.`,
          depth: depth + 1,
        };
      }
      childNode = extra;
      childOpaque = opaque || !safe;
      childPath = childOpaque ? path : member(path, key);
    }
    if (childNode.kinds === 0 && childNode.variants === undefined) continue;
    const problem = check(child, childNode, childPath, childOpaque, depth + 1);
    if (problem !== undefined) return problem;
  }
  if (required !== undefined) {
    for (const key of required) {
      if (!Object.hasOwn(record, key) || record[key] === undefined) {
        const param = opaque ? path : member(path, key);
        return found('missing_required_parameter', param, opaque, depth + 1, (subject) => {
          return `Missing required parameter: ${subject}.`;
        });
      }
    }
  }
  return undefined;
}

function checkArray(
  array: readonly unknown[],
  node: SchemaNode,
  path: string,
  opaque: boolean,
  depth: number,
): Found | undefined {
  const { minItems, maxItems, items } = node;
  if (minItems !== undefined && array.length < minItems) {
    const code = array.length === 0 ? 'empty_array' : 'array_below_min_length';
    const what = array.length === 0 ? 'empty array' : 'array too short';
    return found(code, path, opaque, depth, (subject) => {
      return `Invalid ${subject}: ${what}. Expected an array with minimum length ${minItems}.`;
    });
  }
  if (maxItems !== undefined && array.length > maxItems) {
    return found('array_above_max_length', path, opaque, depth, (subject) => {
      return `Invalid ${subject}: array too long. Expected an array with maximum length ${maxItems}.`;
    });
  }
  if (items === undefined) return undefined;
  for (let index = 0; index < array.length; index++) {
    const itemPath = opaque ? path : `${path}[${index}]`;
    const problem = check(array[index], items, itemPath, opaque, depth + 1);
    if (problem !== undefined) return problem;
  }
  return undefined;
}

function checkLength(
  text: string,
  node: SchemaNode,
  path: string,
  opaque: boolean,
  depth: number,
): Found | undefined {
  const { minLength, maxLength } = node;
  if (minLength === undefined && maxLength === undefined) return undefined;
  // The spec counts characters (code points), as JSON Schema does: a surrogate pair is one.
  // A string has at most as many characters as code units, so most need no count.
  const units = text.length;
  const needsCount =
    (maxLength !== undefined && units > maxLength) ||
    (minLength !== undefined && units >= minLength && units < 2 * minLength);
  const length = needsCount ? characters(text) : units;
  if (minLength !== undefined && length < minLength) {
    return found('string_below_min_length', path, opaque, depth, (subject) => {
      return `Invalid ${subject}: string too short. Expected a string with minimum length ${minLength}.`;
    });
  }
  if (maxLength !== undefined && length > maxLength) {
    return found('string_above_max_length', path, opaque, depth, (subject) => {
      return `Invalid ${subject}: string too long. Expected a string with maximum length ${maxLength}.`;
    });
  }
  return undefined;
}

/** The characters of a string: code points, a lone surrogate counting as one. */
function characters(text: string): number {
  let count = 0;
  for (let index = 0; index < text.length; index++) {
    count++;
    const unit = text.charCodeAt(index);
    if (unit >= 0xd800 && unit <= 0xdbff && index + 1 < text.length) {
      const next = text.charCodeAt(index + 1);
      if (next >= 0xdc00 && next <= 0xdfff) index++;
    }
  }
  return count;
}

function checkRange(
  value: number,
  node: SchemaNode,
  path: string,
  opaque: boolean,
  depth: number,
): Found | undefined {
  const { minimum, maximum } = node;
  // The live API names the bound by the schema's type, not by the value sent.
  const number = node.kinds & Kind.number ? 'decimal' : 'integer';
  if (minimum !== undefined && value < minimum) {
    return found(`${number}_below_min_value`, path, opaque, depth, (subject) => {
      return `Invalid ${subject}: ${number} below minimum value. Expected a value >= ${minimum}.`;
    });
  }
  if (maximum !== undefined && value > maximum) {
    return found(`${number}_above_max_value`, path, opaque, depth, (subject) => {
      return `Invalid ${subject}: ${number} above maximum value. Expected a value <= ${maximum}.`;
    });
  }
  return undefined;
}

/**
 * A value of a union: the members of its kind, narrowed by the discriminators; valid when one
 * of them takes it, else the problem of the member that got deepest.
 */
function checkUnion(
  value: unknown,
  node: SchemaNode,
  variants: readonly SchemaNode[],
  path: string,
  opaque: boolean,
  depth: number,
): Found | undefined {
  const kind = kindOf(value);
  if ((node.kinds & kind) === 0) return invalidType(node.kinds, kind, path, opaque, depth);
  let candidates = variants.filter((variant) => variant.kinds === 0 || variant.kinds & kind);
  const discriminators = node.discriminators;
  if (kind === Kind.object && discriminators !== undefined) {
    const record = value as Record<string, unknown>;
    for (const key of discriminators) {
      if (candidates.length <= 1) break;
      const tagged = candidates.filter((variant) => tagOf(variant, key) !== undefined);
      if (tagged.length === 0) continue;
      const tag = Object.hasOwn(record, key) ? record[key] : undefined;
      if (tag === undefined) {
        const everyOneNeedsIt =
          tagged.length === candidates.length &&
          tagged.every((variant) => variant.required?.includes(key));
        if (!everyOneNeedsIt) continue;
        const param = opaque ? path : member(path, key);
        return found('missing_required_parameter', param, opaque, depth + 1, (subject) => {
          return `Missing required parameter: ${subject}.`;
        });
      }
      // `null` is how the live API writes an absent optional field: when a member may leave
      // the discriminator out, a `null` there names no member, and each one is tried.
      if (tag === null && tagged.some((variant) => !variant.required?.includes(key))) continue;
      const matching = candidates.filter((variant) => {
        const fixed = tagOf(variant, key);
        return fixed === undefined || fixed === tag;
      });
      if (matching.length === 0) {
        const supported = [...new Set(tagged.map((variant) => tagOf(variant, key)))];
        const param = opaque ? path : member(path, key);
        return found('invalid_value', param, opaque, depth + 1, (subject) => {
          return `Invalid value for ${subject}. Supported values are: ${listValues(supported)}.`;
        });
      }
      candidates = matching;
    }
  }
  let deepest: Found | undefined;
  for (const candidate of candidates) {
    const problem = check(value, candidate, path, opaque, depth);
    if (problem === undefined) return undefined;
    if (deepest === undefined || problem.depth > deepest.depth) deepest = problem;
  }
  return deepest;
}

/** The one value a union member fixes for `key`, if it fixes one. */
function tagOf(variant: SchemaNode, key: string): string | number | boolean | null | undefined {
  const properties = variant.properties;
  if (properties === undefined || !Object.hasOwn(properties, key)) return undefined;
  const values = properties[key]!.values;
  return values?.length === 1 ? values[0] : undefined;
}

function invalidType(
  kinds: number,
  kind: number,
  path: string,
  opaque: boolean,
  depth: number,
): Found {
  return found('invalid_type', path, opaque, depth, (subject) => {
    return `Invalid type for ${subject}: expected ${describeKinds(kinds)}, but got ${KIND_NAMES.get(kind) ?? 'a value that is not JSON'}.`;
  });
}

function found(
  code: ClientEventProblemCode,
  path: string,
  opaque: boolean,
  depth: number,
  message: (subject: string) => string,
): Found {
  const subject = opaque
    ? path === ''
      ? 'a field of the event'
      : `a field in '${path}'`
    : path === ''
      ? 'the event'
      : `'${path}'`;
  return { code, path, message: message(subject), depth };
}

const member = (path: string, key: string) => (path === '' ? key : `${path}.${key}`);

/** The JSON kind of a value, as one {@link Kind} bit; `0` for what JSON cannot hold. */
function kindOf(value: unknown): number {
  switch (typeof value) {
    case 'string':
      return Kind.string;
    case 'number':
      return Number.isInteger(value) ? Kind.integer : Kind.number;
    case 'boolean':
      return Kind.boolean;
    case 'object':
      if (value === null) return Kind.null;
      return Array.isArray(value) ? Kind.array : Kind.object;
    default:
      return 0;
  }
}

// The live API's words: an integer sent where a string goes is "an integer", a fraction "a decimal".
const KIND_NAMES: ReadonlyMap<number, string> = new Map([
  [Kind.string, 'a string'],
  [Kind.integer, 'an integer'],
  [Kind.number, 'a decimal'],
  [Kind.boolean, 'a boolean'],
  [Kind.object, 'an object'],
  [Kind.array, 'an array'],
  [Kind.null, 'null'],
]);

const EXPECTED_NAMES: ReadonlyArray<readonly [number, string]> = [
  [Kind.string, 'a string'],
  [Kind.number, 'a number'],
  [Kind.integer, 'an integer'],
  [Kind.boolean, 'a boolean'],
  [Kind.object, 'an object'],
  [Kind.array, 'an array'],
  [Kind.null, 'null'],
];

function describeKinds(kinds: number): string {
  // A number schema takes integers too; naming both would only confuse.
  const effective = kinds & Kind.number ? kinds & ~Kind.integer : kinds;
  const names = EXPECTED_NAMES.filter(([bit]) => effective & bit).map(([, name]) => name);
  return listWords(names, 'or');
}

/** Spec values, quoted as the live API quotes them: `'user', 'assistant' and 'system'`. */
function listValues(values: readonly unknown[]): string {
  const words = values.map((value) => (typeof value === 'string' ? `'${value}'` : String(value)));
  return listWords(words, 'and');
}

function listWords(words: readonly string[], conjunction: 'and' | 'or'): string {
  if (words.length <= 1) return words[0] ?? '';
  return `${words.slice(0, -1).join(', ')} ${conjunction} ${words[words.length - 1]}`;
}
