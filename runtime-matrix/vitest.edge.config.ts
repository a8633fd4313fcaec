import { defineConfig } from 'vitest/config';
import { libraryAliases, librarySuites, root } from './library-suites.ts';

// The libraries' own test suites with edge-runtime globals (Vercel's Edge Runtime VM: web
// APIs only, no Buffer, no process): what a Workers-like runtime offers the package code.
export default defineConfig({
  root,
  resolve: { alias: libraryAliases },
  test: {
    environment: 'edge-runtime',
    setupFiles: ['runtime-matrix/edge-globals.ts'],
    include: ['runtime-matrix/edge-environment.test.ts', librarySuites],
    // edge-runtime's own Response polyfill reads the global Buffer that edge-globals.ts removes;
    // the fetch handler is proven in real edge runtimes instead (apps/edge-deno: Deno, workerd)
    // and in Bun (vitest.bun.config.ts).
    // The cascade's loopback tests need a real fetch for the same reason; they run on Node, Deno
    // and Bun, and the cascade on Deno in apps/edge-deno. So does a Request with a body (the
    // call offer's and the client secret requests' tests), which runs on Node, Deno (the
    // relay's test:deno) and Bun. The fakes' request listener is a test of node:http itself.
    exclude: [
      'packages/relay/src/host/fetch-handler.test.ts',
      'packages/relay/src/calls/call-offer.test.ts',
      'packages/relay/src/client-secrets/client-secrets-host.test.ts',
      'packages/relay/src/client-secrets/translation-client-secrets.test.ts',
      'packages/server/test/cascade.test.ts',
      'packages/server/test/cascade-hardening.test.ts',
      'packages/server/test/translation-cascade.test.ts',
      'packages/server/test/translation-cascade-held-bytes.test.ts',
      'packages/server/test/backend-call-signal.test.ts',
      'packages/server/test/fake-server-abort.test.ts',
    ],
    testTimeout: 30_000,
  },
});
