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

/** The module settings each `tsc` check compiles the consumer under. */
export const CONSUMER_RESOLUTIONS = [
  { check: 'tsc bundler', module: 'esnext', moduleResolution: 'bundler' },
  { check: 'tsc node16', module: 'node16', moduleResolution: 'node16' },
];

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
