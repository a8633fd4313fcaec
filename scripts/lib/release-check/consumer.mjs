// The TypeScript consumer compiled against the published declarations.

/**
 * A module importing every entry point, each checked not to be `any` (a missing or broken
 * declaration resolves to `any` under some settings rather than failing).
 * @param {readonly string[]} specifiers
 */
export function consumerSource(specifiers) {
  const imports = specifiers.map(
    (specifier, index) =>
      `import * as entry${index} from '${specifier}';\n` +
      `export const resolved${index}: IsAny<typeof entry${index}> = false;\n`,
  );
  return `type IsAny<T> = 0 extends 1 & T ? true : false;\n${imports.join('')}`;
}

/**
 * The module settings each `tsc` check compiles the consumer under: ESM projects with bundler
 * and node16 resolution, and a CommonJS file (`.cts`) under `nodenext`, which since TypeScript
 * 5.8 may import ESM-only packages as Node ≥ 20.19 may `require()` them.
 */
export const CONSUMER_RESOLUTIONS = [
  { check: 'tsc bundler', module: 'esnext', moduleResolution: 'bundler', extension: 'ts' },
  { check: 'tsc node16', module: 'node16', moduleResolution: 'node16', extension: 'ts' },
  { check: 'tsc cjs nodenext', module: 'nodenext', moduleResolution: 'nodenext', extension: 'cts' },
];

/**
 * The oldest TypeScript each package supports (what its README states), compiled with the ESM
 * settings it knows; the release check installs each beside the consumer. `@rtwire/node`'s
 * and `@rtwire/cli`'s (which builds on it) is `@types/node`'s own minimum (its declarations use
 * `BuiltinIteratorReturn`, TypeScript 5.6).
 */
export const OLDEST_TYPESCRIPT = {
  versions: { default: '5.0.4', '@rtwire/node': '5.6.3', '@rtwire/cli': '5.6.3' },
  resolutions: CONSUMER_RESOLUTIONS.filter((resolution) => resolution.extension === 'ts'),
};

/**
 * The oldest TypeScript `name` supports.
 * @param {string} name
 * @returns {string}
 */
export function oldestTypescriptFor(name) {
  /** @type {Record<string, string>} */
  const versions = OLDEST_TYPESCRIPT.versions;
  return versions[name] ?? versions.default ?? '5.0.4';
}

/**
 * The strictest settings a user may have, without skipLibCheck, so the shipped `.d.ts` are
 * compiled too.
 * @param {string} file
 * @param {{ module: string, moduleResolution: string }} resolution
 */
export function consumerTsconfig(file, { module, moduleResolution }) {
  return {
    compilerOptions: {
      noEmit: true,
      strict: true,
      exactOptionalPropertyTypes: true,
      noUncheckedIndexedAccess: true,
      skipLibCheck: false,
      target: 'es2022',
      lib: ['es2023', 'dom'],
      types: [],
      module,
      moduleResolution,
    },
    files: [file],
  };
}
