// Reads the workspace's public packages from disk, so no script hard-codes the list.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file lives in scripts/lib). */
export const repoRoot = resolve(fileURLToPath(new URL('../..', import.meta.url)));

/**
 * @typedef {object} WorkspacePackage
 * @property {string} name
 * @property {string} version
 * @property {string} dir absolute directory
 * @property {string} relativeDir directory relative to the root, with forward slashes
 * @property {Record<string, any>} manifest the parsed package.json
 */

/**
 * Every non-private package under `packages/`, dependencies before dependents.
 * @param {string} [root]
 * @returns {WorkspacePackage[]}
 */
export function listPublicPackages(root = repoRoot) {
  const packagesDir = join(root, 'packages');
  /** @type {WorkspacePackage[]} */
  const found = [];
  for (const entry of readdirSync(packagesDir, { withFileTypes: true })) {
    const manifestPath = join(packagesDir, entry.name, 'package.json');
    if (!entry.isDirectory() || !existsSync(manifestPath)) continue;
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
    if (manifest.private === true) continue;
    found.push({
      name: manifest.name,
      version: manifest.version,
      dir: join(packagesDir, entry.name),
      relativeDir: `packages/${entry.name}`,
      manifest,
    });
  }
  return sortByDependencies(found);
}

/**
 * Names of the workspace packages `pkg` depends on (any dependency field).
 * @param {WorkspacePackage} pkg
 * @param {WorkspacePackage[]} all
 */
export function internalDependencies(pkg, all) {
  const names = new Set(all.map((p) => p.name));
  const deps = new Set();
  for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies']) {
    for (const dep of Object.keys(pkg.manifest[field] ?? {})) if (names.has(dep)) deps.add(dep);
  }
  return [...deps];
}

/**
 * @param {WorkspacePackage[]} packages
 * @returns {WorkspacePackage[]}
 */
function sortByDependencies(packages) {
  const byName = new Map(packages.map((p) => [p.name, p]));
  /** @type {WorkspacePackage[]} */
  const sorted = [];
  const visiting = new Set();
  const done = new Set();
  /** @param {WorkspacePackage} pkg */
  const visit = (pkg) => {
    if (done.has(pkg.name)) return;
    if (visiting.has(pkg.name)) throw new Error(`dependency cycle through ${pkg.name}`);
    visiting.add(pkg.name);
    for (const dep of internalDependencies(pkg, packages))
      visit(/** @type {any} */ (byName.get(dep)));
    visiting.delete(pkg.name);
    done.add(pkg.name);
    sorted.push(pkg);
  };
  for (const pkg of [...packages].sort((a, b) => a.name.localeCompare(b.name))) visit(pkg);
  return sorted;
}

/**
 * Export subpaths of a package.json `exports` field, e.g. `['.', './package.json']`.
 * @param {unknown} exportsField
 * @returns {string[]}
 */
export function exportSubpaths(exportsField) {
  if (exportsField == null) return [];
  if (typeof exportsField === 'string' || Array.isArray(exportsField)) return ['.'];
  const keys = Object.keys(/** @type {object} */ (exportsField));
  return keys.every((key) => key.startsWith('.')) ? keys : ['.'];
}

/**
 * Whether an export subpath names a data file (`./package.json`, `./policy.schema.json`) rather
 * than a JavaScript entry point: such files are read, not imported, and JSR has no place for them.
 * @param {string} subpath
 */
export function isDataSubpath(subpath) {
  return subpath.endsWith('.json');
}
