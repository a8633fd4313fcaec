import spec from '../../../spec/realtime-schemas.json' with { type: 'json' };

interface Schema {
  properties?: { type?: { enum?: string[] } };
  'x-oaiMeta'?: { example?: unknown };
}

const schemas = (spec as unknown as { schemas: Record<string, Schema> }).schemas;

function examples(prefix: string): Map<string, Record<string, unknown>> {
  const out = new Map<string, Record<string, unknown>>();
  for (const [name, schema] of Object.entries(schemas)) {
    if (!name.startsWith(prefix) || name === prefix) continue;
    const type = schema.properties?.type?.enum?.[0];
    let example = schema['x-oaiMeta']?.example;
    if (typeof example === 'string') example = JSON.parse(example);
    if (type === undefined || typeof example !== 'object' || example === null) continue;
    // The dtmf example's type has a leading space (a spec bug): use the schema's type.
    out.set(type, { ...(example as Record<string, unknown>), type });
  }
  return out;
}

/** The spec's example of every server event, by type. */
export const serverExamples = examples('RealtimeServerEvent');
/** The spec's example of every client event, by type (`response.create` has none: ours). */
export const clientExamples = examples('RealtimeClientEvent');
if (!clientExamples.has('response.create')) {
  clientExamples.set('response.create', {
    type: 'response.create',
    event_id: 'event_1',
    response: {
      instructions: 'Say hello.',
      output_modalities: ['text'],
      max_output_tokens: 200,
      metadata: { topic: 'greeting' },
    },
  });
}

/** The spec's example of every member of a union of the spec, by type. */
function unionExamples(union: string): Map<string, Record<string, unknown>> {
  const members = (schemas[union] as { anyOf?: { $ref: string }[] }).anyOf ?? [];
  const out = new Map<string, Record<string, unknown>>();
  for (const { $ref } of members) {
    const schema = schemas[$ref.replace('#/components/schemas/', '')]!;
    const type = schema.properties?.type?.enum?.[0];
    const example = schema['x-oaiMeta']?.example;
    if (type !== undefined && typeof example === 'object' && example !== null) {
      out.set(type, example as Record<string, unknown>);
    }
  }
  return out;
}

/** The spec's example of every server event of a translation session (`error` too), by type. */
export const translationServerExamples = unionExamples('RealtimeTranslationServerEvent');
/** The spec's example of every client event of a translation session, by type. */
export const translationClientExamples = unionExamples('RealtimeTranslationClientEvent');
