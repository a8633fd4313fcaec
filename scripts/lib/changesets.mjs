// Reads pending changesets and decides which package changes need one.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The packages a changeset file releases, from its front matter (`"@scope/name": minor`).
 * An empty front matter (`pnpm changeset --empty`) releases nothing and returns `[]`.
 * @param {string} text
 * @returns {string[] | undefined} undefined when the text is not a changeset
 */
export function releasedPackages(text) {
  const match = /^---\r?\n([\s\S]*?)\r?\n?---/.exec(text.trimStart());
  if (!match) return undefined;
  /** @type {string[]} */
  const names = [];
  for (const line of (match[1] ?? '').split(/\r?\n/)) {
    const entry = /^\s*(["']?)([^"':\s][^"':]*)\1\s*:\s*(major|minor|patch|none)\s*$/.exec(line);
    if (entry?.[2]) names.push(entry[2]);
  }
  return names;
}

/**
 * Every changeset file in `.changeset/` with the packages it releases.
 * @param {string} root
 * @returns {{ file: string, packages: string[] }[]}
 */
export function pendingChangesets(root) {
  const dir = join(root, '.changeset');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((file) => file.endsWith('.md') && file.toLowerCase() !== 'readme.md')
    .flatMap((file) => {
      const packages = releasedPackages(readFileSync(join(dir, file), 'utf8'));
      return packages === undefined ? [] : [{ file: `.changeset/${file}`, packages }];
    });
}

/**
 * Whether a changed file (relative to its package directory) can change what users get.
 * Tests, benchmarks, test configs and the changelog cannot; package.json is decided by
 * {@link manifestChangeMatters}.
 * @param {string} file
 */
export function fileMatters(file) {
  if (/(^|\/)(test|tests|__tests__|bench|benchmarks)\//.test(file)) return false;
  if (/\.(test|test-d|bench|spec)\.[cm]?[jt]sx?$/.test(file)) return false;
  if (/^(vitest|vite)\.config\.[cm]?[jt]s$/.test(file)) return false;
  if (/^tsconfig(\.(tools|test))?\.json$/.test(file)) return false;
  if (file === 'CHANGELOG.md') return false;
  return true;
}

/** Fields of package.json that do not reach users. */
const DEV_ONLY_FIELDS = new Set(['scripts', 'devDependencies']);

/**
 * Whether two versions of a package.json differ in anything users get (not `scripts`,
 * `devDependencies`, nor `version`, which `changeset version` itself changes).
 * @param {string | undefined} before
 * @param {string | undefined} after
 */
export function manifestChangeMatters(before, after) {
  if (before === undefined || after === undefined) return true;
  /** @param {string} text */
  const strip = (text) => {
    const manifest = JSON.parse(text);
    for (const field of [...DEV_ONLY_FIELDS, 'version']) delete manifest[field];
    return canonical(manifest);
  };
  try {
    return strip(before) !== strip(after);
  } catch {
    return true;
  }
}

/**
 * JSON with object keys sorted at every level, so key order does not count as a change.
 * @param {unknown} value
 * @returns {string}
 */
function canonical(value) {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonical(item)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
