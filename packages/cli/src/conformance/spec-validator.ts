import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

type JsonObject = Record<string, unknown>;

/**
 * The official spec, shipped beside the built suite (`dist/spec/`), or the repository's copy
 * when the suite runs from its source.
 */
function readSpec(): { schemas: Record<string, JsonObject> } {
  const candidates = [
    new URL('../spec/realtime-schemas.json', import.meta.url),
    new URL('../../../../spec/realtime-schemas.json', import.meta.url),
  ];
  for (const candidate of candidates) {
    const path = fileURLToPath(candidate);
    if (existsSync(path)) return JSON.parse(readFileSync(path, 'utf8'));
  }
  throw new Error('rtwire conformance: the Realtime spec is missing from the package');
}

/**
 * The spec's schemas as the wire follows them. The live API sends `null` for absent optional
 * fields where the spec only says they may be missing, so an optional property also accepts
 * `null`; the spec's overlapping `oneOf`s mean "one of these shapes" (`anyOf`); OpenAPI's
 * `nullable` becomes a JSON Schema union.
 */
function followTheWire(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(followTheWire);
  if (typeof node !== 'object' || node === null) return node;
  const source = node as JsonObject;
  const copy: JsonObject = {};
  for (const [key, value] of Object.entries(source)) {
    copy[key === 'oneOf' ? 'anyOf' : key] = followTheWire(value);
  }
  const properties = copy.properties as JsonObject | undefined;
  if (properties !== undefined && typeof properties === 'object') {
    const required = new Set((source.required as string[] | undefined) ?? []);
    for (const [name, schema] of Object.entries(properties)) {
      if (!required.has(name)) properties[name] = { anyOf: [schema, { type: 'null' }] };
    }
  }
  if (copy.nullable === true) {
    delete copy.nullable;
    return { anyOf: [copy, { type: 'null' }] };
  }
  return copy;
}

/**
 * An ajv holding the spec's schemas as the wire follows them (under `spec#/components/schemas/`),
 * with the formats they use: the one reading of the spec shared by the suite and the tests.
 *
 * @example
 * ```ts
 * const validate = specAjv(schemas, { allErrors: true }).getSchema('spec#/components/schemas/RealtimeServerEventError');
 * ```
 */
export function specAjv(
  schemas: Readonly<Record<string, unknown>>,
  options: { readonly allErrors: boolean },
): Ajv {
  const ajv = new Ajv({ strict: false, allErrors: options.allErrors });
  // ajv-formats is CommonJS; its default export arrives wrapped under some loaders.
  const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ??
    addFormatsModule) as (ajv: Ajv) => Ajv;
  addFormats(ajv);
  // The spec's own format for timestamps (`expires_at`): whole seconds since the Unix epoch.
  ajv.addFormat('unixtime', {
    type: 'number',
    validate: (value: number) => Number.isInteger(value) && value >= 0,
  });
  ajv.addSchema({ $id: 'spec', components: { schemas: followTheWire(schemas) } });
  return ajv;
}

/**
 * The schema name of each event type of a union of the spec (`RealtimeServerEvent`,
 * `RealtimeClientEvent`), read from each member's `type` enum.
 *
 * @example
 * ```ts
 * schemaNamesByType(schemas, 'RealtimeServerEvent').get('response.done'); // 'RealtimeServerEventResponseDone'
 * ```
 */
export function schemaNamesByType(
  schemas: Readonly<Record<string, unknown>>,
  union: string,
): Map<string, string> {
  const byType = new Map<string, string>();
  const members = (schemas[union] as { anyOf?: { $ref: string }[] } | undefined)?.anyOf ?? [];
  for (const member of members) {
    const name = member.$ref.split('/').pop() as string;
    const type = (schemas[name] as { properties?: { type?: { enum?: string[] } } } | undefined)
      ?.properties?.type?.enum?.[0];
    if (type !== undefined) byType.set(type, name);
  }
  return byType;
}

/**
 * Validates server events against their schemas in the official spec, with ajv (a schema
 * compiler belongs in the CLI, not in the runtime packages).
 *
 * @example
 * ```ts
 * const validator = createSpecValidator();
 * validator.errorsOf({ type: 'session.created', session: {} }); // what is wrong, or undefined
 * ```
 */
export interface SpecValidator {
  /** Why the event does not match its schema, or `undefined` when it does. */
  errorsOf(event: { readonly type: string }): string | undefined;
  /** Whether a schema of this name is in the spec. */
  has(schemaName: string): boolean;
}

/**
 * Compiles the spec's server event schemas (lazily, one per event type seen).
 *
 * @example
 * ```ts
 * const problem = createSpecValidator().errorsOf(event);
 * ```
 */
export function createSpecValidator(): SpecValidator {
  const { schemas } = readSpec();
  const ajv = specAjv(schemas, { allErrors: false });
  const byType = schemaNamesByType(schemas, 'RealtimeServerEvent');
  const validators = new Map<string, ValidateFunction>();
  return {
    has: (schemaName) => schemaName in schemas,
    errorsOf(event) {
      const name = byType.get(event.type);
      if (name === undefined) return 'is not a server event of the spec';
      let validate = validators.get(name);
      if (validate === undefined) {
        validate = ajv.getSchema(`spec#/components/schemas/${name}`) as ValidateFunction;
        validators.set(name, validate);
      }
      if (validate(event)) return undefined;
      // Of a union's failed branches, the one that got deepest says most about what is wrong.
      const error = [...(validate.errors ?? [])].sort(
        (a, b) => b.instancePath.length - a.instancePath.length,
      )[0];
      // Where and what, never the value: the value may be audio or a transcript.
      return `${error?.instancePath || '/'} ${error?.message ?? 'does not match'} (${name})`;
    },
  };
}
