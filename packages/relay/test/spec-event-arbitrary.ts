// Test-only: events of the spec's unions generated from spec/realtime-schemas.json itself, for
// property tests over "any GA event". Each event follows its schema: every declared field
// present, absent or `null` at random, every union member, enums and consts as listed, open
// objects (`metadata`, a tool's `parameters`) as small JSON. Formats and patterns are not
// honoured (what is tested here reads field names and shapes, not string syntax).
import { readFileSync } from 'node:fs';
import fc from 'fast-check';

interface Schema {
  readonly $ref?: string;
  readonly anyOf?: readonly Schema[];
  readonly oneOf?: readonly Schema[];
  readonly allOf?: readonly Schema[];
  readonly type?: string | readonly string[];
  readonly enum?: readonly unknown[];
  readonly const?: unknown;
  readonly nullable?: boolean;
  readonly properties?: Readonly<Record<string, Schema>>;
  readonly required?: readonly string[];
  readonly items?: Schema;
  readonly minimum?: number;
  readonly maximum?: number;
}

const specPath = new URL('../../../spec/realtime-schemas.json', import.meta.url);
const schemas: Readonly<Record<string, Schema>> = JSON.parse(
  readFileSync(specPath, 'utf8'),
).schemas;

const refName = (ref: string) => ref.replace('#/components/schemas/', '');

/** Small JSON, for what a schema leaves open. */
const anyJson: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', maxDepth: 2 },
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.string({ maxLength: 6 }),
    fc.array(tie('value'), { maxLength: 2 }),
    fc.dictionary(fc.stringMatching(/^[a-z]{1,6}$/), tie('value'), { maxKeys: 2 }),
  ),
})).value;

const cache = new Map<Schema, fc.Arbitrary<unknown>>();

/** Values of a schema node; `depth` bounds a recursive schema (none is expected). */
function arbitraryOf(node: Schema, depth: number): fc.Arbitrary<unknown> {
  if (depth > 20) throw new Error('the spec nests deeper than expected: a cycle?');
  let arbitrary = cache.get(node);
  if (arbitrary === undefined) {
    arbitrary = build(node, depth);
    cache.set(node, arbitrary);
  }
  return arbitrary;
}

function build(node: Schema, depth: number): fc.Arbitrary<unknown> {
  if (node.$ref !== undefined) {
    const target = schemas[refName(node.$ref)];
    if (target === undefined) throw new Error(`no schema ${node.$ref}`);
    return arbitraryOf(target, depth + 1);
  }
  const value = nonNull(node, depth);
  return node.nullable === true
    ? fc.oneof({ weight: 4, arbitrary: value }, { weight: 1, arbitrary: fc.constant(null) })
    : value;
}

function nonNull(node: Schema, depth: number): fc.Arbitrary<unknown> {
  if (node.allOf !== undefined) throw new Error('allOf: teach the generator');
  const members = node.anyOf ?? node.oneOf;
  if (members !== undefined) return fc.oneof(...members.map((m) => arbitraryOf(m, depth + 1)));
  const values = node.const !== undefined ? [node.const] : node.enum;
  if (values !== undefined) return fc.constantFrom(...values);
  const types =
    node.type === undefined
      ? node.properties !== undefined
        ? ['object']
        : []
      : typeof node.type === 'string'
        ? [node.type]
        : node.type;
  if (types.length === 0) return anyJson;
  return fc.oneof(...types.map((type) => typed(node, type, depth)));
}

function typed(node: Schema, type: string, depth: number): fc.Arbitrary<unknown> {
  switch (type) {
    case 'string':
      return fc.string({ maxLength: 8 });
    case 'integer':
      return fc.integer({ min: node.minimum ?? -1000, max: node.maximum ?? 100_000 });
    case 'number':
      return fc.double({
        min: node.minimum ?? -1000,
        max: node.maximum ?? 1000,
        noNaN: true,
        noDefaultInfinity: true,
      });
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array':
      return fc.array(node.items === undefined ? anyJson : arbitraryOf(node.items, depth + 1), {
        maxLength: 2,
      });
    case 'object':
      return objectOf(node, depth);
    default:
      throw new Error(`type ${type}: teach the generator`);
  }
}

function objectOf(node: Schema, depth: number): fc.Arbitrary<unknown> {
  if (node.properties === undefined) {
    return fc.dictionary(fc.stringMatching(/^[a-z]{1,6}$/), anyJson, { maxKeys: 2 });
  }
  const required = new Set(node.required ?? []);
  const fields = Object.entries(node.properties).map(([key, child]) => {
    const present = arbitraryOf(child, depth + 1).map((value) => [key, value] as const);
    if (required.has(key)) return present;
    return fc.oneof(
      { weight: 7, arbitrary: present },
      { weight: 2, arbitrary: fc.constant(undefined) },
      { weight: 1, arbitrary: fc.constant([key, null] as const) },
    );
  });
  return fc.tuple(...fields).map((entries) => {
    const object: Record<string, unknown> = {};
    for (const entry of entries) if (entry !== undefined) object[entry[0]] = entry[1];
    return object;
  });
}

/** The event types of a union of the spec, with each one's schema name. */
export function unionTypes(union: string): Map<string, string> {
  const members = schemas[union]?.anyOf ?? schemas[union]?.oneOf ?? [];
  const types = new Map<string, string>();
  for (const member of members) {
    const name = refName(member.$ref ?? '');
    const type = schemas[name]?.properties?.type;
    const value = type?.const ?? type?.enum?.[0];
    if (typeof value === 'string') types.set(value, name);
  }
  return types;
}

/** Events of a union of the spec (`RealtimeServerEvent`, `RealtimeClientEvent`), any type. */
export function specEvents(union: string): fc.Arbitrary<Record<string, unknown>> {
  const members = [...unionTypes(union).values()];
  if (members.length === 0) throw new Error(`no union ${union}`);
  return fc.oneof(
    ...members.map(
      (name) =>
        arbitraryOf({ $ref: `#/components/schemas/${name}` }, 0) as fc.Arbitrary<
          Record<string, unknown>
        >,
    ),
  );
}
