#!/usr/bin/env node
// Generates packages/types/src/generated/* from spec/realtime-schemas.json.
//
// The spec is the single source of truth for the wire format: the TypeScript declarations and
// the decoder's shape table are both derived from it here, at build time, so neither can drift.
// `node scripts/generate.mjs` writes the files; `--check` fails when the committed output is
// stale (the build runs the check, so CI catches a spec update without a regeneration).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { contextBuildersFile, contextEvents, contextEventsFile } from './context-events.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const specPath = join(here, '..', '..', '..', 'spec', 'realtime-schemas.json');
const outDir = join(here, '..', 'src', 'generated');
const spec = JSON.parse(readFileSync(specPath, 'utf8'));
const schemas = spec.schemas;

const refName = (ref) => ref.replace('#/components/schemas/', '');
const unionOf = (node) => node.anyOf ?? node.oneOf;

/**
 * Fields the live GA API sends that the spec omits. Kept here, in one reviewed list, so the
 * generated types accept real traffic (captured frames carry `obfuscation` on every delta).
 */
const LIVE_EXTRAS = {
  'response.output_text.delta': { obfuscation: { type: 'string' } },
  'response.output_audio.delta': { obfuscation: { type: 'string' } },
  'response.output_audio_transcript.delta': { obfuscation: { type: 'string' } },
  'response.function_call_arguments.delta': { obfuscation: { type: 'string' } },
  'conversation.item.input_audio_transcription.delta': { obfuscation: { type: 'string' } },
};

/** Beta-era names the live API still emits on some deployments, mapped to their GA names. */
const LEGACY_EVENT_NAMES = {
  'response.text.delta': 'response.output_text.delta',
  'response.text.done': 'response.output_text.done',
  'response.audio.delta': 'response.output_audio.delta',
  'response.audio.done': 'response.output_audio.done',
  'response.audio_transcript.delta': 'response.output_audio_transcript.delta',
  'response.audio_transcript.done': 'response.output_audio_transcript.done',
};

// ---------------------------------------------------------------------------------------------
// TypeScript declarations

const isIdentifier = (key) => /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key);
const propKey = (key) => (isIdentifier(key) ? key : JSON.stringify(key));

function tsType(node, pad = '', nulls = true) {
  if (
    node === true ||
    node === undefined ||
    (typeof node === 'object' && Object.keys(node).length === 0)
  ) {
    return 'unknown';
  }
  if (node.$ref) return refName(node.$ref) + (node.nullable ? ' | null' : '');
  const variants = unionOf(node);
  if (variants) {
    let parts = [...new Set(variants.map((v) => tsType(v, pad, nulls)))];
    if (node.nullable && !parts.includes('null')) parts.push('null');
    // `string | 'a' | 'b'` collapses to `string`; `string & {}` keeps the literals for completion.
    if (parts.includes('string') && parts.some((p) => p.startsWith('"'))) {
      parts = parts.map((p) => (p === 'string' ? '(string & {})' : p));
    }
    return parts.length === 1
      ? parts[0]
      : parts.map((p) => (p.includes('\n') ? `(${p})` : p)).join(' | ');
  }
  if (node.allOf) return node.allOf.map((v) => tsType(v, pad, nulls)).join(' & ');
  if (node.const !== undefined) return JSON.stringify(node.const);
  const types = Array.isArray(node.type) ? node.type : node.type ? [node.type] : [];
  let out;
  if (node.enum) {
    out = node.enum.map((v) => JSON.stringify(v)).join(' | ');
  } else if (types.length > 1) {
    out = types.map((t) => tsType({ ...node, type: t }, pad, nulls)).join(' | ');
  } else {
    switch (types[0]) {
      case 'string':
        out = 'string';
        break;
      case 'integer':
      case 'number':
        out = 'number';
        break;
      case 'boolean':
        out = 'boolean';
        break;
      case 'null':
        out = 'null';
        break;
      case 'array': {
        const item = tsType(node.items ?? {}, pad, nulls);
        out = /[|&\n]/.test(item) ? `Array<${item}>` : `${item}[]`;
        break;
      }
      case 'object':
      case undefined:
        out = objectType(node, pad, {}, nulls);
        break;
      default:
        throw new Error(`unsupported schema type ${types[0]}`);
    }
  }
  if (node.nullable && out !== 'null') out += ' | null';
  return out;
}

function objectType(node, pad, extras = {}, nulls = true) {
  const properties = { ...(node.properties ?? {}), ...extras };
  const keys = Object.keys(properties);
  if (keys.length === 0) {
    if (node.additionalProperties && typeof node.additionalProperties === 'object') {
      return `Record<string, ${tsType(node.additionalProperties, pad, nulls)}>`;
    }
    return 'Record<string, unknown>';
  }
  const required = new Set(node.required ?? []);
  const inner = `${pad}  `;
  const lines = keys.map((key) => {
    const optional = !required.has(key);
    let type = tsType(properties[key], inner, nulls);
    // Optional fields arrive as `null` from the live API as often as they are left out.
    if (nulls && optional && !/(^|\| )null( \||$)/.test(type)) type += ' | null';
    return `${inner}${propKey(key)}${optional ? '?' : ''}: ${type};`;
  });
  return `{\n${lines.join('\n')}\n${pad}}`;
}

function eventTypeOf(schema) {
  return schema.properties?.type?.enum?.[0];
}

function declaration(name, schema) {
  const isEvent = eventNames.has(name);
  const eventType = isEvent ? eventTypeOf(schema) : undefined;
  const extras = (eventType && LIVE_EXTRAS[eventType]) ?? {};
  const doc = eventType
    ? `/** The \`${eventType}\` event (spec schema \`${name}\`). */\n`
    : `/** Spec schema \`${name}\`. */\n`;
  // Translation sessions are typed as the spec and openai-node type them: an optional field is
  // absent, never `null` (no live traffic says otherwise). The decoders still take `null`.
  const nulls = !name.startsWith('RealtimeTranslation');
  const isObject = !unionOf(schema) && !schema.allOf && schema.properties;
  if (isObject) {
    const body = objectType(schema, '', extras, nulls);
    return `${doc}export interface ${name} ${body}\n`;
  }
  return `${doc}export type ${name} = ${tsType(schema, '', nulls)};\n`;
}

const eventRefs = (union) => schemas[union].anyOf.map((v) => refName(v.$ref));
const serverEventNames = eventRefs('RealtimeServerEvent');
const clientEventNames = eventRefs('RealtimeClientEvent');
// Translation sessions (`/v1/realtime/translations`) are a protocol of their own whose type
// strings collide with the realtime ones (`session.update`, `session.created`, …): their
// unions, constants, shapes and schemas are emitted apart, never merged into the two above.
const translationServerEventNames = eventRefs('RealtimeTranslationServerEvent');
const translationClientEventNames = eventRefs('RealtimeTranslationClientEvent');
const eventNames = new Set([
  ...serverEventNames,
  ...clientEventNames,
  ...translationServerEventNames,
  ...translationClientEventNames,
]);
const UNIONS = new Set([
  'RealtimeServerEvent',
  'RealtimeClientEvent',
  'RealtimeTranslationServerEvent',
  'RealtimeTranslationClientEvent',
]);

function typesFile() {
  // The event unions are declared in event-types.ts and translation-event-types.ts, beside
  // their type-string constants.
  const names = Object.keys(schemas)
    .filter((name) => !UNIONS.has(name))
    .sort();
  const body = names.map((name) => declaration(name, schemas[name])).join('\n');
  return `${HEADER}\n${body}`;
}

// ---------------------------------------------------------------------------------------------
// Decoder shape table
//
// A shape is plain data interpreted by src/validate-shape.ts: [kinds, fields?, items?]
//   kinds  — bit set of allowed JSON kinds (see KIND below); 0 means "anything".
//   fields — for objects: [[name, required, shape], …] checked when present.
//   items  — for arrays: the shape of every element.
// Unions are merged conservatively: a nested field is checked only when every variant agrees
// on it, so valid traffic is never rejected because of a branch the decoder could not pick.

const KIND = { string: 1, integer: 2, number: 4, boolean: 8, null: 16, object: 32, array: 64 };
const ANY = 0;

function shapeOf(node, seen = new Set()) {
  if (!node || typeof node !== 'object' || Object.keys(node).length === 0) return { kinds: ANY };
  if (node.$ref) {
    const name = refName(node.$ref);
    if (seen.has(name)) return { kinds: ANY };
    const shape = shapeOf(schemas[name], new Set([...seen, name]));
    return node.nullable ? withNull(shape) : shape;
  }
  const variants = unionOf(node);
  if (variants) {
    const merged = mergeShapes(variants.map((v) => shapeOf(v, seen)));
    return node.nullable ? withNull(merged) : merged;
  }
  if (node.allOf) return { kinds: ANY };
  const types = Array.isArray(node.type)
    ? node.type
    : node.type
      ? [node.type]
      : node.properties
        ? ['object']
        : [];
  if (types.length === 0) return { kinds: ANY };
  let kinds = 0;
  for (const t of types) kinds |= t === 'number' ? KIND.number | KIND.integer : KIND[t];
  const shape = { kinds };
  if (types.includes('object') && node.properties) {
    const required = new Set(node.required ?? []);
    shape.fields = Object.entries(node.properties).map(([key, value]) => [
      key,
      required.has(key),
      shapeOf(value, seen),
    ]);
  }
  if (types.includes('array') && node.items) shape.items = shapeOf(node.items, seen);
  if (node.nullable) shape.kinds |= KIND.null;
  return shape;
}

function withNull(shape) {
  return shape.kinds === ANY ? shape : { ...shape, kinds: shape.kinds | KIND.null };
}

function mergeShapes(shapes) {
  if (shapes.some((s) => s.kinds === ANY)) return { kinds: ANY };
  let kinds = 0;
  for (const s of shapes) kinds |= s.kinds;
  const merged = { kinds };
  const objects = shapes.filter((s) => s.kinds & KIND.object);
  if (objects.length > 0 && objects.every((s) => s.fields)) {
    const [first, ...rest] = objects;
    merged.fields = first.fields
      .filter(([key, , shape]) =>
        rest.every((other) =>
          other.fields.some(([k, , s]) => k === key && JSON.stringify(s) === JSON.stringify(shape)),
        ),
      )
      .map(([key, required, shape]) => [
        key,
        required && rest.every((other) => other.fields.some(([k, r]) => k === key && r)),
        shape,
      ]);
  }
  const arrays = shapes.filter((s) => s.kinds & KIND.array);
  if (
    arrays.length > 0 &&
    arrays.every((s) => s.items && JSON.stringify(s.items) === JSON.stringify(arrays[0].items))
  ) {
    merged.items = arrays[0].items;
  }
  return merged;
}

/**
 * Serializes the shapes and checks of event unions; repeated sub-shapes are hoisted into
 * shared constants. `unions` are `[prefix, what, schema names]`: `SERVER` gives
 * `SERVER_EVENT_SHAPES` and `SERVER_EVENT_CHECKS` of "every server event".
 */
function shapesFile(unions) {
  const pool = new Map();
  const emit = (shape) => {
    const fields = shape.fields
      ? `[${shape.fields.map(([k, r, s]) => `[${JSON.stringify(k)}, ${r}, ${emit(s)}]`).join(', ')}]`
      : 'undefined';
    const items = shape.items ? emit(shape.items) : 'undefined';
    const literal =
      shape.fields || shape.items
        ? `shape(${shape.kinds}, ${fields}, ${items})`
        : `shape(${shape.kinds})`;
    if (!pool.has(literal)) pool.set(literal, `s${pool.size}`);
    return pool.get(literal);
  };
  const eventShapes = (names) =>
    names.map((name) => {
      const schema = schemas[name];
      // The dispatcher has already matched `type`, so the event's own shape skips it.
      const eventShape = shapeOf(schema);
      eventShape.fields = eventShape.fields.filter(([key]) => key !== 'type');
      return { type: eventTypeOf(schema), shape: eventShape, id: emit(eventShape) };
    });
  const table = (entries) =>
    entries.map(({ type, id }) => `  ${JSON.stringify(type)}: ${id},`).join('\n');
  const checks = (entries) =>
    entries
      .map(({ type, shape }) => `  [${JSON.stringify(type)}, ${checkFunction(shape, emit)}],`)
      .join('\n');
  const sections = unions.map(([prefix, what, names]) => {
    const entries = eventShapes(names);
    return `/** Decoder shapes of ${what}, keyed by \`type\`. */
export const ${prefix}_EVENT_SHAPES: Readonly<Record<string, Shape>> = {
${table(entries)}
};

/** Fast checks of ${what}, equivalent to validating against its shape. */
export const ${prefix}_EVENT_CHECKS: ReadonlyMap<string, EventCheck> = new Map<string, EventCheck>([
${checks(entries)}
]);
`;
  });
  const constants = [...pool.entries()]
    .map(([literal, id]) => `const ${id} = ${literal};`)
    .join('\n');
  return `${HEADER}
import { type EventCheck, shape, type Shape } from '../shape.ts';
import { validateShape } from '../validate-shape.ts';

${constants}

${sections.join('\n')}`;
}

/** A JS expression that is true when `v` has one of the allowed kinds (no nested checks). */
function kindTest(kinds) {
  const tests = [];
  if (kinds & KIND.string) tests.push("typeof v === 'string'");
  if (kinds & KIND.number) tests.push("typeof v === 'number'");
  else if (kinds & KIND.integer) tests.push('Number.isInteger(v)');
  if (kinds & KIND.boolean) tests.push("typeof v === 'boolean'");
  if (kinds & KIND.null) tests.push('v === null');
  if (kinds & KIND.object) tests.push("(typeof v === 'object' && v !== null && !Array.isArray(v))");
  if (kinds & KIND.array) tests.push('Array.isArray(v)');
  return tests.length === 1 ? tests[0] : `(${tests.join(' || ')})`;
}

/** Generates the straight-line check of an event's top-level fields. */
function checkFunction(eventShape, emit) {
  const lines = [];
  for (const [key, required, fieldShape] of eventShape.fields) {
    if (fieldShape.kinds === ANY && required) {
      lines.push(`    if (e[${JSON.stringify(key)}] === undefined) return false;`);
      continue;
    }
    if (fieldShape.kinds === ANY) continue;
    const nested = fieldShape.fields || fieldShape.items;
    const test = nested
      ? `validateShape(v, ${emit(fieldShape)}) === undefined`
      : kindTest(fieldShape.kinds);
    const absent = required ? 'v === undefined' : 'v === undefined || v === null';
    lines.push(`    v = e[${JSON.stringify(key)}];`);
    lines.push(
      required
        ? `    if (v === undefined || !${wrap(test)}) return false;`
        : `    if (!(${absent}) && !${wrap(test)}) return false;`,
    );
  }
  if (lines.length === 0) return '() => true';
  return `(e) => {\n    let v: unknown;\n${lines.join('\n')}\n    return true;\n  }`;
}

const wrap = (test) =>
  test.startsWith('(') || (/^[\w.]+\(/.test(test) && !test.includes(' ')) ? test : `(${test})`;

// ---------------------------------------------------------------------------------------------
// Client event schemas (read by src/client-event-problem.ts)
//
// The decoder's shapes merge unions until they say little; refusing a parameter the way the
// live API does needs the schemas themselves: every union member, enum, bound and whether an
// object takes keys it does not name. Emitted as data (see src/schema-node.ts), never as code.

/**
 * Bounds the spec states only in prose (the stored spec keeps no descriptions): "Provide an
 * integer between 1 and 4096 to limit output tokens, or `inf`" on both `max_output_tokens`.
 * Keyed by schema and property; applied to the integer member of the property's union.
 */
const PROSE_BOUNDS = {
  RealtimeSessionCreateRequestGA: { max_output_tokens: { minimum: 1, maximum: 4096 } },
  RealtimeResponseCreateParams: { max_output_tokens: { minimum: 1, maximum: 4096 } },
};

/**
 * Fields the live API takes from clients that the spec does not list, by schema. Empty while
 * every field the official SDKs send is in the spec; an entry here needs a comment saying
 * which client sends it.
 */
const LIVE_CLIENT_EXTRAS = {};

/**
 * Fields the spec marks required that the live API lets a client leave out, by schema. The
 * spec shares these schemas with what the server sends, where every item has an `id`; a client
 * creating an item may omit it, and @openai/agents-realtime's `sendMcpResponse` sends an
 * `mcp_approval_response` with none.
 */
const LIVE_CLIENT_OPTIONAL = { RealtimeMCPApprovalResponse: ['id'] };

const BOUND_KEYS = ['minimum', 'maximum', 'minLength', 'maxLength', 'minItems', 'maxItems'];
const NULL_ONLY = { kinds: KIND.null };

function kindsOfValues(values) {
  let kinds = 0;
  for (const value of values) {
    if (value === null) kinds |= KIND.null;
    else if (typeof value === 'string') kinds |= KIND.string;
    else if (typeof value === 'boolean') kinds |= KIND.boolean;
    else if (Number.isInteger(value)) kinds |= KIND.integer;
    else kinds |= KIND.number;
  }
  return kinds;
}

/** The interpreter's node of a spec schema; `schemaName` is set when `node` is a named schema. */
function clientNode(node, stack = [], schemaName = undefined) {
  if (node === true || !node || typeof node !== 'object' || Object.keys(node).length === 0) {
    return { kinds: ANY };
  }
  if (node.$ref) {
    const name = refName(node.$ref);
    // The interpreter walks a value and its schema together: a cycle would let a value lead it
    // anywhere. None exists among client events; a spec update that adds one fails here.
    if (stack.includes(name)) throw new Error(`client schema ${name} refers to itself`);
    const resolved = clientNode(schemas[name], [...stack, name], name);
    return node.nullable ? withNullNode(resolved) : resolved;
  }
  const variants = unionOf(node);
  if (variants) {
    const members = variants.map((variant) => clientNode(variant, stack));
    if (node.nullable) members.push(NULL_ONLY);
    return unionNode(members);
  }
  if (node.allOf) throw new Error('allOf in a client schema: teach clientNode to merge it');
  const types = Array.isArray(node.type)
    ? node.type
    : node.type
      ? [node.type]
      : node.properties
        ? ['object']
        : [];
  const values = node.const !== undefined ? [node.const] : node.enum;
  let kinds = 0;
  for (const t of types) kinds |= t === 'number' ? KIND.number | KIND.integer : KIND[t];
  if (values) kinds = kinds === 0 ? kindsOfValues(values) : kinds;
  if (kinds === 0) return { kinds: ANY };
  if (node.nullable) kinds |= KIND.null;
  const out = { kinds };
  if (values) out.values = node.nullable && !values.includes(null) ? [...values, null] : values;
  if (kinds & KIND.object) {
    const properties = { ...(node.properties ?? {}), ...(LIVE_CLIENT_EXTRAS[schemaName] ?? {}) };
    const names = Object.keys(properties).sort();
    if (names.length > 0) {
      const bounds = PROSE_BOUNDS[schemaName] ?? {};
      out.properties = Object.fromEntries(
        names.map((key) => {
          if (key === '__proto__') throw new Error('a property named __proto__ cannot be emitted');
          return [key, withBounds(clientNode(properties[key], stack), bounds[key])];
        }),
      );
      const optional = LIVE_CLIENT_OPTIONAL[schemaName] ?? [];
      const required = (node.required ?? []).filter(
        (key) => key in properties && !optional.includes(key),
      );
      if (required.length > 0) out.required = required;
    }
    const additional = node.additionalProperties;
    if (additional && typeof additional === 'object') out.extra = clientNode(additional, stack);
    else if (names.length === 0 && additional !== false) out.extra = { kinds: ANY };
  }
  if (kinds & KIND.array && node.items) {
    const items = clientNode(node.items, stack);
    if (items.kinds !== ANY || items.variants) out.items = items;
  }
  for (const key of BOUND_KEYS) if (typeof node[key] === 'number') out[key] = node[key];
  return out;
}

function withNullNode(node) {
  if (node.kinds === ANY && !node.variants) return node;
  if (node.variants) return unionNode([...node.variants, NULL_ONLY]);
  return {
    ...node,
    kinds: node.kinds | KIND.null,
    ...(node.values && !node.values.includes(null) ? { values: [...node.values, null] } : {}),
  };
}

/** Applies a prose bound to a property: to its integer member when it is a union. */
function withBounds(node, bounds) {
  if (!bounds) return node;
  if (!node.variants) return { ...node, ...bounds };
  const variants = node.variants.map((variant) =>
    variant.kinds & KIND.integer && !variant.values ? { ...variant, ...bounds } : variant,
  );
  return { ...node, variants };
}

/**
 * A union of nodes: nested unions flattened, `X | null` folded into X, and the fields that
 * name a variant (a property of one fixed value in more than one object member) listed.
 */
function unionNode(members) {
  const flat = members.flatMap((member) => member.variants ?? [member]);
  if (flat.some((member) => member.kinds === ANY)) return { kinds: ANY };
  const nonNull = flat.filter((member) => member !== NULL_ONLY && member.kinds !== KIND.null);
  if (nonNull.length === 1) {
    return flat.length === 1 ? nonNull[0] : withNullNode(nonNull[0]);
  }
  let kinds = 0;
  for (const member of flat) kinds |= member.kinds;
  const out = { kinds, variants: flat };
  const objects = flat.filter((member) => member.kinds & KIND.object && member.properties);
  if (objects.length > 1) {
    const counts = new Map();
    for (const member of objects) {
      for (const [key, property] of Object.entries(member.properties)) {
        if (property.values?.length === 1) counts.set(key, (counts.get(key) ?? 0) + 1);
      }
    }
    // `type` names most variants; `role` then tells the three messages apart.
    const discriminators = [...counts.entries()].sort((a, b) => b[1] - a[1]).map(([key]) => key);
    if (discriminators.length > 0) out.discriminators = discriminators;
  }
  return out;
}

/**
 * Serializes the schemas of a union's client events as `name`, a table keyed by `type`;
 * repeated nodes are hoisted into shared constants.
 */
function clientSchemasFile(name, names, what) {
  const pool = new Map();
  const emit = (node) => {
    const parts = [`kinds: ${node.kinds}`];
    const list = (values) => `[${values.map((value) => JSON.stringify(value)).join(', ')}]`;
    if (node.values) parts.push(`values: ${list(node.values)}`);
    if (node.properties) {
      const fields = Object.entries(node.properties).map(
        ([key, child]) => `${propKey(key)}: ${emit(child)}`,
      );
      parts.push(`properties: { ${fields.join(', ')} }`);
    }
    if (node.required) parts.push(`required: ${list(node.required)}`);
    if (node.extra) parts.push(`extra: ${emit(node.extra)}`);
    if (node.items) parts.push(`items: ${emit(node.items)}`);
    if (node.variants) parts.push(`variants: [${node.variants.map(emit).join(', ')}]`);
    if (node.discriminators) parts.push(`discriminators: ${list(node.discriminators)}`);
    for (const key of BOUND_KEYS) if (node[key] !== undefined) parts.push(`${key}: ${node[key]}`);
    const literal = `{ ${parts.join(', ')} }`;
    if (!pool.has(literal)) pool.set(literal, `n${pool.size}`);
    return pool.get(literal);
  };
  const table = names
    .map((schemaName) => {
      const schema = schemas[schemaName];
      const id = emit(clientNode(schema, [schemaName], schemaName));
      return `  ${JSON.stringify(eventTypeOf(schema))}: ${id},`;
    })
    .join('\n');
  const constants = [...pool.entries()]
    .map(([literal, id]) => `const ${id}: SchemaNode = ${literal};`)
    .join('\n');
  return `${HEADER}
import type { SchemaNode } from '../schema-node.ts';

${constants}

/** The schema of ${what}, keyed by \`type\`, for refusing parameters as the live API does. */
export const ${name}: Readonly<Record<string, SchemaNode>> = {
${table}
};
`;
}

// ---------------------------------------------------------------------------------------------
// Event type constants and unions

function eventsFile() {
  const list = (names) =>
    names.map((n) => `  ${JSON.stringify(eventTypeOf(schemas[n]))},`).join('\n');
  const union = (names) => names.map((n) => `  | ${n}`).join('\n');
  const scoped = (predicate) =>
    serverEventNames
      .map((n) => schemas[n])
      .filter((s) => predicate(new Set(s.required ?? [])))
      .map((s) => `  ${JSON.stringify(eventTypeOf(s))},`)
      .join('\n');
  const imports = [...serverEventNames, ...clientEventNames].sort().join(',\n  ');
  return `${HEADER}
import type {
  ${imports},
} from './schema-types.ts';

/**
 * Every server event \`type\` of the GA protocol, in the spec's order.
 *
 * @example
 * \`\`\`ts
 * const known = new Set<string>(SERVER_EVENT_TYPES);
 * known.has('response.done'); // true
 * \`\`\`
 */
export const SERVER_EVENT_TYPES = [
${list(serverEventNames)}
] as const;

/**
 * Every client event \`type\` of the GA protocol, in the spec's order.
 *
 * @example
 * \`\`\`ts
 * CLIENT_EVENT_TYPES.includes('response.create'); // true
 * \`\`\`
 */
export const CLIENT_EVENT_TYPES = [
${list(clientEventNames)}
] as const;

/**
 * Server event types that carry a \`response_id\`.
 *
 * @example
 * \`\`\`ts
 * const scoped = new Set<string>(RESPONSE_SCOPED_EVENT_TYPES);
 * if (scoped.has(event.type)) cancelled.has((event as { response_id: string }).response_id);
 * \`\`\`
 */
export const RESPONSE_SCOPED_EVENT_TYPES = [
${scoped((r) => r.has('response_id'))}
] as const;

/**
 * Server event types that carry \`response_id\`, \`item_id\` and \`output_index\`.
 *
 * @example
 * \`\`\`ts
 * ITEM_SCOPED_EVENT_TYPES.includes('response.function_call_arguments.delta'); // true
 * \`\`\`
 */
export const ITEM_SCOPED_EVENT_TYPES = [
${scoped((r) => r.has('response_id') && r.has('item_id') && r.has('output_index'))}
] as const;

/**
 * Server event types that carry \`response_id\`, \`item_id\`, \`output_index\` and
 * \`content_index\`.
 *
 * @example
 * \`\`\`ts
 * CONTENT_SCOPED_EVENT_TYPES.includes('response.output_text.delta'); // true
 * \`\`\`
 */
export const CONTENT_SCOPED_EVENT_TYPES = [
${scoped((r) => r.has('response_id') && r.has('item_id') && r.has('output_index') && r.has('content_index'))}
] as const;

/**
 * Beta event names mapped to their GA names (see \`legacyNames\` in the decoder options).
 *
 * @example
 * \`\`\`ts
 * LEGACY_EVENT_NAMES['response.text.delta']; // 'response.output_text.delta'
 * \`\`\`
 */
export const LEGACY_EVENT_NAMES = ${JSON.stringify(LEGACY_EVENT_NAMES, null, 2).replace(/\n}/, ',\n}')} as const;

/** Any event the server sends over a Realtime session. */
export type RealtimeServerEvent =
${union(serverEventNames)};

/** Any event a client sends over a Realtime session. */
export type RealtimeClientEvent =
${union(clientEventNames)};
`;
}

/** The translation unions and their type-string constants (a protocol of their own). */
function translationEventsFile() {
  const list = (names) =>
    names.map((n) => `  ${JSON.stringify(eventTypeOf(schemas[n]))},`).join('\n');
  const union = (names) => names.map((n) => `  | ${n}`).join('\n');
  const imports = [...translationServerEventNames, ...translationClientEventNames]
    .sort()
    .join(',\n  ');
  return `${HEADER}
import type {
  ${imports},
} from './schema-types.ts';

/**
 * Every server event \`type\` of a translation session (\`/v1/realtime/translations\`), in the
 * spec's order. Some collide with realtime types (\`session.created\`, \`session.updated\`)
 * and carry another shape: decode with \`decodeTranslationServerEvent\`.
 *
 * @example
 * \`\`\`ts
 * TRANSLATION_SERVER_EVENT_TYPES.includes('session.output_audio.delta'); // true
 * \`\`\`
 */
export const TRANSLATION_SERVER_EVENT_TYPES = [
${list(translationServerEventNames)}
] as const;

/**
 * Every client event \`type\` of a translation session, in the spec's order. \`session.update\`
 * collides with the realtime event and carries another shape: decode with
 * \`decodeTranslationClientEvent\`.
 *
 * @example
 * \`\`\`ts
 * TRANSLATION_CLIENT_EVENT_TYPES.includes('session.input_audio_buffer.append'); // true
 * \`\`\`
 */
export const TRANSLATION_CLIENT_EVENT_TYPES = [
${list(translationClientEventNames)}
] as const;

/** Any event the server sends over a translation session. */
export type RealtimeTranslationServerEvent =
${union(translationServerEventNames)};

/** Any event a client sends over a translation session. */
export type RealtimeTranslationClientEvent =
${union(translationClientEventNames)};
`;
}

const HEADER = `// Generated by packages/types/scripts/generate.mjs from spec/realtime-schemas.json.
// Do not edit by hand: run \`pnpm --filter @rtwire/types generate\`.
/* eslint-disable */
`;

// The context-scoped events, one catalogue for the builders' context classes and the
// serializer's context encoders (written into those packages: they derive from the spec too).
const catalogue = contextEvents(
  schemas,
  serverEventNames.filter((name) => schemas[name].properties?.type?.enum),
);
const packagesDir = join(here, '..', '..');
const outputs = {
  [join(outDir, 'schema-types.ts')]: typesFile(),
  [join(outDir, 'event-shapes.ts')]: shapesFile([
    ['SERVER', 'every server event', serverEventNames],
    ['CLIENT', 'every client event', clientEventNames],
  ]),
  [join(outDir, 'event-types.ts')]: eventsFile(),
  [join(outDir, 'client-event-schemas.ts')]: clientSchemasFile(
    'CLIENT_EVENT_SCHEMAS',
    clientEventNames,
    'every client event',
  ),
  [join(outDir, 'translation-event-shapes.ts')]: shapesFile([
    ['TRANSLATION_SERVER', 'every translation server event', translationServerEventNames],
    ['TRANSLATION_CLIENT', 'every translation client event', translationClientEventNames],
  ]),
  [join(outDir, 'translation-event-types.ts')]: translationEventsFile(),
  [join(outDir, 'translation-client-event-schemas.ts')]: clientSchemasFile(
    'TRANSLATION_CLIENT_EVENT_SCHEMAS',
    translationClientEventNames,
    'every translation client event',
  ),
  [join(packagesDir, 'builders', 'src', 'generated', 'context-builders.ts')]: contextBuildersFile(
    catalogue,
    HEADER,
  ),
  [join(packagesDir, 'serializer', 'src', 'generated', 'context-events.ts')]: contextEventsFile(
    catalogue,
    HEADER,
  ),
};

if (process.argv.includes('--check')) {
  const stale = Object.entries(outputs).filter(([file, text]) => {
    try {
      return readFileSync(file, 'utf8') !== text;
    } catch {
      return true;
    }
  });
  if (stale.length > 0) {
    console.error(
      `generated code is stale: ${stale.map(([file]) => file.slice(packagesDir.length + 1)).join(', ')}; run \`pnpm --filter @rtwire/types generate\``,
    );
    process.exit(1);
  }
} else {
  for (const [file, text] of Object.entries(outputs)) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
  }
  console.log(`wrote ${Object.keys(outputs).length} generated files`);
}
