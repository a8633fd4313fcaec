// Client events generated from spec/realtime-schemas.json itself (not from the interpreter's
// generated tables; test-support/spec-arbitrary.ts walks the spec, the leaves are this file's),
// their single mutations, and two ajv readings to judge them: the machinery of the property
// tests of clientEventProblem and translationClientEventProblem, each run over the events of its
// union by describeClientEventProperties. Events of every type of the union,
// each optional field present, absent or `null` at random, every union member, strings at their
// bounds in characters (astral ones too). Then:
//   - every generated event is valid to ajv (else the generator is wrong), and every branch and
//     field of every schema of the union shows up in a sample;
//   - the problem check finds no problem in any of them, as built or decoded: no known field
//     is refused;
//   - every single mutation of an event (an unknown key in each closed object, each required
//     field dropped, each value replaced by one of each other JSON kind, each enum value by one
//     outside it, each bounded value by one past its bound, each formatted string broken) is
//     judged alike by the problem check and by ajv over the spec as the live API reads it, and
//     the problem names the mutated place.
//
// Two ajv readings. `specErrorsOf` reads the spec as JSON Schema, following the wire (the
// reading test-support and the conformance suite share): optional fields also take `null`,
// `oneOf` is read as `anyOf`. `liveErrorsOf` (below) is that reading with the live API's
// INTENTIONAL DIFFERENCES, each asserted on the mutation that makes it (a change to one in
// scripts/generate.mjs fails here until it is mirrored):
//   - Closed objects: JSON Schema leaves an object without `additionalProperties: false` open;
//     the live API refuses any key its schema does not name, so the interpreter does too.
//   - PROSE_BOUNDS (scripts/generate.mjs): bounds the spec states only in prose
//     (`max_output_tokens` is 1..4096 or 'inf'). The spec takes 0 or 4097; the live API refuses.
//   - LIVE_CLIENT_OPTIONAL (scripts/generate.mjs): `id` of an `mcp_approval_response` item is
//     required by the spec but left out by official clients; the interpreter takes it absent
//     or `null`, as any optional field.
//   - `format` (uri) and `pattern` (the MCP `tunnel_id`) are not checked by the interpreter,
//     which checks the shapes of parameters, not the syntax of strings.
//   - The event's own `type` is not mutated: an event of a type the interpreter does not know
//     is not its to check (it returns undefined; decodeClientEvent reports it as unknown).
// Where the problem is named: at the mutated place, but inside an `{}` that took the place of
// a union with an object member (what it lacks is named), and anywhere in an object whose
// union member was picked by the value mutated (`tools[0].type`: the object may then be read
// as another member, which names its own first problem).
import { Ajv } from 'ajv';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  NULL_TREE,
  refName,
  type SpecNode,
  type SpecTree,
  smallJson,
  specArbitraries,
  specNodes,
} from '../../../test-support/spec-arbitrary.ts';
import { schemaErrors } from '../../../test-support/spec-validator.ts';
import type { ClientEventProblem } from '../src/client-event-problem.ts';
import type { DecodeResult } from '../src/decode-event.ts';

/**
 * A JSON Schema node of the spec; a node bounded by PROSE_BOUNDS is marked `x-prose-bound`
 * (the spec's reading lacks the bound).
 */
type Schema = SpecNode;
/** A generated value with the schema branch that produced it, so a mutation knows its rules. */
type Tree = SpecTree;

/** PROSE_BOUNDS of scripts/generate.mjs, by schema and property (applied to integer members). */
const PROSE_BOUNDS: Readonly<Record<string, Readonly<Record<string, Bounds>>>> = {
  RealtimeSessionCreateRequestGA: { max_output_tokens: { minimum: 1, maximum: 4096 } },
  RealtimeResponseCreateParams: { max_output_tokens: { minimum: 1, maximum: 4096 } },
};
/** LIVE_CLIENT_OPTIONAL of scripts/generate.mjs: required by the spec, optional on the wire. */
const LIVE_CLIENT_OPTIONAL: Readonly<Record<string, readonly string[]>> = {
  RealtimeMCPApprovalResponse: ['id'],
};

interface Bounds {
  readonly minimum: number;
  readonly maximum: number;
}

// Keys of open objects: mostly field-like, sometimes keys the interpreter must never echo.
const openKey = fc.oneof(
  { weight: 4, arbitrary: fc.stringMatching(/^[a-z][a-z0-9_]{0,7}$/) },
  { weight: 1, arbitrary: fc.constantFrom('a b', 'a.b', "it's", 'ü', '', 'a[0]') },
);

/** Any small JSON value: what an open schema (`{}`, a tool's `parameters`) takes. */
const anyJson = smallJson(
  [
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.string({ maxLength: 8 }),
  ],
  openKey,
);

/** The node a property of a named schema is generated from: its PROSE_BOUNDS applied. */
const proseNodes = new Map<string, Schema>();
function propertyNode(owner: string | undefined, key: string, node: Schema): Schema {
  const bounds = owner === undefined ? undefined : PROSE_BOUNDS[owner]?.[key];
  if (bounds === undefined) return node;
  const id = `${owner}.${key}`;
  let bounded = proseNodes.get(id);
  if (bounded === undefined) {
    const members = node.oneOf ?? node.anyOf;
    if (members === undefined) throw new Error(`PROSE_BOUNDS: ${id} is no longer a union`);
    const bound = (member: Schema): Schema =>
      member.type === 'integer' && member.enum === undefined
        ? { ...member, ...bounds, 'x-prose-bound': true }
        : member;
    bounded = { ...node, oneOf: undefined, anyOf: members.map(bound) };
    proseNodes.set(id, bounded);
  }
  return bounded;
}

function stringArb(node: Schema): fc.Arbitrary<string> {
  if (node.pattern !== undefined) return fc.stringMatching(new RegExp(node.pattern));
  if (node.format === 'uri') return fc.webUrl({ withQueryParameters: true, withFragments: true });
  if (node.format !== undefined) throw new Error(`format ${node.format}: teach the generator`);
  const min = node.minLength ?? 0;
  const max = node.maxLength;
  const short = fc.string({ unit: 'binary', minLength: min, maxLength: Math.min(max ?? 12, 12) });
  if (max === undefined) return short;
  // At the bound, in characters (code points) as JSON Schema counts them, astral ones too.
  const atBound = fc.constantFrom('a', 'é', '😀', '\u{10FFFF}').map((char) => char.repeat(max));
  return fc.oneof({ weight: 4, arbitrary: short }, { weight: 1, arbitrary: atBound });
}

function numberArb(node: Schema, integer: boolean): fc.Arbitrary<number> {
  const min = node.minimum ?? -(2 ** 31);
  const max = node.maximum ?? 2 ** 31;
  const whole = fc.integer({ min: Math.ceil(min), max: Math.floor(max) });
  if (integer) return whole;
  const double = fc.double({ min, max, noNaN: true, noDefaultInfinity: true });
  return fc.oneof(double, whole);
}

/** The spec's walk with this test's leaves: values ajv finds valid, in the spec and live. */
const generator = specArbitraries({
  string: stringArb,
  number: numberArb,
  anyJson,
  openKey,
  propertyNode,
});

/** What a union's property tests are run with. */
export interface ClientEventProperties {
  /** The title of the `describe` block. */
  readonly title: string;
  /** The union's event types, with the spec's schema name of each. */
  readonly schemaNames: ReadonlyMap<string, string>;
  /** The problem check under test. */
  readonly problemOf: (event: { readonly type: string }) => ClientEventProblem | undefined;
  /** The union's decoder: every valid event must decode as known. */
  readonly decode: (frame: string) => DecodeResult<{ readonly type: string }>;
  /** Runs by type, where the default of 1 leaves a big schema's deep fields too rare. */
  readonly weights?: Readonly<Record<string, number>>;
  /** The fewest branches and fields the union's schemas hold (a check of the walk itself). */
  readonly minimumUniverse: number;
}

// The work is bounded, not the time (about 2 s in all on an idle 2-core VM for the realtime
// union; each mutated event is checked some hundreds of times). FUZZ_SCALE=N multiplies the
// runs for a deeper run by hand, as in the hostile-values test, and vitest's hang guard with them.
const SCALE = Math.max(1, Number(globalThis.process?.env?.FUZZ_SCALE ?? 1) || 1);
const RUNS = 300 * SCALE;
const MUTATED_RUNS = 100 * SCALE;
const TIMEOUT = 30_000 * SCALE;

/** Valid events of a union, as trees: valid to ajv, strings at their bounds, formats honoured. */
export function eventTreeArb(
  schemaNames: ReadonlyMap<string, string>,
  weights: Readonly<Record<string, number>> = {},
): fc.Arbitrary<Tree> {
  return generator.eventsOf(schemaNames, weights);
}

/** The four properties of a problem check over its union's events (see the top). */
export function describeClientEventProperties(options: ClientEventProperties): void {
  const { schemaNames, problemOf, decode } = options;
  const eventArb = eventTreeArb(schemaNames, options.weights);
  const validEventArb = eventArb.map((tree) => tree.json as Event);
  const specErrors = specErrorsOf(schemaNames);
  const liveErrors = liveErrorsOf(schemaNames);
  /**
   * A fixed sample in which every branch and field of every schema of the union shows up (the
   * coverage test holds it; about 600 to 1,200 events reach them all in the realtime union, by
   * seed): the valid-event properties run it before their random runs, so every known field is
   * checked on every run.
   */
  const covering = fc.sample(eventArb, { numRuns: 2_000, seed: 7 });
  const coveringExamples = covering.map((tree): [Event] => [tree.json as Event]);

  describe(options.title, () => {
    it('generates only events ajv finds valid, in the spec and as the live API reads it', {
      timeout: TIMEOUT,
    }, () => {
      fc.assert(
        fc.property(validEventArb, (event) => {
          expect(specErrors(event), show(event)).toBeUndefined();
          expect(liveErrors(event), show(event)).toBeUndefined();
        }),
        { numRuns: RUNS, examples: coveringExamples },
      );
    });

    it('refuses no known field: no problem in any valid event, as built or decoded', {
      timeout: TIMEOUT,
    }, () => {
      fc.assert(
        fc.property(validEventArb, (event) => {
          expect(problemOf(event), show(event)).toBeUndefined();
          const decoded = decode(JSON.stringify(event));
          expect(decoded.ok && decoded.known, show(event)).toBe(true);
          if (decoded.ok) expect(problemOf(decoded.event), show(event)).toBeUndefined();
        }),
        { numRuns: RUNS, examples: coveringExamples },
      );
    });

    it('reaches every branch and every field of every schema of the union in a sample', () => {
      const universe = coverageUniverse(schemaNames);
      expect(universe.size).toBeGreaterThanOrEqual(options.minimumUniverse);
      const seen = new Set<string>();
      for (const tree of covering) markSeen(tree, seen);
      const missing = [...universe].filter((id) => !seen.has(id));
      expect(missing).toEqual([]);
    });

    it('agrees with ajv after every one mutation of an event, and names the mutated place', {
      timeout: TIMEOUT,
    }, () => {
      const judges = { problemOf, specErrors, liveErrors };
      fc.assert(
        fc.property(eventArb.map(printable), unknownKeyArb, (tree, key) => {
          for (const mutation of mutationsOf(tree, key)) {
            checkMutation(tree.json as Event, mutation, judges);
          }
        }),
        { numRuns: MUTATED_RUNS },
      );
    });
  });
}

/** JSON for a failure message, long strings cut (an event_id at its bound is 512 characters). */
const show = (value: unknown) =>
  JSON.stringify(value, (_, field: unknown) =>
    typeof field === 'string' && field.length > 24
      ? `${field.slice(0, 12)}…(${field.length} code units)`
      : field,
  );

type Segment = string | number;
type Event = { readonly type: string } & Record<string, unknown>;

interface Place {
  readonly path: Segment[];
  readonly tree: Tree;
  /** The value holding this one, if any. */
  readonly owner: Tree | undefined;
}

/** Every place of a tree: its path from the event, the subtree there and what holds it. */
function places(tree: Tree, path: readonly Segment[] = [], owner?: Tree): Place[] {
  const here: Place[] = [{ path: [...path], tree, owner }];
  for (const child of tree.children) here.push(...places(child.tree, [...path, child.key], tree));
  return here;
}

/** A field LIVE_CLIENT_OPTIONAL makes optional: absent or `null`, as any optional field. */
const isLiveOptional = (owner: string | undefined, key: Segment | undefined) =>
  owner !== undefined &&
  typeof key === 'string' &&
  (LIVE_CLIENT_OPTIONAL[owner] ?? []).includes(key);

/** The param the interpreter names a path by: it stops at the parent of a key it cannot echo. */
const SAFE_KEY = /^[A-Za-z0-9_$-]{1,64}$/;
function paramOf(path: readonly Segment[]): string | null {
  let param = '';
  for (const segment of path) {
    if (typeof segment === 'number') param += `[${segment}]`;
    else if (SAFE_KEY.test(segment)) param = param === '' ? segment : `${param}.${segment}`;
    else break;
  }
  return param === '' ? null : param;
}

type Mutation =
  | {
      readonly kind: 'unknown-key';
      readonly path: Segment[];
      readonly key: string;
      readonly closedInSpec: boolean;
    }
  | {
      readonly kind: 'drop-required';
      readonly path: Segment[];
      readonly key: string;
      readonly liveOptional: boolean;
      /** The field was the one fixed value of a union member: see `retag` below. */
      readonly retag: boolean;
    }
  | {
      readonly kind: 'wrong-type' | 'outside-enum';
      readonly path: Segment[];
      readonly value: unknown;
      readonly liveOptional: boolean;
      /**
       * The value was the one fixed value of a field of a union member (`tools[0].type`):
       * changing it unpicks the member, and the union may name any field of the object.
       */
      readonly retag: boolean;
    }
  | {
      readonly kind: 'out-of-bounds';
      readonly path: Segment[];
      readonly value: unknown;
      readonly prose: boolean;
    }
  | { readonly kind: 'break-format'; readonly path: Segment[]; readonly value: unknown };

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Closed as the live API reads it: named fields and no `additionalProperties` schema. */
const isClosed = (schema: Schema) =>
  schema.properties !== undefined &&
  typeof schema.additionalProperties !== 'object' &&
  schema.additionalProperties !== true;

/** One value of each JSON kind, for replacing a value with one of another kind. */
const KIND_SAMPLES: readonly unknown[] = ['x_text', 7, 2.5, true, null, {}, []];
function jsonKind(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

/** The only values a schema allows (`const` / `enum`), if it fixes them. */
const fixedValues = (schema: Schema | undefined) =>
  schema?.const !== undefined ? [schema.const] : schema?.enum;

/** Every single mutation this event has a place for. */
function mutationsOf(tree: Tree, unknownKey: string): Mutation[] {
  const out: Mutation[] = [];
  for (const { path, tree: here, owner } of places(tree)) {
    const { json, schema, name } = here;
    // The event's own `type` picks its schema: changing it is a different event (see the top).
    const isEventType = path.length === 1 && path[0] === 'type';
    if (isRecord(json) && isClosed(schema)) {
      out.push({
        kind: 'unknown-key',
        path,
        key: unknownKey,
        closedInSpec: schema.additionalProperties === false,
      });
    }
    if (isRecord(json)) {
      for (const key of schema.required ?? []) {
        if (!Object.hasOwn(json, key) || (path.length === 0 && key === 'type')) continue;
        const field = here.children.find((child) => child.key === key)?.tree.schema;
        const retag = here.member === true && fixedValues(field)?.length === 1;
        out.push({
          kind: 'drop-required',
          path,
          key,
          liveOptional: isLiveOptional(name, key),
          retag,
        });
      }
    }
    if (path.length === 0 || isEventType) continue;
    const liveOptional = isLiveOptional(owner?.name, path[path.length - 1]);
    const values = fixedValues(schema);
    const retag = owner?.member === true && values?.length === 1;
    for (const value of KIND_SAMPLES) {
      if (jsonKind(value) !== jsonKind(json)) {
        out.push({ kind: 'wrong-type', path, value, liveOptional, retag });
      }
    }
    if (values !== undefined) {
      const value = typeof values[0] === 'number' ? 16_000 : 'x_not_in_enum';
      if (!values.includes(value)) {
        out.push({ kind: 'outside-enum', path, value, liveOptional, retag });
      }
    }
    const prose = schema['x-prose-bound'] === true;
    const step = schema.type === 'integer' ? 1 : 0.5;
    if (typeof json === 'number') {
      if (schema.minimum !== undefined) {
        out.push({ kind: 'out-of-bounds', path, value: schema.minimum - step, prose });
      }
      if (schema.maximum !== undefined) {
        out.push({ kind: 'out-of-bounds', path, value: schema.maximum + step, prose });
      }
    }
    if (typeof json === 'string') {
      if (schema.maxLength !== undefined) {
        for (const char of ['a', '😀']) {
          out.push({
            kind: 'out-of-bounds',
            path,
            value: char.repeat(schema.maxLength + 1),
            prose,
          });
        }
      }
      if (schema.minLength !== undefined && schema.minLength > 0) {
        out.push({ kind: 'out-of-bounds', path, value: 'a'.repeat(schema.minLength - 1), prose });
      }
      if (schema.format !== undefined) out.push({ kind: 'break-format', path, value: 'not a uri' });
      if (schema.pattern !== undefined)
        out.push({ kind: 'break-format', path, value: 'tunnel_NOPE' });
    }
    if (Array.isArray(json)) {
      if (schema.minItems !== undefined && schema.minItems > 0) {
        const value = json.slice(0, schema.minItems - 1);
        out.push({ kind: 'out-of-bounds', path, value, prose });
      }
      if (schema.maxItems !== undefined && json.length > 0) {
        const value = Array.from({ length: schema.maxItems + 1 }, () => json[0]);
        out.push({ kind: 'out-of-bounds', path, value, prose });
      }
    }
  }
  return out;
}

/** A deep copy of the event with the mutation applied. */
function apply(event: unknown, mutation: Mutation): Event {
  const copy = structuredClone(event) as Record<string, unknown>;
  const { path } = mutation;
  if (mutation.kind === 'unknown-key' || mutation.kind === 'drop-required') {
    let target = copy as Record<string | number, unknown>;
    for (const segment of path) target = target[segment] as Record<string | number, unknown>;
    if (mutation.kind === 'drop-required') delete target[mutation.key];
    else {
      // defineProperty, not assignment: the key becomes an own key whatever it is.
      Object.defineProperty(target, mutation.key, {
        value: { x: 1 },
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return copy as Event;
  }
  let parent = copy as Record<string | number, unknown>;
  for (const segment of path.slice(0, -1)) {
    parent = parent[segment] as Record<string | number, unknown>;
  }
  parent[path[path.length - 1]!] = mutation.value;
  return copy as Event;
}

const unknownKeyArb = fc.oneof(
  { weight: 4, arbitrary: fc.stringMatching(/^[a-z][a-z0-9_]{0,12}$/).map((key) => `x_${key}`) },
  { weight: 1, arbitrary: fc.constantFrom('x y', 'x.y', "x'y", 'x\n', 'x[0]') },
);

/** A tree that prints as its event: a counterexample shows the JSON, not the schemas. */
const printable = (tree: Tree): Tree =>
  Object.defineProperty({ ...tree }, fc.toStringMethod, { value: () => show(tree.json) });

// The work is bounded, not the time (about 2 s in all on an idle 2-core VM; each mutated event
// is checked some hundreds of times). FUZZ_SCALE=N multiplies the runs for a deeper run by

/** What judges a mutated event: the check under test and the two ajv readings. */
interface Judges {
  readonly problemOf: (event: Event) => ClientEventProblem | undefined;
  readonly specErrors: (event: Event) => string | undefined;
  readonly liveErrors: (event: Event) => string | undefined;
}

/** One mutation of a valid event, judged by ajv (both readings) and the interpreter. */
function checkMutation(event: Event, mutation: Mutation, judges: Judges) {
  const mutated = apply(event, mutation);
  const specValid = judges.specErrors(mutated) === undefined;
  const liveValid = judges.liveErrors(mutated) === undefined;
  const problem = judges.problemOf(mutated);
  try {
    // The interpreter and ajv over the live reading agree, whatever the mutation.
    expect(problem === undefined).toBe(liveValid);
    if (problem !== undefined) expect(problem).toMatchObject(whereProblem(mutation, problem));
    // The live reading differs from the spec's where it is documented to (at the top).
    switch (mutation.kind) {
      case 'unknown-key':
        expect(liveValid).toBe(false);
        expect(specValid).toBe(!mutation.closedInSpec);
        break;
      case 'drop-required':
        expect(liveValid).toBe(mutation.liveOptional);
        if (mutation.liveOptional) expect(specValid).toBe(false);
        break;
      case 'break-format':
        expect(specValid).toBe(false);
        expect(liveValid).toBe(true);
        break;
      case 'out-of-bounds':
        expect(specValid).toBe(mutation.prose);
        expect(liveValid).toBe(false);
        break;
      default:
        if (mutation.liveOptional && mutation.value === null) {
          expect(specValid).toBe(false);
          expect(liveValid).toBe(true);
        }
    }
  } catch (error) {
    // The event is printed only when it fails: most are checked hundreds of times a run.
    const context = show({ mutation, problem, specValid, liveValid, event: mutated });
    throw new Error(`${context}\n${(error as Error).message}`);
  }
}

/** Whether `param` names `base` or a place inside it. */
function within(param: string | null, base: string | null): boolean {
  if (base === null) return true;
  if (param === null) return false;
  return param === base || param.startsWith(`${base}.`) || param.startsWith(`${base}[`);
}

/** The code and param of the problem a mutation makes, as far as they are fixed. */
function whereProblem(
  mutation: Mutation,
  problem: ClientEventProblem,
): Partial<ClientEventProblem> {
  const param = paramOf(mutation.path);
  switch (mutation.kind) {
    case 'unknown-key': {
      // A key that does not look like a field name is not echoed: the object is named.
      const safe = paramOf([mutation.key]) !== null;
      return {
        code: 'unknown_parameter',
        param: safe ? paramOf([...mutation.path, mutation.key]) : param,
      };
    }
    case 'drop-required':
      // A member's discriminator gone: the object may now be read as another member.
      if (mutation.retag && within(problem.param, param)) return {};
      return {
        code: 'missing_required_parameter',
        param: paramOf([...mutation.path, mutation.key]),
      };
    case 'wrong-type':
    case 'outside-enum': {
      // An `{}` where a union has an object member is of a right type: what it lacks is named
      // inside it (`session.truncation.type`).
      if (isRecord(mutation.value) && problem.code === 'missing_required_parameter') {
        return within(problem.param, param) ? {} : { param };
      }
      // A member's discriminator changed: the object may now be read as another member.
      if (mutation.retag)
        return within(problem.param, paramOf(mutation.path.slice(0, -1))) ? {} : { param };
      return { param };
    }
    default:
      return { param };
  }
}

// ---------------------------------------------------------------------------------------------
// ajv over the spec as the live API reads it

/**
 * The spec as `specErrorsOf` reads it (optional fields also take `null`, `oneOf`
 * read as `anyOf`, `nullable` as a union with `null`), with the live API's differences (see
 * the top): objects that name their fields take no others (`additionalProperties: false`),
 * LIVE_CLIENT_OPTIONAL fields are optional, PROSE_BOUNDS bound their integers, and `format`
 * and `pattern` are not checked. The interpreter is held to this reading exactly; how it
 * differs from the spec's is asserted on the mutations that make the differences.
 */
function liveReading(node: unknown, name?: string): unknown {
  if (Array.isArray(node)) return node.map((item) => liveReading(item));
  if (!isRecord(node)) return node;
  const copy: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'format' || key === 'pattern') continue;
    if (key === 'x-oaiMeta' || key === 'example' || key === 'default') copy[key] = value;
    else if (key === 'properties' && isRecord(value)) {
      // A map of field names, not a schema: a field may be named `format`.
      const fields = Object.entries(value).map(([field, schema]) => [field, liveReading(schema)]);
      copy.properties = Object.fromEntries(fields);
    } else copy[key === 'oneOf' ? 'anyOf' : key] = liveReading(value);
  }
  const properties = copy.properties;
  if (isRecord(properties)) {
    const optional = (name === undefined ? undefined : LIVE_CLIENT_OPTIONAL[name]) ?? [];
    const required = new Set(
      (Array.isArray(node.required) ? (node.required as string[]) : []).filter(
        (key) => !optional.includes(key),
      ),
    );
    copy.required = [...required];
    const bounds = (name === undefined ? undefined : PROSE_BOUNDS[name]) ?? {};
    for (const [key, schema] of Object.entries(properties)) {
      let field = schema;
      const bound = bounds[key];
      if (bound !== undefined && isRecord(field) && Array.isArray(field.anyOf)) {
        const members = field.anyOf.map((member: Record<string, unknown>) =>
          member.type === 'integer' && member.enum === undefined ? { ...member, ...bound } : member,
        );
        field = { ...field, anyOf: members };
      }
      properties[key] = required.has(key) ? field : { anyOf: [field, { type: 'null' }] };
    }
    copy.additionalProperties ??= false;
  }
  if (copy.nullable === true) {
    delete copy.nullable;
    return { anyOf: [copy, { type: 'null' }] };
  }
  return copy;
}

const liveAjv = new Ajv({ strict: false, allErrors: false });
liveAjv.addSchema({
  $id: 'live',
  components: {
    schemas: Object.fromEntries(
      Object.entries(specNodes).map(([name, schema]) => [name, liveReading(schema, name)]),
    ),
  },
});

/**
 * ajv's errors of an event of a union against the live reading, or undefined when it is valid.
 * The schema is picked by the union's own names: `session.update` is another schema in each.
 */
export function liveErrorsOf(schemaNames: ReadonlyMap<string, string>) {
  return (event: Event): string | undefined => {
    const name = schemaNames.get(event.type);
    if (name === undefined) return `no schema for type ${event.type}`;
    const validate = liveAjv.getSchema(`live#/components/schemas/${name}`)!;
    return validate(event) ? undefined : liveAjv.errorsText(validate.errors);
  };
}

/**
 * ajv's errors of an event of a union against the spec (test-support's reading, the one the
 * conformance suite shares), or undefined when it is valid.
 */
export function specErrorsOf(schemaNames: ReadonlyMap<string, string>) {
  return (event: Event): string | undefined => {
    const name = schemaNames.get(event.type);
    if (name === undefined) return `no schema for type ${event.type}`;
    return schemaErrors(name, event);
  };
}

// ---------------------------------------------------------------------------------------------
// Coverage: every concrete branch (after `$ref`s and unions) and every declared field.

const ids = new Map<Schema, number>();
const idOf = (schema: Schema) => {
  let id = ids.get(schema);
  if (id === undefined) {
    id = ids.size + 1;
    ids.set(schema, id);
  }
  return id;
};

function coverageUniverse(schemaNames: ReadonlyMap<string, string>): Set<string> {
  const universe = new Set<string>();
  const visited = new Set<Schema>();
  const visit = (node: Schema, name: string | undefined) => {
    if (node.$ref !== undefined) {
      const target = refName(node.$ref);
      visit(specNodes[target]!, target);
      return;
    }
    if (visited.has(node)) return;
    visited.add(node);
    const members = node.anyOf ?? node.oneOf;
    if (members !== undefined) {
      for (const member of members) visit(member, undefined);
      return;
    }
    universe.add(`branch ${idOf(node)}`);
    for (const [key, child] of Object.entries(node.properties ?? {})) {
      universe.add(`field ${idOf(node)}.${key}`);
      visit(propertyNode(name, key, child), undefined);
    }
    if (node.items !== undefined) visit(node.items, undefined);
    if (typeof node.additionalProperties === 'object') visit(node.additionalProperties, undefined);
  };
  for (const name of schemaNames.values()) visit(specNodes[name]!, name);
  return universe;
}

function markSeen(tree: Tree, seen: Set<string>) {
  if (tree.schema !== NULL_TREE.schema) seen.add(`branch ${idOf(tree.schema)}`);
  for (const child of tree.children) {
    if (child.declared) seen.add(`field ${idOf(tree.schema)}.${child.key}`);
    markSeen(child.tree, seen);
  }
}
