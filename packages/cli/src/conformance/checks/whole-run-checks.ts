import { type Check, CheckFailure, type RecordedSession } from '../check.ts';
import { clipType, excerptOf } from '../excerpt.ts';
import { protocolOrderErrors } from '../protocol-order.ts';
import type { SpecValidator } from '../spec-validator.ts';

/** Problems a whole-run check lists before it says how many more there were. */
const LISTED = 5;

function failWith(problems: readonly string[], expected: string, excerpt?: string): void {
  if (problems.length === 0) return;
  const more = problems.length > LISTED ? ` (and ${problems.length - LISTED} more)` : '';
  // Ids and types in a problem are the server's to choose: each is clipped.
  const clipped = problems
    .slice(0, LISTED)
    .map((problem) => (problem.length <= 240 ? problem : `${problem.slice(0, 240)}…`));
  throw new CheckFailure({
    expected,
    received: `${clipped.join('; ')}${more}`,
    excerpt,
  });
}

/**
 * The checks that read every session of the run: each server event valid against its
 * schema, and each response in protocol order.
 *
 * @example
 * ```ts
 * const checks = wholeRunChecks(createSpecValidator());
 * ```
 */
export function wholeRunChecks(validator: SpecValidator): readonly Check[] {
  return [
    {
      id: 'events.spec',
      description:
        'Every server event of the run is a text frame valid against its schema in the spec',
      spec: ['RealtimeServerEvent'],
      wholeRun(sessions: readonly RecordedSession[]) {
        const problems: string[] = [];
        let first: unknown;
        for (const session of sessions) {
          for (const frame of session.malformed) problems.push(`${session.checkId}: ${frame}`);
          for (const event of session.events) {
            const error = validator.errorsOf(event);
            if (error === undefined) continue;
            first ??= event;
            problems.push(`${session.checkId}: ${clipType(event.type)} ${error}`);
          }
        }
        failWith(
          problems,
          'every event valid against the spec',
          first === undefined ? undefined : excerptOf(first),
        );
      },
    },
    {
      id: 'responses.order',
      description:
        'Every response of the run follows the protocol order, its done events equal to its deltas',
      spec: ['RealtimeServerEventResponseCreated', 'RealtimeServerEventResponseDone'],
      wholeRun(sessions: readonly RecordedSession[]) {
        const problems: string[] = [];
        for (const session of sessions) {
          for (const error of protocolOrderErrors(session.events)) {
            problems.push(`${session.checkId}: ${error}`);
          }
        }
        failWith(problems, 'every response in protocol order');
      },
    },
  ];
}
