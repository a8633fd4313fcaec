// Test-only: fast-check values of the spec's schemas, generated from spec/realtime-schemas.json
// itself, for property tests over "any event of a union". One walk of the schemas: `$ref`s
// followed, `nullable` also `null`, every union member, enums and consts as listed, each
// optional field present, absent or `null` at random (7 : 2 : 1), arrays within their item
// bounds and short, an `additionalProperties` schema a couple of extra keys. What a leaf holds
// (strings, numbers, open JSON) is the caller's: a test that asks ajv to agree wants strings at
// their bounds and formats honoured, one that reads field names and shapes wants neither.
// Each value comes as a tree that keeps the schema branch that produced every part of it.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';

/** A JSON Schema node of the spec, as far as the generator (and its callers) read it. */
export interface SpecNode {
  readonly $ref?: string;
  readonly anyOf?: readonly SpecNode[];
  readonly oneOf?: readonly SpecNode[];
  readonly allOf?: readonly SpecNode[];
  readonly type?: string | readonly string[];
  readonly enum?: readonly unknown[];
  readonly const?: unknown;
  readonly nullable?: boolean;
  readonly properties?: Readonly<Record<string, SpecNode>>;
  readonly required?: readonly string[];
  readonly additionalProperties?: boolean | SpecNode;
  readonly items?: SpecNode;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly minItems?: number;
  readonly maxItems?: number;
  readonly format?: string;
  readonly pattern?: string;
  /** Extensions: the spec's own (`x-oaiMeta`) and marks a caller sets on the nodes it makes. */
  readonly [extension: `x-${string}`]: unknown;
}

/** A generated value with the schema branch that produced it, so a test knows its rules. */
export interface SpecTree {
  readonly json: unknown;
  /** The branch that produced the value: `$ref`s followed, a union's member chosen. */
  readonly schema: SpecNode;
  /** The spec name of that branch, when it is a named schema. */
  readonly name: string | undefined;
  /** Declared fields, `additionalProperties` entries and array items; not open JSON. */
  readonly children: readonly SpecTreeChild[];
  /** Whether the branch is one member of a union (a discriminator in it picks the member). */
  readonly member?: boolean;
}

/** One part of a generated object or array. */
export interface SpecTreeChild {
  readonly key: string | number;
  readonly tree: SpecTree;
  /** A field the object's schema names (not an `additionalProperties` entry, not an item). */
  readonly declared: boolean;
}

/** What the leaves of generated values hold: the part of the generator each test picks. */
export interface SpecLeaves {
  /** Strings of a `type: string` node. */
  readonly string: (node: SpecNode) => fc.Arbitrary<string>;
  /** Numbers of a `type: integer` (`integer` true) or `type: number` node. */
  readonly number: (node: SpecNode, integer: boolean) => fc.Arbitrary<number>;
  /** Any small JSON value: what an open schema (`{}`, a tool's `parameters`) takes. */
  readonly anyJson: fc.Arbitrary<unknown>;
  /** Keys of open objects and of `additionalProperties` entries. */
  readonly openKey: fc.Arbitrary<string>;
  /**
   * The node the property `key` of the schema named `owner` is generated from, where the test
   * reads the spec otherwise (bounds the spec states only in prose); the property's own
   * node when absent.
   */
  readonly propertyNode?: (owner: string | undefined, key: string, node: SpecNode) => SpecNode;
}

/**
 * Small JSON for `anyJson`: one of `scalars` (in the order given), or an array or object of
 * such values (two entries at most, keys from `key`), two levels deep at most.
 */
export function smallJson(
  scalars: readonly fc.Arbitrary<unknown>[],
  key: fc.Arbitrary<string>,
): fc.Arbitrary<unknown> {
  return fc.letrec((tie) => ({
    value: fc.oneof(
      { depthSize: 'small', maxDepth: 2 },
      ...scalars,
      fc.array(tie('value'), { maxLength: 2 }),
      fc.dictionary(key, tie('value'), { maxKeys: 2 }),
    ),
  })).value;
}

/** The generator of one set of leaves: values of any node, and events of a union. */
export interface SpecArbitraries {
  /** Valid values of a spec schema node, as trees. */
  readonly treeOf: (node: SpecNode) => fc.Arbitrary<SpecTree>;
  /**
   * Events of a union, as trees: its event types with each one's schema name (as
   * test-support/spec-validator.ts lists them), each type weighted 1 unless `weights` says.
   */
  readonly eventsOf: (
    schemaNames: ReadonlyMap<string, string>,
    weights?: Readonly<Record<string, number>>,
  ) => fc.Arbitrary<SpecTree>;
}

const specPath = fileURLToPath(new URL('../spec/realtime-schemas.json', import.meta.url));

/** Every schema of the spec, by name: the nodes the generated trees point at. */
export const specNodes: Readonly<Record<string, SpecNode>> = JSON.parse(
  readFileSync(specPath, 'utf8'),
).schemas;

/** The spec name a `$ref` points at. */
export const refName = (ref: string) => ref.replace('#/components/schemas/', '');

const NULL_SCHEMA: SpecNode = { type: 'null' };

/** The tree of an optional field sent as `null` (or of a `nullable` node's `null`). */
export const NULL_TREE: SpecTree = {
  json: null,
  schema: NULL_SCHEMA,
  name: undefined,
  children: [],
};

const leaf = (json: unknown, schema: SpecNode, name?: string): SpecTree => ({
  json,
  schema,
  name,
  children: [],
});

type Entry = readonly [string, SpecTree, boolean];

/**
 * The generator of values of the spec's schemas with these leaves. Its arbitraries are built
 * once a node and kept: make one a set of leaves, at the top of a test module.
 *
 * @example
 * const { eventsOf } = specArbitraries(leaves);
 * const events = eventsOf(clientSchemaNames).map((tree) => tree.json as { type: string });
 * fc.assert(fc.property(events, (event) => expect(specErrors(event)).toBeUndefined()));
 */
export function specArbitraries(leaves: SpecLeaves): SpecArbitraries {
  const { anyJson, openKey } = leaves;
  const propertyNode = leaves.propertyNode ?? ((_owner, _key, node: SpecNode) => node);
  const arbitraries = new Map<SpecNode, fc.Arbitrary<SpecTree>>();
  const named = new Map<string, fc.Arbitrary<SpecTree>>();

  /** The spec's event schemas are acyclic: `depth` only catches a cycle. */
  function treeArb(node: SpecNode, depth = 0): fc.Arbitrary<SpecTree> {
    if (depth > 20) throw new Error('the spec nests deeper than expected: a cycle?');
    let arbitrary = arbitraries.get(node);
    if (arbitrary === undefined) {
      arbitrary = buildArb(node, depth);
      arbitraries.set(node, arbitrary);
    }
    return arbitrary;
  }

  function buildArb(node: SpecNode, depth: number): fc.Arbitrary<SpecTree> {
    if (node.$ref !== undefined) {
      const name = refName(node.$ref);
      let arbitrary = named.get(name);
      if (arbitrary === undefined) {
        const target = specNodes[name];
        if (target === undefined) throw new Error(`no schema ${node.$ref}`);
        arbitrary = namedArb(target, name, depth);
        named.set(name, arbitrary);
      }
      return arbitrary;
    }
    return namedArb(node, undefined, depth);
  }

  /** Values of a schema, `null` too when it is `nullable` (OpenAPI's word for `X | null`). */
  function namedArb(
    node: SpecNode,
    name: string | undefined,
    depth: number,
  ): fc.Arbitrary<SpecTree> {
    const arbitrary = nonNullArb(node, name, depth);
    if (node.nullable !== true) return arbitrary;
    return fc.oneof({ weight: 4, arbitrary }, { weight: 1, arbitrary: fc.constant(NULL_TREE) });
  }

  function nonNullArb(
    node: SpecNode,
    name: string | undefined,
    depth: number,
  ): fc.Arbitrary<SpecTree> {
    if (node.allOf !== undefined) throw new Error('allOf: teach the generator');
    const members = node.anyOf ?? node.oneOf;
    if (members !== undefined) {
      if (node.properties !== undefined || node.enum !== undefined || node.items !== undefined) {
        throw new Error('a union with its own constraints: teach the generator');
      }
      const member = (tree: SpecTree): SpecTree =>
        tree === NULL_TREE ? tree : { ...tree, member: true };
      return fc.oneof(...members.map((node) => treeArb(node, depth + 1).map(member)));
    }
    const values = node.const !== undefined ? [node.const] : node.enum;
    if (values !== undefined) {
      return fc.constantFrom(...values).map((value) => leaf(value, node, name));
    }
    const types =
      node.type === undefined
        ? node.properties !== undefined
          ? ['object']
          : []
        : typeof node.type === 'string'
          ? [node.type]
          : node.type;
    if (types.length === 0) return anyJson.map((value) => leaf(value, node, name));
    return fc.oneof(...types.map((type) => typedArb(node, type, name, depth)));
  }

  function typedArb(
    node: SpecNode,
    type: string,
    name: string | undefined,
    depth: number,
  ): fc.Arbitrary<SpecTree> {
    switch (type) {
      case 'string':
        return leaves.string(node).map((value) => leaf(value, node, name));
      case 'integer':
      case 'number':
        return leaves.number(node, type === 'integer').map((value) => leaf(value, node, name));
      case 'boolean':
        return fc.boolean().map((value) => leaf(value, node, name));
      case 'null':
        return fc.constant(leaf(null, node, name));
      case 'array':
        return arrayArb(node, name, depth);
      case 'object':
        return objectArb(node, name, depth);
      default:
        throw new Error(`type ${type}: teach the generator`);
    }
  }

  function arrayArb(
    node: SpecNode,
    name: string | undefined,
    depth: number,
  ): fc.Arbitrary<SpecTree> {
    const minLength = node.minItems ?? 0;
    const maxLength = Math.min(node.maxItems ?? Number.POSITIVE_INFINITY, minLength + 2);
    const itemArb =
      node.items === undefined
        ? anyJson.map((value) => leaf(value, {}))
        : treeArb(node.items, depth + 1);
    return fc.array(itemArb, { minLength, maxLength }).map((trees) => ({
      json: trees.map((tree) => tree.json),
      schema: node,
      name,
      children:
        node.items === undefined ? [] : trees.map((tree, key) => ({ key, tree, declared: false })),
    }));
  }

  function objectArb(
    node: SpecNode,
    name: string | undefined,
    depth: number,
  ): fc.Arbitrary<SpecTree> {
    const properties = node.properties ?? {};
    const additional = node.additionalProperties;
    if (node.properties === undefined && additional !== false && typeof additional !== 'object') {
      return fc.dictionary(openKey, anyJson, { maxKeys: 2 }).map((json) => leaf(json, node, name));
    }
    const required = new Set(node.required ?? []);
    const fields = Object.entries(properties).map(
      ([key, child]): fc.Arbitrary<Entry | undefined> => {
        const present = treeArb(propertyNode(name, key, child), depth + 1).map(
          (tree): Entry => [key, tree, true],
        );
        if (required.has(key)) return present;
        // Present mostly (so deep fields show up), absent or `null` (as the live API sends).
        return fc.oneof(
          { weight: 7, arbitrary: present },
          { weight: 2, arbitrary: fc.constant(undefined) },
          { weight: 1, arbitrary: fc.constant<Entry>([key, NULL_TREE, true]) },
        );
      },
    );
    const extras: fc.Arbitrary<readonly Entry[]> =
      typeof additional === 'object'
        ? fc.uniqueArray(
            fc
              .tuple(openKey, treeArb(additional, depth + 1))
              .map(([key, tree]): Entry => [key, tree, false]),
            { maxLength: 2, selector: ([key]) => key },
          )
        : fc.constant([]);
    return fc.tuple(fc.tuple(...fields), extras).map(([declared, more]) => {
      const entries = [...declared, ...more].filter(
        (entry): entry is Entry =>
          entry !== undefined && (entry[2] || !Object.hasOwn(properties, entry[0])),
      );
      const json: Record<string, unknown> = {};
      for (const [key, tree] of entries) json[key] = tree.json;
      return {
        json,
        schema: node,
        name,
        children: entries.map(([key, tree, isDeclared]) => ({ key, tree, declared: isDeclared })),
      };
    });
  }

  return {
    treeOf: (node) => treeArb(node),
    eventsOf: (schemaNames, weights = {}) =>
      fc.oneof(
        ...[...schemaNames].map(([type, name]) => ({
          weight: weights[type] ?? 1,
          arbitrary: treeArb({ $ref: `#/components/schemas/${name}` }),
        })),
      ),
  };
}
