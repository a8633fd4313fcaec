import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// The libraries' own test suites in Bun: run vitest itself with the `bun` binary
// (`pnpm test:bun`), and its workers are Bun processes too, so every assertion about the
// packages is checked on Bun's JavaScriptCore engine and its web APIs.
const root = fileURLToPath(new URL('..', import.meta.url));

export default defineConfig({
  root,
  resolve: {
    alias: {
      '@rtwire/builders': fileURLToPath(
        new URL('../packages/builders/src/index.ts', import.meta.url),
      ),
    },
  },
  test: {
    include: [
      'runtime-matrix/bun-environment.test.ts',
      'packages/{types,builders,serializer,relay}/{src,test}/**/*.test.ts',
    ],
    testTimeout: 30_000,
  },
});
