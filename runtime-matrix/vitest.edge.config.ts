import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// The libraries' own test suites with edge-runtime globals (Vercel's Edge Runtime VM: web
// APIs only, no Buffer, no process): what a Workers-like runtime offers the package code.
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
    environment: 'edge-runtime',
    setupFiles: ['runtime-matrix/edge-globals.ts'],
    include: [
      'runtime-matrix/edge-environment.test.ts',
      'packages/{types,builders,serializer,relay}/{src,test}/**/*.test.ts',
    ],
    // edge-runtime's own Response polyfill reads the global Buffer that edge-globals.ts removes;
    // the fetch handler is proven in real edge runtimes instead (apps/edge-deno: Deno, workerd).
    exclude: ['packages/relay/src/fetch-handler.test.ts'],
    testTimeout: 30_000,
  },
});
