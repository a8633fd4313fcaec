// Holds each package's jsr.json to its package.json, so the JSR and npm releases expose the
// same entry points at the same version (the pattern of hono's build/validate-exports.ts).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { exportSubpaths, isDataSubpath } from './workspace.mjs';

/**
 * The public packages not published to JSR, each with the reason. JSR publishes a package's
 * TypeScript sources to be imported; it has no executables.
 * @type {Readonly<Record<string, string>>}
 */
export const NOT_ON_JSR = {
  '@rtwire/cli':
    'a command, run with npx from npm (JSR has no bin); its conformance suite reads the spec copied into dist/ at build',
};

/**
 * Why the package `name` is not published to JSR, or undefined when it is.
 * @param {string} name
 * @returns {string | undefined}
 */
export function notOnJsr(name) {
  return Object.hasOwn(NOT_ON_JSR, name) ? NOT_ON_JSR[name] : undefined;
}

/**
 * The `exports` of a jsr.json as a map from subpath to file.
 * @param {unknown} exportsField
 * @returns {Map<string, unknown>}
 */
function jsrExportMap(exportsField) {
  if (typeof exportsField === 'string') return new Map([['.', exportsField]]);
  if (exportsField && typeof exportsField === 'object')
    return new Map(Object.entries(exportsField));
  return new Map();
}

/**
 * The source file a built `package.json` target comes from: `./dist/x.js` → `./src/x.ts`.
 * @param {unknown} target
 * @returns {string | undefined}
 */
function sourceOf(target) {
  /** @type {unknown} */
  let file = target;
  while (file && typeof file === 'object' && !Array.isArray(file)) {
    const conditions = /** @type {Record<string, unknown>} */ (file);
    file = conditions.import ?? conditions.default ?? conditions.module;
  }
  if (typeof file !== 'string' || !file.startsWith('./dist/')) return undefined;
  return file.replace(/^\.\/dist\//, './src/').replace(/\.(m?)js$/, '.$1ts');
}

/**
 * Every way a package's jsr.json disagrees with its package.json; empty when they agree, and
 * for a package {@link NOT_ON_JSR} without one.
 * @param {string} packageDir
 * @returns {string[]}
 */
export function jsrExportProblems(packageDir) {
  const manifest = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8'));
  const jsrPath = join(packageDir, 'jsr.json');
  const excluded = notOnJsr(manifest.name);
  if (excluded !== undefined) {
    // A jsr.json beside the exclusion would be published by `npx jsr publish` all the same.
    return existsSync(jsrPath)
      ? [`jsr.json exists, but ${manifest.name} is not on JSR: ${excluded}`]
      : [];
  }
  if (!existsSync(jsrPath)) return ['jsr.json is missing'];
  const jsr = JSON.parse(readFileSync(jsrPath, 'utf8'));
  /** @type {string[]} */
  const problems = [];
  if (jsr.name !== manifest.name) {
    problems.push(`jsr.json name "${jsr.name}" differs from package.json "${manifest.name}"`);
  }
  if (jsr.version !== manifest.version) {
    problems.push(
      `jsr.json version "${jsr.version}" differs from package.json "${manifest.version}"`,
    );
  }
  const jsrExports = jsrExportMap(jsr.exports);
  const npmSubpaths = exportSubpaths(manifest.exports).filter((s) => !isDataSubpath(s));
  for (const subpath of npmSubpaths) {
    const target = jsrExports.get(subpath);
    if (typeof target !== 'string') {
      problems.push(`package.json exports "${subpath}" but jsr.json does not`);
      continue;
    }
    const expected = sourceOf(
      /** @type {Record<string, unknown>} */ (manifest.exports)[subpath] ?? manifest.exports,
    );
    if (expected !== undefined && target !== expected) {
      problems.push(
        `jsr.json exports "${subpath}" as ${target}, but package.json builds it from ${expected}`,
      );
    }
  }
  for (const [subpath, target] of jsrExports) {
    if (!npmSubpaths.includes(subpath)) {
      problems.push(`jsr.json exports "${subpath}" but package.json does not`);
    }
    if (typeof target !== 'string' || !existsSync(join(packageDir, target))) {
      problems.push(`jsr.json exports "${subpath}" from ${String(target)}, which does not exist`);
    }
  }
  return problems;
}

/**
 * Copies package.json's version into jsr.json (run after `changeset version`).
 * @param {string} packageDir
 * @returns {boolean} whether jsr.json changed
 */
export function syncJsrVersion(packageDir) {
  const manifest = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8'));
  const jsrPath = join(packageDir, 'jsr.json');
  if (!existsSync(jsrPath)) return false;
  const text = readFileSync(jsrPath, 'utf8');
  if (JSON.parse(text).version === manifest.version) return false;
  // Replace the string in place so the file keeps its formatting (biome checks it).
  const updated = text.replace(
    /^(\s*"version"\s*:\s*)"[^"]*"/m,
    (_, key) => `${key}${JSON.stringify(manifest.version)}`,
  );
  if (JSON.parse(updated).version !== manifest.version) {
    throw new Error(`${jsrPath}: no top-level "version" string to update`);
  }
  writeFileSync(jsrPath, updated);
  return true;
}
