/**
 * The dependency rule the build enforces (`pnpm lint:deps`, run by `pnpm lint` and so by
 * `pnpm test`): no import loops, a relay feature never imports another feature, the session
 * core never imports a feature, and the package floors of ARCHITECTURE.md. Each rule's `name`
 * is what a failure prints; `scripts/test/dependency-rule.test.ts` proves each one fails on a
 * fixture. (`node:` imports in the runtime-neutral packages are biome's to refuse.)
 *
 * Type-only imports count everywhere (`tsPreCompilationDeps`): a loop through a type, a
 * feature that needs another's types, a package that needs a higher floor's types are the
 * same coupling. Tests beside the code are checked too, except by the rules about what a
 * package ships (the floors, the relay's engine subpath, the apps' entry points), where a
 * test may reach further to drive the code under test (see `notTest`).
 *
 * Paths are relative to the working directory, so the same rules check the repository
 * (run from its root) and the fixture trees under scripts/test/fixtures/dependency-rule/.
 *
 * @example
 * // pnpm lint:deps: depcruise with this config over every packages/NAME/src and apps/NAME/src
 * // (run from another folder, it checks the packages/ and apps/ found there)
 */
import resolveConfig from './.dependency-cruiser-resolve.mjs';

/** Test files: exempt from the rules about what a package ships, checked by the others. */
const notTest = '\\.test(-d)?\\.ts$';

/** Everything a package publishes (its `exports`), as paths from the working directory. */
const publicEntryPoints = Object.entries(resolveConfig.resolve.alias)
  // `/internal` subpaths are exported for sibling packages and say they may change in any
  // release: an app is configuration and lifecycle, so it has no business there.
  .filter(([specifier]) => !specifier.includes('/internal'))
  .map(([, file]) => file.slice(process.cwd().length + 1));

const escapeRegExp = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * One floor: the source of package `from` may import no package but itself and `allowed`.
 * Targets are matched on `packages/<name>/` whatever file inside they resolve to, so a
 * relative import into another package's `dist/` breaks the floor as surely as a named one.
 */
function floor(name, comment, from, allowed) {
  return {
    name,
    comment,
    severity: 'error',
    from: { path: `^packages/${from}/src/`, pathNot: notTest },
    to: { path: '^packages/', pathNot: `^packages/(${[from, ...allowed].join('|')})/` },
  };
}

/** @type {import('dependency-cruiser').IConfiguration} */
export default {
  forbidden: [
    {
      name: 'no-circular',
      comment:
        'An import loop: modules that cannot be understood, tested or moved one at a time. ' +
        'Type-only imports count: a loop through types is the same coupling.',
      severity: 'error',
      from: { path: '^(packages|apps)/[^/]+/src/' },
      to: { circular: true },
    },
    {
      name: 'feature-imports-feature',
      comment:
        'A relay feature is one folder that plugs into the session through one interface; ' +
        'it never reaches into another feature (what two features share belongs to the core).',
      severity: 'error',
      from: { path: '^packages/relay/src/features/([^/]+)/' },
      to: { path: '^packages/relay/src/features/', pathNot: '^packages/relay/src/features/$1/' },
    },
    {
      name: 'session-core-imports-feature',
      comment:
        'The session core (the pipe) knows no feature: features are registered from outside ' +
        'and reached only through the feature interface.',
      severity: 'error',
      from: { path: '^packages/relay/src/session/' },
      to: { path: '^packages/relay/src/features/' },
    },
    floor('types-imports-a-package', '@rtwire/types depends on nothing.', 'types', []),
    floor(
      'builders-imports-beyond-types',
      '@rtwire/builders depends on @rtwire/types only.',
      'builders',
      ['types'],
    ),
    floor(
      'serializer-imports-beyond-types',
      '@rtwire/serializer depends on @rtwire/types only (builder contexts are structural).',
      'serializer',
      ['types'],
    ),
    floor(
      'server-imports-beyond-its-floor',
      '@rtwire/server depends on types, builders and serializer.',
      'server',
      ['types', 'builders', 'serializer'],
    ),
    floor(
      'relay-imports-beyond-its-floor',
      '@rtwire/relay depends on types, serializer, builders and (from engine/ only) server.',
      'relay',
      ['types', 'builders', 'serializer', 'server'],
    ),
    {
      name: 'relay-core-imports-engine',
      comment:
        'The relay core is importable without the engine (a Workers bundle that relays to a ' +
        'real API carries no simulator): only packages/relay/src/engine/ embeds @rtwire/server. ' +
        'A type-only import (the cascade options a config names) bundles nothing and is allowed.',
      severity: 'error',
      from: { path: '^packages/relay/src/', pathNot: ['^packages/relay/src/engine/', notTest] },
      to: { path: '^packages/server/', dependencyTypesNot: ['type-only'] },
    },
    floor(
      'node-imports-beyond-relay',
      '@rtwire/node depends on @rtwire/relay, and on the builders and serializer for the frames its WebRTC calls write (and its socket and WebRTC libraries); never on the engine.',
      'node',
      ['relay', 'builders', 'serializer'],
    ),
    floor(
      'cli-imports-beyond-its-floor',
      '@rtwire/cli (the `rtwire` command, Node only) sits at the top beside the apps: it may use every library (node, relay, server, builders, serializer, types), and no package depends on it.',
      'cli',
      ['node', 'relay', 'server', 'builders', 'serializer', 'types'],
    ),
    {
      name: 'app-imports-package-internals',
      comment:
        "Apps are thin: they use a package only through the public entry points of its 'exports'.",
      severity: 'error',
      from: { path: '^apps/', pathNot: notTest },
      to: {
        path: '^packages/',
        pathNot: publicEntryPoints.map((file) => `^${escapeRegExp(file)}$`),
      },
    },
    {
      name: 'import-across-packages-by-path',
      comment:
        'Another workspace package is imported by its @rtwire/* name (and so through its ' +
        "'exports'), never by a relative path into its folder.",
      severity: 'error',
      from: { path: '^(packages|apps)/([^/]+)/' },
      to: {
        path: '^(packages|apps)/',
        pathNot: '^(packages|apps)/$2/',
        dependencyTypes: ['local'],
      },
    },
    {
      name: 'not-to-unresolvable',
      comment:
        'An import the rule cannot resolve is one it cannot check: a typo, a deep import ' +
        "that 'exports' does not list, or a file that is not there.",
      severity: 'error',
      from: { path: '^(packages|apps)/' },
      to: { couldNotResolve: true },
    },
  ],
  options: {
    // Floors and loops are about source: node_modules and build output are not walked.
    doNotFollow: { path: ['(^|/)node_modules/', '^(packages|apps)/[^/]+/dist/'] },
    tsPreCompilationDeps: true,
    // `@rtwire/*` resolves to each package's source (see .dependency-cruiser-resolve.mjs).
    webpackConfig: { fileName: `${import.meta.dirname}/.dependency-cruiser-resolve.mjs` },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'types', 'default'],
      extensions: ['.ts', '.mts', '.js', '.mjs', '.json'],
    },
  },
};
