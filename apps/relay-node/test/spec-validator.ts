import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

const specPath = fileURLToPath(new URL('../../../spec/realtime-schemas.json', import.meta.url));
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

/** Validates server events against the schema the spec gives for their `type`. */
export function serverEventValidator(): (event: { type: string }) => string | undefined {
  const spec = JSON.parse(readFileSync(specPath, 'utf8')) as {
    schemas: Record<string, { properties?: { type?: { enum?: string[] } } }>;
  };
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  // The spec's own format for epoch seconds; numbers are checked by the schema's type.
  ajv.addFormat('unixtime', true);
  ajv.addSchema({ components: { schemas: spec.schemas } }, 'spec');
  const byType = new Map<string, ValidateFunction>();
  for (const [name, schema] of Object.entries(spec.schemas)) {
    const type = schema.properties?.type?.enum?.[0];
    if (name.startsWith('RealtimeServerEvent') && type !== undefined) {
      const validate = ajv.getSchema(`spec#/components/schemas/${name}`);
      if (validate) byType.set(type, validate);
    }
  }
  return (event) => {
    const { type } = event;
    const validate = byType.get(type);
    if (!validate) return `no server event schema for type ${type}`;
    return validate(event) ? undefined : `${type}: ${ajv.errorsText(validate.errors)}`;
  };
}
