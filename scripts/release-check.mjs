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
//   node scripts/release-check.mjs --keep             keep the temporary directory (without it,
//                                                     the tarballs and the consumer are deleted)
//   node scripts/release-check.mjs --help             this text
//
// For @rtwire/cli it also installs the tarballs into an empty folder with npm and Node alone,
// runs `npx rtwire relay`, checks its console and a WebSocket session, runs `npx rtwire
// conformance` against it, and stops it with SIGTERM.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';
import { jsrExportProblems, notOnJsr } from './lib/jsr-exports.mjs';
import { packedProblems } from './lib/packed-problems.mjs';
import { judgeAttw } from './lib/release-check/attw.mjs';
import {
  CONSUMER_RESOLUTIONS,
  consumerSource,
  consumerTsconfig,
  OLDEST_TYPESCRIPT,
  oldestTypescriptFor,
} from './lib/release-check/consumer.mjs';
import { importScript, judgeImport, runImports } from './lib/release-check/imports.mjs';
import { CLI_PACKAGE, checkNpxRelay } from './lib/release-check/npx-relay.mjs';
import { fileStem, selectPackages, specifiersOf } from './lib/release-check/packages.mjs';
import {
  cleanNpmEnv,
  errorLines,
  lastLines,
  run as runCommand,
} from './lib/release-check/process.mjs';
import { createReport } from './lib/release-check/report.mjs';
import { readTarball } from './lib/tarball.mjs';
import { internalDependencies, listPublicPackages, repoRoot } from './lib/workspace.mjs';

const { values: options } = parseArgs({
  options: {
    only: { type: 'string' },
    'skip-build': { type: 'boolean' },
    keep: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (options.help) {
  // The usage is the header of this file.
  const usage = readFileSync(new URL(import.meta.url), 'utf8')
    .split('\n')
    .slice(1)
    .filter((line) => line.startsWith('//'))
    .map((line) => line.replace(/^\/\/ ?/, ''));
  console.log(usage.join('\n'));
  process.exit(0);
}

const started = performance.now();
/** The environment variables `ws` reads at load time. */
const WS_ENV = 'WS_NO_BUFFER_UTIL,WS_NO_UTF_8_VALIDATE';
const packages = selectPackages(listPublicPackages(), options.only);
const bin = (/** @type {string} */ name) => join(repoRoot, 'node_modules', '.bin', name);
const work = mkdtempSync(join(tmpdir(), 'rtwire-release-check-'));
const tarballDir = join(work, 'tarballs');
const consumerDir = join(work, 'consumer');
mkdirSync(tarballDir);
mkdirSync(consumerDir);

const report = createReport(packages);
const { phase } = report;
/**
 * @param {string} command
 * @param {string[]} args
 * @param {{ cwd?: string, env?: Record<string, string> }} [runOptions]
 */
const run = (command, args, { cwd = repoRoot, env } = {}) =>
  runCommand(command, args, { cwd, env });

try {
  const denoVersion = (await run(bin('deno'), ['--version'])).stdout.split('\n')[0];
  const bunVersion = (await run(bin('bun'), ['--version'])).stdout.trim();
  console.log(
    `release-check: ${packages.length} packages; node ${process.version}, ${denoVersion}, bun ${bunVersion}, ` +
      `typescript ${JSON.parse(readFileSync(join(repoRoot, 'node_modules/typescript/package.json'), 'utf8')).version}`,
  );

  // Build in dependency order; a package whose dependency failed is not built again.
  for (const pkg of packages) {
    const failedDependency = internalDependencies(pkg, packages).find((dep) =>
      report.isBroken(dep),
    );
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
    report.record(pkg.name, 'build', result);
    if (!result.ok) report.markBroken(pkg.name, 'build failed');
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
      if (problems.length > 0) return { ok: false, detail: problems.join('; ') };
      const excluded = notOnJsr(pkg.name);
      return excluded === undefined
        ? { ok: true }
        : { ok: true, detail: `not on JSR: ${excluded}` };
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
      return judgeAttw(attw);
    },
    { fatal: false },
  );

  // A fresh project outside the workspace, so nothing resolves through workspace links.
  const installable = packages.filter((pkg) => !report.isBroken(pkg.name));
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
    packages
      .filter((pkg) => !report.isBroken(pkg.name))
      .map((pkg) => [pkg.name, specifiersOf(pkg)]),
  );
  writeFileSync(join(consumerDir, 'import-esm.mjs'), importScript('esm'));
  writeFileSync(join(consumerDir, 'import-require.cjs'), importScript('require'));
  const requireFlags = process.features.require_module ? [] : ['--experimental-require-module'];
  const [esm, required, deno, bun] = await Promise.all([
    runImports(entryPoints, process.execPath, ['import-esm.mjs'], { cwd: consumerDir }),
    runImports(entryPoints, process.execPath, [...requireFlags, 'import-require.cjs'], {
      cwd: consumerDir,
    }),
    // `ws` (a dependency of @rtwire/node) reads these two switches when it loads; nothing else
    // is granted, so a package that reached for any other part of the environment still fails.
    runImports(
      entryPoints,
      bin('deno'),
      ['run', '--allow-read', `--allow-env=${WS_ENV}`, '--no-prompt', 'import-esm.mjs'],
      { cwd: consumerDir, env: { DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1' } },
    ),
    runImports(entryPoints, bin('bun'), ['import-esm.mjs'], { cwd: consumerDir }),
  ]);
  /** @param {import('./lib/release-check/imports.mjs').ImportResults} outcome */
  const importCheck = (outcome) => async (/** @type {{ name: string }} */ pkg) =>
    judgeImport(outcome, esm, pkg.name);
  await phase('node import', importCheck(esm), { fatal: false });
  await phase('node require', importCheck(required), { fatal: false });
  await phase('deno import', importCheck(deno), { fatal: false });
  await phase('bun import', importCheck(bun), { fatal: false });

  // The published .d.ts, compiled by a strict consumer without skipLibCheck.
  for (const pkg of packages) {
    for (const extension of ['ts', 'cts']) {
      writeFileSync(
        join(consumerDir, `${consumerFile(pkg)}.${extension}`),
        consumerSource(specifiersOf(pkg)),
      );
    }
  }
  /**
   * @param {string} tscPath
   * @param {typeof CONSUMER_RESOLUTIONS[number]} resolution
   * @param {string} tag
   */
  const compileConsumer =
    (tscPath, resolution, tag) => async (/** @type {{ name: string }} */ pkg) => {
      const project = `${consumerFile(pkg)}.${tag}.tsconfig.json`;
      writeJson(
        join(consumerDir, project),
        consumerTsconfig(`${consumerFile(pkg)}.${resolution.extension}`, resolution),
      );
      const tsc = await run(process.execPath, [tscPath, '-p', project, '--pretty', 'false'], {
        cwd: consumerDir,
      });
      return tsc.code === 0 ? { ok: true } : { ok: false, detail: lastLines(tsc, 3) };
    };
  for (const resolution of CONSUMER_RESOLUTIONS) {
    await phase(
      resolution.check,
      compileConsumer(
        join(repoRoot, 'node_modules/typescript/bin/tsc'),
        resolution,
        resolution.check.replaceAll(' ', '-'),
      ),
      { fatal: false },
    );
  }
  // The oldest TypeScript each README promises, installed beside the consumer.
  /** @type {Map<string, { dir: string, install: Promise<{ code: number, stdout: string, stderr: string }> }>} */
  const oldTypescripts = new Map();
  for (const version of new Set(Object.values(OLDEST_TYPESCRIPT.versions))) {
    const dir = join(work, `typescript-${version}`);
    mkdirSync(dir);
    const install = run(
      'npm',
      [
        'install',
        '--no-audit',
        '--no-fund',
        '--no-package-lock',
        '--loglevel=error',
        '--prefix',
        dir,
        `typescript@${version}`,
      ],
      { cwd: dir, env: cleanNpmEnv() },
    );
    oldTypescripts.set(version, { dir, install });
  }
  for (const resolution of OLDEST_TYPESCRIPT.resolutions) {
    await phase(
      `tsc oldest ${resolution.moduleResolution}`,
      async (pkg) => {
        const version = oldestTypescriptFor(pkg.name);
        const old = oldTypescripts.get(version);
        if (old === undefined) return { ok: false, detail: `no TypeScript ${version}` };
        const installed = await old.install;
        if (installed.code !== 0) return { ok: false, detail: lastLines(installed) };
        const tag = `tsc-${version}-${resolution.moduleResolution}`;
        const result = await compileConsumer(
          join(old.dir, 'node_modules/typescript/bin/tsc'),
          resolution,
          tag,
        )(pkg);
        return result.ok ? { ok: true, detail: `typescript ${version}` } : result;
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

  // `npx rtwire relay` with Node alone: the CLI's tarball and the @rtwire/* ones it needs in an
  // empty folder, the console and a session served, `npx rtwire conformance` passing against
  // it, and SIGTERM draining it to exit 0 (scripts/lib/release-check/npx-relay.mjs).
  const cli = packages.find((pkg) => pkg.name === CLI_PACKAGE);
  if (cli !== undefined) {
    const needed = selectPackages(listPublicPackages(), CLI_PACKAGE);
    const broken = needed.find((pkg) => report.isBroken(pkg.name));
    const record = (
      /** @type {string} */ check,
      /** @type {import('./lib/release-check/report.mjs').CheckResult} */ result,
    ) => report.record(CLI_PACKAGE, check, result);
    if (broken !== undefined) {
      record('npx rtwire relay', {
        ok: false,
        skipped: true,
        detail: `skipped, ${broken.name} failed`,
      });
    } else {
      await checkNpxRelay({ tarballs: needed.map(tarballPath), dir: join(work, 'npx'), record });
    }
  }
} finally {
  if (options.keep) console.log(`release-check: kept ${work}`);
  else rmSync(work, { recursive: true, force: true });
}

const seconds = ((performance.now() - started) / 1000).toFixed(1);
const totals = report.totals();
console.log(
  `release-check: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped (${seconds} s)`,
);
process.exit(totals.failed + totals.skipped > 0 ? 1 : 0);

/** @param {{ name: string, version: string }} pkg */
function tarballPath(pkg) {
  return join(tarballDir, `${fileStem(pkg.name)}-${pkg.version}.tgz`);
}

/** @param {{ name: string }} pkg */
function consumerFile(pkg) {
  return `consumer-${fileStem(pkg.name)}`;
}

/**
 * @param {string} file
 * @param {unknown} value
 */
function writeJson(file, value) {
  writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
}
