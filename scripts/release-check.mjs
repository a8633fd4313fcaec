#!/usr/bin/env node
// Proves that what `pnpm publish` would upload works for a user: builds and packs every public
// package, lints the tarballs (publint, are-the-types-wrong), installs them with npm into a
// fresh project outside the workspace, imports them from Node ESM, Node require(), Deno and Bun,
// and compiles a TypeScript consumer against the published declarations.
// Prints one line per package and check; exits 1 when any check fails.
//
//   node scripts/release-check.mjs                    every public package
//   node scripts/release-check.mjs --only @rtwire/types[,…]   these and their internal deps
//   node scripts/release-check.mjs --skip-build       use the dist/ already on disk
//   node scripts/release-check.mjs --keep             keep the temporary directory
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';
import { jsrExportProblems } from './lib/jsr-exports.mjs';
import { packedProblems } from './lib/packed-problems.mjs';
import { readTarball } from './lib/tarball.mjs';
import {
  exportSubpaths,
  internalDependencies,
  listPublicPackages,
  repoRoot,
} from './lib/workspace.mjs';

const { values: options } = parseArgs({
  options: {
    only: { type: 'string' },
    'skip-build': { type: 'boolean' },
    keep: { type: 'boolean' },
  },
});

const started = performance.now();
/** The environment variables `ws` reads at load time. */
const WS_ENV = 'WS_NO_BUFFER_UTIL,WS_NO_UTF_8_VALIDATE';
const packages = selectPackages(listPublicPackages(), options.only);
const nameWidth = Math.max(...packages.map((p) => p.name.length));
const bin = (/** @type {string} */ name) => join(repoRoot, 'node_modules', '.bin', name);
const work = mkdtempSync(join(tmpdir(), 'rtwire-release-check-'));
const tarballDir = join(work, 'tarballs');
const consumerDir = join(work, 'consumer');
mkdirSync(tarballDir);
mkdirSync(consumerDir);

/** @type {Map<string, string>} why a package's remaining checks are skipped */
const broken = new Map();
let failures = 0;
let skipped = 0;
let checks = 0;

/**
 * Prints the line for one package and check, and remembers a failure. A check skipped
 * because an earlier one failed prints `-`: the earlier failure already fails the run.
 * @param {string} name
 * @param {string} check
 * @param {{ ok: boolean, skipped?: boolean, detail?: string | undefined }} result
 */
function report(name, check, result) {
  checks++;
  if (result.skipped) skipped++;
  else if (!result.ok) failures++;
  const mark = result.skipped ? '-' : result.ok ? '✓' : '✗';
  const detail = result.detail ? (result.ok ? ` (${result.detail})` : `: ${result.detail}`) : '';
  console.log(`${mark} ${name.padEnd(nameWidth)}  ${check}${detail}`);
}

/**
 * Runs `check` for every package still standing, in parallel, and prints the results in
 * package order. A package whose check fails is skipped by the later checks.
 * @param {string} check
 * @param {(pkg: import('./lib/workspace.mjs').WorkspacePackage) => Promise<{ ok: boolean, skipped?: boolean, detail?: string }>} run
 * @param {{ fatal?: boolean }} [behaviour]
 */
async function phase(check, run, { fatal = true } = {}) {
  const results = await mapLimited(packages, async (pkg) => {
    const reason = broken.get(pkg.name);
    if (reason !== undefined) return { ok: false, skipped: true, detail: `skipped, ${reason}` };
    try {
      return await run(pkg);
    } catch (error) {
      return { ok: false, detail: firstLine(error) };
    }
  });
  packages.forEach((pkg, index) => {
    const result = /** @type {{ ok: boolean, skipped?: boolean, detail?: string }} */ (
      results[index]
    );
    report(pkg.name, check, result);
    if (!result.ok && fatal && !broken.has(pkg.name)) broken.set(pkg.name, `${check} failed`);
  });
}

try {
  const denoVersion = (await run(bin('deno'), ['--version'])).stdout.split('\n')[0];
  const bunVersion = (await run(bin('bun'), ['--version'])).stdout.trim();
  console.log(
    `release-check: ${packages.length} packages; node ${process.version}, ${denoVersion}, bun ${bunVersion}, ` +
      `typescript ${JSON.parse(readFileSync(join(repoRoot, 'node_modules/typescript/package.json'), 'utf8')).version}`,
  );

  // Build in dependency order; a package whose dependency failed is not built again.
  for (const pkg of packages) {
    const failedDependency = internalDependencies(pkg, packages).find((dep) => broken.has(dep));
    /** @type {{ ok: boolean, skipped?: boolean, detail?: string }} */
    let result;
    if (failedDependency) {
      result = { ok: false, skipped: true, detail: `skipped, ${failedDependency} failed` };
    } else if (options['skip-build']) result = { ok: true, detail: 'skipped by --skip-build' };
    else {
      const build = await run(
        bin('turbo'),
        ['run', 'build', `--filter=${pkg.name}`, '--output-logs=errors-only', '--log-prefix=none'],
        { cwd: repoRoot, env: { TURBO_TELEMETRY_DISABLED: '1', DO_NOT_TRACK: '1' } },
      );
      result = build.code === 0 ? { ok: true } : { ok: false, detail: errorLines(build) };
    }
    report(pkg.name, 'build', result);
    if (!result.ok) broken.set(pkg.name, 'build failed');
  }

  // pnpm pack turns workspace:* into exact versions; lifecycle scripts run as for publish.
  await phase('pack', async (pkg) => {
    const packed = await run('pnpm', ['pack', '--pack-destination', tarballDir], { cwd: pkg.dir });
    const tarball = tarballPath(pkg);
    if (packed.code !== 0 || !existsSync(tarball)) return { ok: false, detail: lastLines(packed) };
    const files = readTarball(tarball);
    const versions = new Map(listPublicPackages().map((p) => [p.name, p.version]));
    const problems = packedProblems(pkg, files, versions);
    if (problems.length > 0) return { ok: false, detail: problems.join('; ') };
    const bytes = readFileSync(tarball).length;
    return { ok: true, detail: `${files.size} files, ${(bytes / 1024).toFixed(1)} kB` };
  });

  await phase(
    'jsr.json',
    async (pkg) => {
      const problems = jsrExportProblems(pkg.dir);
      return problems.length === 0 ? { ok: true } : { ok: false, detail: problems.join('; ') };
    },
    { fatal: false },
  );

  await phase(
    'publint',
    async (pkg) => {
      const tarball = readFileSync(tarballPath(pkg));
      const { messages, pkg: manifest } = await publint({
        pack: {
          tarball: tarball.buffer.slice(tarball.byteOffset, tarball.byteOffset + tarball.length),
        },
        level: 'suggestion',
        strict: true,
      });
      const errors = messages.filter((m) => m.type === 'error');
      const suggestions = messages.filter((m) => m.type !== 'error');
      const text = (/** @type {typeof messages} */ list) =>
        list.map((m) => formatMessage(m, manifest, { color: false })).join('; ');
      if (errors.length > 0) return { ok: false, detail: text(errors) };
      return suggestions.length > 0 ? { ok: true, detail: text(suggestions) } : { ok: true };
    },
    { fatal: false },
  );

  // ESM only: Node ≥ 20.19 (the engines floor) loads it through require(), so the
  // node16-from-CommonJS "resolves to ESM" finding does not apply; node10 is obsolete.
  const ignoredResolutions = ['node10', 'node16-cjs'];
  await phase(
    'attw',
    async (pkg) => {
      const attw = await run(bin('attw'), [
        tarballPath(pkg),
        '--profile',
        'esm-only',
        '--format',
        'json',
      ]);
      /** @type {{ kind: string, entrypoint?: string, resolutionKind?: string }[]} */
      let problems;
      try {
        problems = JSON.parse(attw.stdout).analysis.problems ?? [];
      } catch {
        return { ok: false, detail: lastLines(attw) };
      }
      const counted = problems.filter((p) => !ignoredResolutions.includes(p.resolutionKind ?? ''));
      if (attw.code === 0 && counted.length === 0) return { ok: true, detail: 'profile esm-only' };
      const described = counted.map(
        (p) => `${p.kind} at "${p.entrypoint ?? '.'}" (${p.resolutionKind ?? 'any'})`,
      );
      return { ok: false, detail: [...new Set(described)].join('; ') || lastLines(attw) };
    },
    { fatal: false },
  );

  // A fresh project outside the workspace, so nothing resolves through workspace links.
  const installable = packages.filter((pkg) => !broken.has(pkg.name));
  writeJson(join(consumerDir, 'package.json'), {
    name: 'rtwire-release-check-consumer',
    private: true,
    type: 'module',
  });
  writeJson(join(consumerDir, 'deno.json'), { nodeModulesDir: 'manual' });
  const install =
    installable.length === 0
      ? { code: 1, stdout: '', stderr: 'nothing to install' }
      : await run(
          'npm',
          [
            'install',
            '--no-audit',
            '--no-fund',
            '--no-package-lock',
            '--loglevel=error',
            ...installable.map(tarballPath),
          ],
          { cwd: consumerDir, env: cleanNpmEnv() },
        );
  await phase('npm install', async (pkg) => {
    if (install.code !== 0) return { ok: false, detail: lastLines(install) };
    const installed = join(consumerDir, 'node_modules', pkg.name, 'package.json');
    if (!existsSync(installed)) return { ok: false, detail: 'not in node_modules' };
    const { version } = JSON.parse(readFileSync(installed, 'utf8'));
    return version === pkg.version
      ? { ok: true }
      : { ok: false, detail: `installed ${version}, expected ${pkg.version}` };
  });

  // Every JavaScript entry point of every installed package, and its runtime export names.
  const entryPoints = Object.fromEntries(
    packages.filter((pkg) => !broken.has(pkg.name)).map((pkg) => [pkg.name, specifiersOf(pkg)]),
  );
  writeFileSync(join(consumerDir, 'import-esm.mjs'), importScript('await import(specifier)'));
  writeFileSync(join(consumerDir, 'import-require.cjs'), importScript('require(specifier)', true));
  const requireFlags = process.features.require_module ? [] : ['--experimental-require-module'];
  const [esm, required, deno, bun] = await Promise.all([
    runImports(entryPoints, process.execPath, ['import-esm.mjs']),
    runImports(entryPoints, process.execPath, [...requireFlags, 'import-require.cjs']),
    // `ws` (a dependency of @rtwire/node) reads these two switches when it loads; nothing else
    // is granted, so a package that reached for any other part of the environment still fails.
    runImports(
      entryPoints,
      bin('deno'),
      ['run', '--allow-read', `--allow-env=${WS_ENV}`, '--no-prompt', 'import-esm.mjs'],
      {
        DENO_NO_UPDATE_CHECK: '1',
        NO_COLOR: '1',
      },
    ),
    runImports(entryPoints, bin('bun'), ['import-esm.mjs']),
  ]);
  /**
   * @param {ImportResults} outcome
   * @returns {(pkg: import('./lib/workspace.mjs').WorkspacePackage) => Promise<{ ok: boolean, detail?: string }>}
   */
  const importCheck = (outcome) => async (pkg) => {
    if (outcome.error !== undefined) return { ok: false, detail: outcome.error };
    const result = outcome.results?.[pkg.name];
    if (!result) return { ok: false, detail: 'no result' };
    if (!result.ok) return { ok: false, detail: result.detail };
    const reference = esm.results?.[pkg.name];
    if (reference?.ok && reference.exports.join() !== result.exports.join()) {
      return { ok: false, detail: 'export names differ from Node ESM' };
    }
    return { ok: true, detail: `${result.exports.length} exports` };
  };
  await phase('node import', importCheck(esm), { fatal: false });
  await phase('node require', importCheck(required), { fatal: false });
  await phase('deno import', importCheck(deno), { fatal: false });
  await phase('bun import', importCheck(bun), { fatal: false });

  // The published .d.ts, compiled by a strict consumer without skipLibCheck.
  for (const pkg of packages) {
    const imports = specifiersOf(pkg).map(
      (specifier, index) =>
        `import * as entry${index} from '${specifier}';\n` +
        `export const resolved${index}: IsAny<typeof entry${index}> = false;\n`,
    );
    writeFileSync(
      join(consumerDir, `${consumerFile(pkg)}.ts`),
      `type IsAny<T> = 0 extends 1 & T ? true : false;\n${imports.join('')}`,
    );
  }
  for (const { check, module, moduleResolution } of [
    { check: 'tsc bundler', module: 'esnext', moduleResolution: 'bundler' },
    { check: 'tsc node16', module: 'node16', moduleResolution: 'node16' },
  ]) {
    await phase(
      check,
      async (pkg) => {
        const project = `${consumerFile(pkg)}.${moduleResolution}.tsconfig.json`;
        writeJson(join(consumerDir, project), {
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
          files: [`${consumerFile(pkg)}.ts`],
        });
        const tsc = await run(
          process.execPath,
          [join(repoRoot, 'node_modules/typescript/bin/tsc'), '-p', project, '--pretty', 'false'],
          { cwd: consumerDir },
        );
        return tsc.code === 0 ? { ok: true } : { ok: false, detail: lastLines(tsc, 3) };
      },
      { fatal: false },
    );
  }

  // Deno type-checks the same consumer through its own npm resolution.
  await phase(
    'deno check',
    async (pkg) => {
      const check = await run(bin('deno'), ['check', '--quiet', `${consumerFile(pkg)}.ts`], {
        cwd: consumerDir,
        env: { DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1' },
      });
      return check.code === 0 ? { ok: true } : { ok: false, detail: errorLines(check) };
    },
    { fatal: false },
  );
} finally {
  if (options.keep) console.log(`release-check: kept ${work}`);
  else rmSync(work, { recursive: true, force: true });
}

const seconds = ((performance.now() - started) / 1000).toFixed(1);
console.log(
  `release-check: ${checks - failures - skipped} passed, ${failures} failed, ${skipped} skipped (${seconds} s)`,
);
process.exit(failures + skipped > 0 ? 1 : 0);

/**
 * @typedef {{ ok: true, exports: string[] } | { ok: false, detail: string }} ImportResult
 * @typedef {{ results?: Record<string, ImportResult>, error?: string }} ImportResults
 */

/**
 * @param {Record<string, string[]>} entryPoints package name → bare specifiers
 * @param {string} command
 * @param {string[]} args
 * @param {Record<string, string>} [env]
 * @returns {Promise<ImportResults>}
 */
async function runImports(entryPoints, command, args, env = {}) {
  const result = await run(command, [...args, JSON.stringify(entryPoints)], {
    cwd: consumerDir,
    env,
  });
  try {
    return { results: JSON.parse(result.stdout.trim().split('\n').at(-1) ?? '') };
  } catch {
    return { error: lastLines(result) };
  }
}

/**
 * A script that loads every entry point given as JSON in its last argument and prints, as
 * JSON, each package's sorted runtime export names or why loading failed.
 * @param {string} load
 * @param {boolean} [commonJs]
 */
function importScript(load, commonJs = false) {
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
  return commonJs ? body : `import process from 'node:process';\n${body}`;
}

/**
 * The bare specifiers of a package's JavaScript entry points (`./package.json` excluded).
 * @param {import('./lib/workspace.mjs').WorkspacePackage} pkg
 */
function specifiersOf(pkg) {
  return exportSubpaths(pkg.manifest.exports)
    .filter((subpath) => subpath !== './package.json' && !subpath.includes('*'))
    .map((subpath) => (subpath === '.' ? pkg.name : `${pkg.name}/${subpath.slice(2)}`));
}

/**
 * The requested packages and, so they install, their internal dependencies.
 * @param {import('./lib/workspace.mjs').WorkspacePackage[]} all
 * @param {string | undefined} only
 */
function selectPackages(all, only) {
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
        if (!wanted.has(dep)) grew = wanted.add(dep) !== undefined;
      }
    }
  }
  return all.filter((p) => wanted.has(p.name));
}

/** @param {import('./lib/workspace.mjs').WorkspacePackage} pkg */
function tarballPath(pkg) {
  return join(tarballDir, `${pkg.name.replace(/^@/, '').replace('/', '-')}-${pkg.version}.tgz`);
}

/** @param {import('./lib/workspace.mjs').WorkspacePackage} pkg */
function consumerFile(pkg) {
  return `consumer-${pkg.name.replace(/^@/, '').replace('/', '-')}`;
}

/** The environment without what `pnpm run` exports for npm, so npm uses its own defaults. */
function cleanNpmEnv() {
  /** @type {Record<string, string>} */
  const env = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (
      value !== undefined &&
      !/^npm_(config|package|lifecycle|execpath|node_execpath)/i.test(key)
    ) {
      env[key] = value;
    }
  }
  return env;
}

/**
 * @param {string} file
 * @param {unknown} value
 */
function writeJson(file, value) {
  writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
}

/** @param {unknown} error */
function firstLine(error) {
  return String(error instanceof Error ? error.message : error).split('\n')[0] ?? '';
}

/**
 * The last non-empty lines a command printed, joined into one line.
 * @param {{ stdout: string, stderr: string }} result
 * @param {number} [count]
 */
function lastLines(result, count = 2) {
  const lines = `${result.stdout}\n${result.stderr}`
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('npm warn'));
  return lines.slice(-count).join(' | ') || 'failed without output';
}

/**
 * The compiler's error lines from a failed build, or its last lines.
 * @param {{ stdout: string, stderr: string }} result
 */
function errorLines(result) {
  const errors = `${result.stdout}\n${result.stderr}`
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => /error TS\d+|\bError:/.test(line));
  return errors.length > 0 ? errors.slice(0, 3).join(' | ') : lastLines(result, 4);
}

/**
 * Runs a command to completion, capturing its output (never through a shell).
 * @param {string} command
 * @param {string[]} args
 * @param {{ cwd?: string, env?: Record<string, string> }} [runOptions]
 * @returns {Promise<{ code: number, stdout: string, stderr: string }>}
 */
function run(command, args, { cwd = repoRoot, env } = {}) {
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      cwd,
      env: env?.PATH ? env : { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('error', (error) => resolve({ code: 1, stdout, stderr: `${stderr}${error.message}` }));
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

/**
 * `map` with at most as many callbacks in flight as there are CPUs.
 * @template T, R
 * @param {T[]} items
 * @param {(item: T) => Promise<R>} callback
 * @returns {Promise<R[]>}
 */
async function mapLimited(items, callback) {
  /** @type {R[]} */
  const results = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await callback(/** @type {T} */ (items[index]));
    }
  };
  await Promise.all(Array.from({ length: Math.min(availableParallelism(), items.length) }, worker));
  return results;
}
