// Minimal assertions for the Deno tests: the machine reaches npm but not JSR, so @std/assert
// is out, and node:assert would pull in @types/node resolution through the pnpm workspace.

class AssertionError extends Error {
  override name = 'AssertionError';
}

function check(value: unknown, message = 'expected a truthy value'): asserts value {
  if (!value) throw new AssertionError(message);
}

/** Structural equality through JSON, enough for the plain data these tests compare. */
function deepEqual(actual: unknown, expected: unknown, message?: string): void {
  const a = JSON.stringify(actual);
  const e = JSON.stringify(expected);
  if (a !== e) throw new AssertionError(message ?? `expected ${e}, got ${a}`);
}

function notEqual(actual: unknown, unexpected: unknown, message?: string): void {
  if (Object.is(actual, unexpected)) {
    throw new AssertionError(message ?? `expected anything but ${String(unexpected)}`);
  }
}

function match(actual: string, pattern: RegExp, message?: string): void {
  if (!pattern.test(actual)) throw new AssertionError(message ?? `expected a match for ${pattern}`);
}

export const assert: typeof check & {
  deepEqual: typeof deepEqual;
  notEqual: typeof notEqual;
  match: typeof match;
} = Object.assign(check, { deepEqual, notEqual, match });
