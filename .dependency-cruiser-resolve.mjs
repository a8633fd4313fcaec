/**
 * Where `@rtwire/*` imports land for the dependency rule: each package's `exports` map, read
 * from the tree being checked (the working directory), pointed at the TypeScript source.
 *
 * dependency-cruiser takes resolver aliases only from a webpack-shaped config (`resolve.alias`),
 * hence this file; `.dependency-cruiser.mjs` names it. Without it, `@rtwire/types` resolves to
 * `dist/` once built and to nothing before (`pnpm test` lints before it builds), so the rule
 * would see a different graph on a fresh clone than on a built tree.
 *
 * @example
 * // '@rtwire/relay/simulator' → '<cwd>/packages/relay/src/simulator/index.ts'
 * import resolveConfig from './.dependency-cruiser-resolve.mjs';
 * resolveConfig.resolve.alias['@rtwire/relay/simulator$'];
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const packagesDir = join(process.cwd(), 'packages');

/** `./dist/x.js` (what a package publishes) → `./src/x.ts` (what the rule checks). */
function sourceOf(target) {
  const path = typeof target === 'string' ? target : (target?.import ?? target?.default);
  if (typeof path !== 'string') return undefined;
  return path.replace(/^\.\/dist\/(.*)\.js$/, './src/$1.ts');
}

function aliasesOf(packageDir) {
  const manifestPath = join(packageDir, 'package.json');
  if (!existsSync(manifestPath)) return [];
  const { name, exports } = JSON.parse(readFileSync(manifestPath, 'utf8'));
  if (typeof name !== 'string' || exports === undefined) return [];
  const entries = typeof exports === 'string' ? { '.': exports } : exports;
  return Object.entries(entries).flatMap(([subpath, target]) => {
    const source = sourceOf(target);
    if (source === undefined || subpath === './package.json') return [];
    // `$`: an exact match, so a deep import that `exports` does not list stays unresolved.
    return [[`${name}${subpath.slice(1)}$`, join(packageDir, source)]];
  });
}

const alias = existsSync(packagesDir)
  ? Object.fromEntries(
      readdirSync(packagesDir, { withFileTypes: true })
        .filter((entry) => entry.isDirectory())
        .flatMap((entry) => aliasesOf(join(packagesDir, entry.name))),
    )
  : {};

export default { resolve: { alias } };
