import { expect, it } from 'vitest';

// Guards the matrix itself: started with Node instead of Bun, every suite would still pass
// and prove nothing about Bun.
it('runs the suites in Bun, not Node', () => {
  expect(typeof (globalThis as { Bun?: unknown }).Bun).toBe('object');
  expect(process.versions.bun).toMatch(/^\d+\.\d+\.\d+/);
});
