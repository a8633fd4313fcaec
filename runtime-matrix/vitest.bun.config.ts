import { defineConfig } from 'vitest/config';
import { libraryAliases, librarySuites, root } from './library-suites.ts';

// The libraries' own test suites in Bun: `pnpm test:bun` runs vitest itself with the `bun`
// binary, and its workers are Bun processes too, so every assertion about the packages is
// checked on Bun's JavaScriptCore engine and its web APIs.
export default defineConfig({
  root,
  resolve: { alias: libraryAliases },
  test: {
    include: ['runtime-matrix/bun-environment.test.ts', librarySuites],
    testTimeout: 30_000,
  },
});
