import { Kind, type Shape } from './shape.ts';

/** Where and why a value failed its shape; the path is collected while unwinding. */
export interface ShapeFailure {
  readonly missing: boolean;
  readonly expected: number;
  readonly actual: string;
  /** Path segments from the failing value up to the root (reversed). */
  readonly segments: Array<string | number>;
}

/**
 * Checks `value` against `shape`. Returns `undefined` when it conforms: the success path
 * allocates nothing, which keeps validation cheap beside `JSON.parse` on streaming deltas.
 * Optional fields may be `null` (the live API sends `null` for absent optional values).
 */
export function validateShape(value: unknown, shape: Shape): ShapeFailure | undefined {
  const kinds = shape.kinds;
  if (kinds === 0) return undefined;
  switch (typeof value) {
    case 'string':
      return kinds & Kind.string ? undefined : mismatch(kinds, 'string');
    case 'number':
      return kinds & Kind.number || (kinds & Kind.integer && Number.isInteger(value))
        ? undefined
        : mismatch(kinds, 'number');
    case 'boolean':
      return kinds & Kind.boolean ? undefined : mismatch(kinds, 'boolean');
    case 'object':
      break;
    default:
      return mismatch(kinds, typeof value);
  }
  if (value === null) return kinds & Kind.null ? undefined : mismatch(kinds, 'null');
  if (Array.isArray(value)) {
    if (!(kinds & Kind.array)) return mismatch(kinds, 'array');
    const items = shape.items;
    if (items === undefined || items.kinds === 0) return undefined;
    for (let index = 0; index < value.length; index++) {
      const failure = validateShape(value[index], items);
      if (failure !== undefined) {
        failure.segments.push(index);
        return failure;
      }
    }
    return undefined;
  }
  if (!(kinds & Kind.object)) return mismatch(kinds, 'object');
  const fields = shape.fields;
  if (fields === undefined) return undefined;
  const record = value as Record<string, unknown>;
  for (let index = 0; index < fields.length; index++) {
    const field = fields[index]!;
    const fieldValue = record[field.name];
    if (fieldValue === undefined) {
      if (field.required) {
        return {
          missing: true,
          expected: field.shape.kinds,
          actual: 'undefined',
          segments: [field.name],
        };
      }
      continue;
    }
    if (fieldValue === null && !field.required) continue;
    // Leaf fields (strings, integers) are most of every event: check them inline.
    const fieldShape = field.shape;
    if (typeof fieldValue === 'string' && fieldShape.kinds & Kind.string) continue;
    const failure = validateShape(fieldValue, fieldShape);
    if (failure !== undefined) {
      failure.segments.push(field.name);
      return failure;
    }
  }
  return undefined;
}

function mismatch(expected: number, actual: string): ShapeFailure {
  return { missing: false, expected, actual, segments: [] };
}

const KIND_NAMES: ReadonlyArray<readonly [number, string]> = [
  [Kind.string, 'a string'],
  [Kind.integer, 'an integer'],
  [Kind.number, 'a number'],
  [Kind.boolean, 'a boolean'],
  [Kind.null, 'null'],
  [Kind.object, 'an object'],
  [Kind.array, 'an array'],
];

/** Describes a kind set in words, e.g. `a string or null`. */
export function describeKinds(kinds: number): string {
  // A number shape allows integers too; naming both would only confuse.
  const effective = kinds & Kind.number ? kinds & ~Kind.integer : kinds;
  const names = KIND_NAMES.filter(([bit]) => effective & bit).map(([, name]) => name);
  return names.length === 0 ? 'any value' : names.join(' or ');
}

/** Renders reversed path segments as a JSON pointer (RFC 6901). */
export function toJsonPointer(segments: ReadonlyArray<string | number>): string {
  let pointer = '';
  for (let index = segments.length - 1; index >= 0; index--) {
    pointer += `/${String(segments[index]).replaceAll('~', '~0').replaceAll('/', '~1')}`;
  }
  return pointer;
}
