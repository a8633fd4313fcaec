import { fileURLToPath } from 'node:url';

/** The repository root: every runtime-matrix config runs from it. */
export const root = fileURLToPath(new URL('..', import.meta.url));

/** The libraries' own test files, which every runtime of the matrix runs unchanged. */
export const librarySuites =
  'packages/{types,builders,serializer,server,relay}/{src,test}/**/*.test.ts';

/** The builders README example imports the package by name; the suites run it on the source. */
export const libraryAliases = {
  '@rtwire/builders': fileURLToPath(new URL('../packages/builders/src/index.ts', import.meta.url)),
};
