// Loading every entry point of the installed tarballs in a runtime, and judging what it found.
import { lastLines, run } from './process.mjs';

/**
 * @typedef {{ ok: true, exports: string[] } | { ok: false, detail: string }} ImportResult
 * @typedef {{ results?: Record<string, ImportResult>, error?: string }} ImportResults
 * @typedef {import('./report.mjs').CheckResult} CheckResult
 */

/**
 * A script that loads every entry point given as JSON in its last argument and prints, as
 * JSON, each package's sorted runtime export names (`specifier:name`) or why loading failed.
 * @param {'esm' | 'require'} kind
 */
export function importScript(kind) {
  const load = kind === 'esm' ? 'await import(specifier)' : 'require(specifier)';
  const body = `
const entryPoints = JSON.parse(process.argv.at(-1));
const results = {};
for (const [name, specifiers] of Object.entries(entryPoints)) {
  try {
    const exports = [];
    for (const specifier of specifiers) {
      const loaded = ${load};
      const names = Object.keys(loaded).filter((key) => key !== '__esModule' && key !== 'module.exports');
      if (names.length === 0) throw new Error(specifier + ' has no runtime exports');
      exports.push(...names.map((key) => specifier + ':' + key));
    }
    results[name] = { ok: true, exports: exports.sort() };
  } catch (error) {
    results[name] = { ok: false, detail: String(error?.message ?? error).split('\\n')[0] };
  }
}
console.log(JSON.stringify(results));
`;
  return kind === 'esm' ? `import process from 'node:process';\n${body}` : body;
}

/**
 * Runs an {@link importScript} in a runtime and reads its last line of output.
 * @param {Record<string, string[]>} entryPoints package name → bare specifiers
 * @param {string} command
 * @param {string[]} args
 * @param {{ cwd: string, env?: Record<string, string> }} options
 * @returns {Promise<ImportResults>}
 */
export async function runImports(entryPoints, command, args, { cwd, env = {} }) {
  const result = await run(command, [...args, JSON.stringify(entryPoints)], { cwd, env });
  return parseImportResults(result);
}

/**
 * @param {import('./process.mjs').CommandResult} result
 * @returns {ImportResults}
 */
export function parseImportResults(result) {
  try {
    return { results: JSON.parse(result.stdout.trim().split('\n').at(-1) ?? '') };
  } catch {
    return { error: lastLines(result) };
  }
}

/**
 * Judges one package's imports in a runtime: it loaded, and exports the same names as under
 * Node ESM (`reference`).
 * @param {ImportResults} outcome
 * @param {ImportResults | undefined} reference
 * @param {string} name
 * @returns {CheckResult}
 */
export function judgeImport(outcome, reference, name) {
  if (outcome.error !== undefined) return { ok: false, detail: outcome.error };
  const result = outcome.results?.[name];
  if (!result) return { ok: false, detail: 'no result' };
  if (!result.ok) return { ok: false, detail: result.detail };
  const expected = reference?.results?.[name];
  if (expected?.ok && expected.exports.join() !== result.exports.join()) {
    return { ok: false, detail: 'export names differ from Node ESM' };
  }
  return { ok: true, detail: `${result.exports.length} exports` };
}
