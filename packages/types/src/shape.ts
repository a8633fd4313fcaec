/**
 * JSON kinds a decoder shape can allow, as bit flags so a union of kinds is one number.
 * `integer` is its own kind because the spec distinguishes it; a `number` shape allows both.
 */
export const Kind = {
  string: 1,
  integer: 2,
  number: 4,
  boolean: 8,
  null: 16,
  object: 32,
  array: 64,
} as const;

/** A field of an object shape: name, whether it is required, and its own shape. */
export interface ShapeField {
  readonly name: string;
  readonly required: boolean;
  readonly shape: Shape;
}

/**
 * The decoder's view of a schema, generated from the spec (see `scripts/generate.mjs`).
 * `kinds === 0` accepts anything; `fields` and `items` refine objects and arrays.
 */
export interface Shape {
  readonly kinds: number;
  readonly fields: readonly ShapeField[] | undefined;
  readonly items: Shape | undefined;
}

/**
 * A straight-line check of one event's fields, generated beside its shape: the hot path of the
 * decoders; the shape explains a failure.
 */
export type EventCheck = (event: Record<string, unknown>) => boolean;

/**
 * Builds a shape; used by the generated table so every shape has the same hidden class.
 * Fields come as `[name, required, shape]` tuples (compact to generate) and are stored as
 * objects (cheap to read on the validation path).
 */
export function shape(
  kinds: number,
  fields?: ReadonlyArray<readonly [string, boolean, Shape]>,
  items?: Shape,
): Shape {
  return {
    kinds,
    fields: fields?.map(([name, required, fieldShape]) => ({ name, required, shape: fieldShape })),
    items,
  };
}
