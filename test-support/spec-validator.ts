// Test-only: validates events against their schemas in the official spec with ajv.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ValidateFunction } from 'ajv';
import { schemaNamesByType, specAjv } from '../packages/cli/src/conformance/spec-validator.ts';

interface Schema {
  readonly anyOf?: readonly { readonly $ref: string }[];
  readonly properties?: { readonly type?: { readonly enum?: readonly string[] } };
  readonly 'x-oaiMeta'?: { readonly example?: unknown };
}

const specPath = fileURLToPath(new URL('../spec/realtime-schemas.json', import.meta.url));

/** Every schema of the spec, by name. */
export const schemas: Record<string, Schema> = JSON.parse(readFileSync(specPath, 'utf8')).schemas;

// One reading of the spec for the tests and the CLI: `null` for absent optional fields,
// overlapping `oneOf`s as `anyOf`, the spec's formats.
const ajv = specAjv(schemas, { allErrors: true });

/** Spec schema name of each server event type. */
export const serverSchemaNames = schemaNamesByType(schemas, 'RealtimeServerEvent');
/** Spec schema name of each client event type. */
export const clientSchemaNames = schemaNamesByType(schemas, 'RealtimeClientEvent');

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

/** Spec schema name of each event type of a translation session, server's and client's. */
export const translationServerSchemaNames = schemaNamesByType(
  schemas,
  'RealtimeTranslationServerEvent',
);
export const translationClientSchemaNames = schemaNamesByType(
  schemas,
  'RealtimeTranslationClientEvent',
);

/**
 * The ajv errors of `value` against the spec's schema `name` (a translation event's, a REST
 * body's), or `undefined` when it is valid.
 */
export function schemaErrors(name: string, value: unknown): string | undefined {
  let validate = validators.get(name);
  if (validate === undefined) {
    validate = ajv.getSchema(`spec#/components/schemas/${name}`) as ValidateFunction | undefined;
    if (validate === undefined) return `no schema named ${name}`;
    validators.set(name, validate);
  }
  if (validate(value)) return undefined;
  return ajv.errorsText(validate.errors, { dataVar: name });
}

/** The ajv errors of an event of a translation session against its schema, or `undefined`. */
export function translationSpecErrors(event: { readonly type: string }): string | undefined {
  const name =
    translationServerSchemaNames.get(event.type) ?? translationClientSchemaNames.get(event.type);
  return name === undefined
    ? `no translation schema for type ${event.type}`
    : schemaErrors(name, event);
}
