import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Property tests and Deno runs share two cores with the rest of CI; no test asserts time.
    testTimeout: 30_000,
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    typecheck: { enabled: true, include: ['src/**/*.test-d.ts', 'test/**/*.test-d.ts'] },
  },
});
