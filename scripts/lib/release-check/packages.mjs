// Which packages a run checks, and the names a user imports them by.
import { exportSubpaths, internalDependencies, isDataSubpath } from '../workspace.mjs';

/** @typedef {import('../workspace.mjs').WorkspacePackage} WorkspacePackage */

/**
 * The requested packages (comma-separated names) and, so they install, their internal
 * dependencies, in the workspace's order. Every package when `only` is empty.
 * @param {WorkspacePackage[]} all
 * @param {string | undefined} only
 */
export function selectPackages(all, only) {
  if (!only) return all;
  const wanted = new Set(only.split(',').map((name) => name.trim()));
  for (const name of wanted) {
    if (!all.some((p) => p.name === name)) throw new Error(`--only: no public package ${name}`);
  }
  let grew = true;
  while (grew) {
    grew = false;
    for (const pkg of all.filter((p) => wanted.has(p.name))) {
      for (const dep of internalDependencies(pkg, all)) {
        if (!wanted.has(dep)) {
          wanted.add(dep);
          grew = true;
        }
      }
    }
  }
  return all.filter((p) => wanted.has(p.name));
}

/**
 * The bare specifiers of a package's JavaScript entry points (data files such as
 * `./package.json` and wildcard subpaths left out).
 * @param {Pick<WorkspacePackage, 'name' | 'manifest'>} pkg
 */
export function specifiersOf(pkg) {
  return exportSubpaths(pkg.manifest.exports)
    .filter((subpath) => !isDataSubpath(subpath) && !subpath.includes('*'))
    .map((subpath) => (subpath === '.' ? pkg.name : `${pkg.name}/${subpath.slice(2)}`));
}

/**
 * The file-name form of a package name (`@rtwire/types` → `rtwire-types`), as in tarballs.
 * @param {string} name
 */
export function fileStem(name) {
  return name.replace(/^@/, '').replace('/', '-');
}
