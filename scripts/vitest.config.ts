import { defineConfig } from 'vitest/config';

// Tests of the release tooling; they spawn git, changesets and node, so they get time.
export default defineConfig({
  test: {
    root: import.meta.dirname,
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
  },
});
