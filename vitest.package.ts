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
    // tsc is spawned once per run; on a busy machine it can take far past vitest's 10 s default
    // to start, which is a hang guard, not a measure of anything.
    typecheck: {
      enabled: true,
      include: ['src/**/*.test-d.ts', 'test/**/*.test-d.ts'],
      spawnTimeout: 300_000,
    },
  },
});
