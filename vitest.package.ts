import { defineConfig } from 'vitest/config';

/**
 * The test config of every library package: each package's `vitest.config.ts` is this one
 * (merged with what that package adds), so a change to how packages test is made once.
 */
export default defineConfig({
  test: {
    // Property tests and Deno runs share two cores with the rest of CI; no test asserts time.
    testTimeout: 30_000,
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    typecheck: { enabled: true, include: ['src/**/*.test-d.ts', 'test/**/*.test-d.ts'] },
  },
});
