import type { Check } from './check.ts';
import { errorChecks } from './checks/error-checks.ts';
import { functionChecks } from './checks/function-checks.ts';
import { inputAudioChecks } from './checks/input-audio-checks.ts';
import { itemChecks } from './checks/item-checks.ts';
import { responseChecks } from './checks/response-checks.ts';
import { sessionChecks } from './checks/session-checks.ts';
import { transcriptionChecks } from './checks/transcription-checks.ts';
import { wholeRunChecks } from './checks/whole-run-checks.ts';
import type { SpecValidator } from './spec-validator.ts';

/**
 * Every check of the suite, in the order they are reported: the scenarios, then the two
 * that read the whole run (spec validity and protocol order).
 *
 * @example
 * ```ts
 * for (const check of conformanceChecks(createSpecValidator())) console.log(check.id);
 * ```
 */
export function conformanceChecks(validator: SpecValidator): readonly Check[] {
  return [
    ...sessionChecks,
    ...itemChecks,
    ...responseChecks,
    ...inputAudioChecks,
    ...transcriptionChecks,
    ...functionChecks,
    ...errorChecks,
    ...wholeRunChecks(validator),
  ];
}

/**
 * The checks `only` and `skip` select: each entry is a check id or a group (`error.*`, or the
 * part before the first dot, `error`). Unknown entries are returned so the caller can refuse
 * them.
 *
 * @example
 * ```ts
 * const { selected, unknown } = selectChecks(checks, ['response.*'], ['response.cancel']);
 * ```
 */
export function selectChecks(
  checks: readonly Check[],
  only: readonly string[] = [],
  skip: readonly string[] = [],
): { selected: Check[]; unknown: string[] } {
  const unknown: string[] = [];
  const matcher = (entries: readonly string[]) => {
    const tests = entries.map((entry) => {
      const group = entry.endsWith('.*') ? entry.slice(0, -2) : entry;
      const test = (check: Check) => check.id === entry || check.id.startsWith(`${group}.`);
      if (!checks.some(test)) unknown.push(entry);
      return test;
    });
    return (check: Check) => tests.some((test) => test(check));
  };
  const isOnly = matcher(only);
  const isSkipped = matcher(skip);
  const selected = checks.filter(
    (check) => (only.length === 0 || isOnly(check)) && !isSkipped(check),
  );
  return { selected, unknown };
}
