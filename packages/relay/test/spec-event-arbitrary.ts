// Test-only: events of the spec's unions generated from spec/realtime-schemas.json itself, for
// property tests over "any GA event": test-support/spec-arbitrary.ts's walk (every declared
// field present, absent or `null` at random, every union member, enums and consts as listed)
// with leaves that hold shapes, not syntax. Formats, patterns and string bounds are not
// honoured (what is tested here reads field names and shapes, not string syntax); open
// objects (a tool's `parameters`) are small JSON.
import fc from 'fast-check';
import {
  type SpecLeaves,
  smallJson,
  specArbitraries,
} from '../../../test-support/spec-arbitrary.ts';

const openKey = fc.stringMatching(/^[a-z]{1,6}$/);

/** Small JSON, for what a schema leaves open. */
const anyJson = smallJson(
  [fc.constant(null), fc.boolean(), fc.integer(), fc.string({ maxLength: 6 })],
  openKey,
);

const shapeLeaves: SpecLeaves = {
  string: () => fc.string({ maxLength: 8 }),
  number: (node, integer) =>
    integer
      ? fc.integer({ min: node.minimum ?? -1000, max: node.maximum ?? 100_000 })
      : fc.double({
          min: node.minimum ?? -1000,
          max: node.maximum ?? 1000,
          noNaN: true,
          noDefaultInfinity: true,
        }),
  anyJson,
  openKey,
};

const { eventsOf } = specArbitraries(shapeLeaves);

/**
 * Events of a union of the spec, any type: its event types with each one's schema name
 * (`serverSchemaNames`, `clientSchemaNames` of test-support/spec-validator.ts).
 */
export function specEvents(
  schemaNames: ReadonlyMap<string, string>,
): fc.Arbitrary<Record<string, unknown>> {
  if (schemaNames.size === 0) throw new Error('no event types');
  return eventsOf(schemaNames).map((tree) => tree.json as Record<string, unknown>);
}
