// Test-only access to the spec and its official examples.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** A JSON Schema node of the spec, loosely typed. */
export interface SpecSchema {
  readonly type?: string | string[];
  readonly properties?: Record<string, SpecSchema>;
  readonly required?: string[];
  readonly anyOf?: SpecSchema[];
  readonly oneOf?: SpecSchema[];
  readonly enum?: unknown[];
  readonly $ref?: string;
  readonly 'x-oaiMeta'?: { readonly example?: unknown; readonly name?: string };
}

const specUrl = new URL('../../../spec/realtime-schemas.json', import.meta.url);

/** Every schema of the spec, by name. */
export const schemas: Record<string, SpecSchema> = JSON.parse(
  readFileSync(fileURLToPath(specUrl), 'utf8'),
).schemas;

const refName = (ref: string) => ref.replace('#/components/schemas/', '');

/** The spec's event unions: the realtime protocol's two and the translation protocol's two. */
export type EventUnion =
  | 'RealtimeServerEvent'
  | 'RealtimeClientEvent'
  | 'RealtimeTranslationServerEvent'
  | 'RealtimeTranslationClientEvent';

/** Spec names of the members of an event union. */
export function eventSchemaNames(union: EventUnion): string[] {
  return (schemas[union]!.anyOf ?? []).map((member) => refName(member.$ref!));
}

/** The spec name of each event type of a union. */
export function schemaNamesByType(union: EventUnion): Map<string, string> {
  return new Map(eventSchemaNames(union).map((name) => [eventTypeOf(name), name]));
}

/** The `type` string an event schema declares. */
export function eventTypeOf(name: string): string {
  return schemas[name]!.properties!.type!.enum![0] as string;
}

/** The official examples whose `type` is the type their schema declares. */
export function officialExamples(union: EventUnion) {
  return eventSchemaNames(union)
    .map((name) => ({
      name,
      type: eventTypeOf(name),
      example: schemas[name]!['x-oaiMeta']?.example as Record<string, unknown> | undefined,
    }))
    .filter(
      (entry): entry is { name: string; type: string; example: Record<string, unknown> } =>
        entry.example !== undefined && entry.example.type === entry.type,
    );
}

/** Captured-shape GA traffic: one frame per line. */
export const gaTraffic: string[] = readFileSync(
  fileURLToPath(new URL('./fixtures/ga-traffic.jsonl', import.meta.url)),
  'utf8',
)
  .split('\n')
  .filter((line) => line.length > 0);
