// The acceptance line "a property test over the spec's schemas checks that no known field is
// refused", for the realtime client events: events generated from the spec itself, valid and
// singly mutated, judged by clientEventProblem and by ajv (test/client-event-properties.ts says
// how, and where the live API intentionally differs from the spec).
import { clientSchemaNames } from '../../../test-support/spec-validator.ts';
import { describeClientEventProperties } from '../test/client-event-properties.ts';
import { clientEventProblem } from './client-event-problem.ts';
import { decodeClientEvent } from './decode-event.ts';

describeClientEventProperties({
  title: 'clientEventProblem over events generated from the spec (properties)',
  schemaNames: clientSchemaNames,
  problemOf: clientEventProblem,
  decode: decodeClientEvent,
  // The big schemas get more runs, so their deep fields show up as often as the small events.
  weights: { 'session.update': 6, 'response.create': 5, 'conversation.item.create': 4 },
  minimumUniverse: 300,
});
