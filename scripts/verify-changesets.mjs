#!/usr/bin/env node
// Fails when a public package changed in a way users can see and no changeset names it.
//
// Which changes count, and against what:
// - Branch mode. With $CHANGESET_BASE set (a ref or commit, e.g. `origin/main` in a pull
//   request job), or on a branch other than the changesets baseBranch while that branch
//   exists locally or as origin/<baseBranch>: the changes are those since the merge base,
//   and the changeset must be added since the merge base too (one per pull request, as
//   vercel/ai's verify-changesets workflow asks).
// - Release mode. Otherwise (on main itself, or a clean clone in CI where HEAD is the base):
//   the changes are those since the package's last release, i.e. the last commit that
//   changed its package.json "version" (`changeset version` does that and deletes the
//   changesets it consumed), and any pending changeset naming the package covers them. A
//   package still at 0.0.0 was never released: it needs a pending changeset as soon as it
//   has any file that matters.
// A file matters unless it is a test, a benchmark, a test config or the changelog; a
// package.json matters unless only scripts, devDependencies or version changed. Uncommitted
// and untracked files count, so the check gives the same answer before and after a commit.
// An empty changeset (`pnpm changeset --empty`) states that a change releases nothing.
// In a shallow clone without the last release commit, release mode warns and passes.
//
//   node scripts/verify-changesets.mjs [--root <dir>]
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  fileMatters,
  manifestChangeMatters,
  pendingChangesets,
  releasedPackages,
} from './lib/changesets.mjs';
import { listPublicPackages, repoRoot } from './lib/workspace.mjs';

const { values } = parseArgs({ options: { root: { type: 'string' } } });
const root = values.root ? resolve(values.root) : repoRoot;

/**
 * Runs git in the repository; undefined when git fails.
 * @param {string[]} args
 */
function git(args) {
  try {
    return execFileSync('git', args, {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      maxBuffer: 64 * 1024 * 1024,
    }).trim();
  } catch {
    return undefined;
  }
}

/** @param {string} text */
const lines = (text) => text.split('\n').filter((line) => line !== '');

/** The merge base to compare with in branch mode, or undefined for release mode. */
function branchBase() {
  const config = existsSync(join(root, '.changeset/config.json'))
    ? JSON.parse(readFileSync(join(root, '.changeset/config.json'), 'utf8'))
    : {};
  const baseBranch = config.baseBranch ?? 'main';
  // biome-ignore lint/suspicious/noUndeclaredEnvVars: run by pnpm directly, not as a turbo task
  const explicit = process.env.CHANGESET_BASE;
  /** @type {string[]} */
  let candidates;
  if (explicit) candidates = [explicit];
  else {
    const branch = git(['rev-parse', '--abbrev-ref', 'HEAD']);
    if (branch === undefined || branch === baseBranch || branch === 'HEAD') return undefined;
    candidates = [`origin/${baseBranch}`, baseBranch];
  }
  for (const candidate of candidates) {
    if (git(['rev-parse', '--verify', '--quiet', `${candidate}^{commit}`]) === undefined) continue;
    const mergeBase = git(['merge-base', 'HEAD', candidate]);
    const head = git(['rev-parse', 'HEAD']);
    if (mergeBase && mergeBase !== head) return { ref: candidate, commit: mergeBase };
    if (mergeBase) return undefined;
  }
  if (explicit) {
    console.error(`verify-changesets: CHANGESET_BASE=${explicit} is not a commit in this clone`);
    process.exit(1);
  }
  return undefined;
}

/**
 * Files of a package that changed since `base` (committed, uncommitted or untracked) in a
 * way that matters, relative to the package directory.
 * @param {import('./lib/workspace.mjs').WorkspacePackage} pkg
 * @param {string | undefined} base undefined: every file the package has
 */
function changedFiles(pkg, base) {
  const dir = pkg.relativeDir;
  const tracked = base
    ? git(['diff', '--name-only', '--no-renames', base, '--', dir])
    : git(['ls-files', '--', dir]);
  const untracked = git(['ls-files', '--others', '--exclude-standard', '--', dir]);
  const files = new Set([...lines(tracked ?? ''), ...lines(untracked ?? '')]);
  return [...files]
    .filter((file) => existsSync(join(root, file)) || base !== undefined)
    .map((file) => file.slice(dir.length + 1))
    .filter((file) => {
      if (!fileMatters(file)) return false;
      if (file !== 'package.json') return true;
      const before = base ? git(['show', `${base}:${dir}/package.json`]) : undefined;
      const after = existsSync(join(pkg.dir, 'package.json'))
        ? readFileSync(join(pkg.dir, 'package.json'), 'utf8')
        : undefined;
      return manifestChangeMatters(before, after);
    })
    .sort();
}

/**
 * Changesets that exist now but not at `base` (all pending ones when base is undefined).
 * @param {string | undefined} base
 */
function changesetsSince(base) {
  return pendingChangesets(root).filter(({ file }) => {
    if (base === undefined) return true;
    const before = git(['show', `${base}:${file}`]);
    return (
      before === undefined ||
      releasedPackages(before)?.join() !==
        releasedPackages(readFileSync(join(root, file), 'utf8'))?.join()
    );
  });
}

if (git(['rev-parse', '--is-inside-work-tree']) !== 'true') {
  console.error('verify-changesets: not a git repository, nothing to compare with');
  process.exit(1);
}

const packages = listPublicPackages(root);
const nameWidth = Math.max(...packages.map((p) => p.name.length));
const branch = branchBase();
console.log(
  branch
    ? `verify-changesets: changes since ${branch.ref} (merge base ${branch.commit.slice(0, 7)}) need a changeset added on this branch`
    : 'verify-changesets: changes since each package’s last release need a pending changeset',
);

let failed = 0;
for (const pkg of packages) {
  /** @type {string | undefined} */
  let base = branch?.commit;
  if (!branch && pkg.version !== '0.0.0') {
    base = git([
      'log',
      '-1',
      '--format=%H',
      '-G',
      '"version"[[:space:]]*:',
      '--',
      `${pkg.relativeDir}/package.json`,
    ]);
    if (!base) {
      console.log(`✓ ${pkg.name.padEnd(nameWidth)}  no release commit in this (shallow?) clone`);
      continue;
    }
  }
  const changed = changedFiles(pkg, base);
  if (changed.length === 0) {
    console.log(`✓ ${pkg.name.padEnd(nameWidth)}  unchanged`);
    continue;
  }
  const covering = changesetsSince(branch?.commit).filter(
    ({ packages: released }) => released.length === 0 || released.includes(pkg.name),
  );
  if (covering.length > 0) {
    console.log(
      `✓ ${pkg.name.padEnd(nameWidth)}  ${changed.length} changed files, covered by ${covering.map((c) => c.file).join(', ')}`,
    );
    continue;
  }
  failed++;
  const shown =
    changed.slice(0, 3).join(', ') + (changed.length > 3 ? `, +${changed.length - 3} more` : '');
  console.log(
    `✗ ${pkg.name.padEnd(nameWidth)}  changed (${shown}) with no changeset naming it: run \`pnpm changeset\` and pick ${pkg.name}`,
  );
}
if (failed > 0) {
  console.error(
    `verify-changesets: ${failed} package(s) changed without a changeset; see CONTRIBUTING.md`,
  );
}
process.exit(failed > 0 ? 1 : 0);
