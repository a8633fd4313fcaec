import { fileURLToPath } from 'node:url';
import { mergeConfig } from 'vitest/config';
import shared from '../../vitest.package.ts';

export default mergeConfig(shared, {
  resolve: {
    // The README example imports the package by name; tests run it against the source.
    alias: { '@rtwire/builders': fileURLToPath(new URL('./src/index.ts', import.meta.url)) },
  },
});
