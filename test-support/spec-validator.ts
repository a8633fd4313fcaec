// biome-ignore-all lint/suspicious/noExplicitAny: JSON Schema documents are untyped
// Test-only: validates events against their schemas in the official spec with ajv.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { followTheWire } from '../packages/cli/src/conformance/spec-validator.ts';

interface Schema {
  readonly anyOf?: readonly { readonly $ref: string }[];
  readonly properties?: { readonly type?: { readonly enum?: readonly string[] } };
  readonly 'x-oaiMeta'?: { readonly example?: unknown };
}

const specPath = fileURLToPath(new URL('../spec/realtime-schemas.json', import.meta.url));

/** Every schema of the spec, by name. */
export const schemas: Record<string, Schema> = JSON.parse(readFileSync(specPath, 'utf8')).schemas;

const ajv = new Ajv({ strict: false, allErrors: true });
// ajv-formats is CommonJS; its default export arrives wrapped under some loaders.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ??
  addFormatsModule) as (ajv: Ajv) => Ajv;
addFormats(ajv);
// The spec's own format for timestamps (`expires_at`): whole seconds since the Unix epoch.
ajv.addFormat('unixtime', {
  type: 'number',
  validate: (value: number) => Number.isInteger(value) && value >= 0,
});
// Validation follows the wire as the conformance suite does (`null` for absent optional
// fields, overlapping `oneOf`s as `anyOf`): one reading of the spec for the tests and the CLI.
ajv.addSchema({ $id: 'spec', components: { schemas: followTheWire(schemas) } });

function schemaNamesByType(union: string): Map<string, string> {
  const byType = new Map<string, string>();
  for (const member of schemas[union]?.anyOf ?? []) {
    const name = member.$ref.split('/').pop() as string;
    const type = schemas[name]?.properties?.type?.enum?.[0];
    if (type !== undefined) byType.set(type, name);
  }
  return byType;
}

/** Spec schema name of each server event type. */
export const serverSchemaNames = schemaNamesByType('RealtimeServerEvent');
/** Spec schema name of each client event type. */
export const clientSchemaNames = schemaNamesByType('RealtimeClientEvent');

const validators = new Map<string, ValidateFunction>();

/** The ajv errors of `event` against the schema of its `type`, or `undefined` when it is valid. */
export function specErrors(event: { readonly type: string }): string | undefined {
  const name = serverSchemaNames.get(event.type) ?? clientSchemaNames.get(event.type);
  if (name === undefined) return `no schema for type ${event.type}`;
  let validate = validators.get(name);
  if (validate === undefined) {
    validate = ajv.getSchema(`spec#/components/schemas/${name}`) as ValidateFunction;
    validators.set(name, validate);
  }
  if (validate(event)) return undefined;
  return ajv.errorsText(validate.errors, { dataVar: name });
}

/** The official example event of a schema, parsed. */
export function officialExample(schemaName: string): Record<string, unknown> {
  const example = schemas[schemaName]?.['x-oaiMeta']?.example;
  if (example === undefined) throw new Error(`${schemaName} has no example`);
  return typeof example === 'string'
    ? JSON.parse(example)
    : (structuredClone(example) as Record<string, unknown>);
}
