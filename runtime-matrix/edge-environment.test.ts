import { expect, it } from 'vitest';

// Guards the matrix itself: if the environment silently fell back to Node, every suite would
// still pass and prove nothing about edge runtimes.
it('runs the suites with edge-runtime globals, not Node’s', () => {
  expect(typeof (globalThis as { EdgeRuntime?: unknown }).EdgeRuntime).toBe('string');
  expect((globalThis as { Buffer?: unknown }).Buffer).toBeUndefined();
});
