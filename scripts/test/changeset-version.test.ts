import { execFileSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { notOnJsr, syncJsrVersion } from '../lib/jsr-exports.mjs';
import { listPublicPackages, repoRoot } from '../lib/workspace.mjs';

const changesetBin = join(repoRoot, 'node_modules/@changesets/cli/bin.js');
const workspaceDirs = ['packages', 'apps'].flatMap((group) =>
  readdirSync(join(repoRoot, group))
    .map((name) => `${group}/${name}`)
    .filter((dir) => existsSync(join(repoRoot, dir, 'package.json'))),
);

/** The repository's manifests and changesets config, without sources or pending changesets. */
function copyWorkspace(target: string) {
  for (const file of ['package.json', 'pnpm-workspace.yaml', '.changeset/config.json']) {
    mkdirSync(join(target, file, '..'), { recursive: true });
    cpSync(join(repoRoot, file), join(target, file));
  }
  for (const dir of workspaceDirs) {
    mkdirSync(join(target, dir), { recursive: true });
    cpSync(join(repoRoot, dir, 'package.json'), join(target, dir, 'package.json'));
    if (existsSync(join(repoRoot, dir, 'jsr.json'))) {
      cpSync(join(repoRoot, dir, 'jsr.json'), join(target, dir, 'jsr.json'));
    }
  }
  // changesets resolves the "changelog" module of config.json from the project.
  symlinkSync(join(repoRoot, 'node_modules'), join(target, 'node_modules'), 'dir');
}

const readJson = (file: string) => JSON.parse(readFileSync(file, 'utf8'));

function minorBump(version: string) {
  const [major, minor] = version.split('.').map(Number);
  return `${major}.${(minor ?? 0) + 1}.0`;
}

describe('changeset version on a copy of the workspace', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'rtwire-changeset-version-'));
    copyWorkspace(dir);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('bumps every public package to one version, writes their changelogs and leaves apps alone', () => {
    const publicPackages = listPublicPackages(dir);
    expect(publicPackages.map((p) => p.name).sort()).toEqual([
      '@rtwire/builders',
      '@rtwire/cli',
      '@rtwire/node',
      '@rtwire/relay',
      '@rtwire/serializer',
      '@rtwire/server',
      '@rtwire/types',
    ]);
    const current = new Set(publicPackages.map((p) => p.version));
    expect(current.size).toBe(1);
    const expected = minorBump([...current][0] ?? '');
    const apps = workspaceDirs.filter((d) => d.startsWith('apps/'));
    const appsBefore = apps.map((app) => readFileSync(join(dir, app, 'package.json'), 'utf8'));
    writeFileSync(
      join(dir, '.changeset/test-change.md'),
      '---\n"@rtwire/serializer": minor\n---\n\nA test change to the serializer.\n',
    );

    execFileSync(process.execPath, [changesetBin, 'version'], { cwd: dir, stdio: 'pipe' });

    for (const pkg of publicPackages) {
      const manifest = readJson(join(pkg.dir, 'package.json'));
      expect({ name: pkg.name, version: manifest.version }).toEqual({
        name: pkg.name,
        version: expected,
      });
      const changelog = readFileSync(join(pkg.dir, 'CHANGELOG.md'), 'utf8');
      expect(changelog).toContain(`# ${pkg.name}`);
      expect(changelog).toContain(`## ${expected}`);
      // Internal dependencies stay workspace:* in the repo; pnpm pack makes them exact.
      for (const range of Object.values<string>(manifest.dependencies ?? {})) {
        if (range.startsWith('workspace:')) expect(range).toBe('workspace:*');
      }
    }
    expect(readFileSync(join(dir, 'packages/serializer/CHANGELOG.md'), 'utf8')).toContain(
      'A test change to the serializer.',
    );
    expect(apps.map((app) => readFileSync(join(dir, app, 'package.json'), 'utf8'))).toEqual(
      appsBefore,
    );
    for (const app of apps) expect(existsSync(join(dir, app, 'CHANGELOG.md'))).toBe(false);
    expect(existsSync(join(dir, '.changeset/test-change.md'))).toBe(false);

    // The version script then carries the new version into each jsr.json (the packages on JSR).
    for (const pkg of publicPackages.filter(({ name }) => notOnJsr(name) === undefined)) {
      syncJsrVersion(pkg.dir);
      expect(readJson(join(pkg.dir, 'jsr.json')).version).toBe(expected);
    }
  });

  it('gives every public package one snapshot version, pinned to each other', () => {
    const publicPackages = listPublicPackages(dir);
    writeFileSync(
      join(dir, '.changeset/test-change.md'),
      '---\n"@rtwire/types": patch\n---\n\nFix.\n',
    );

    execFileSync(process.execPath, [changesetBin, 'version', '--snapshot', 'pr123'], {
      cwd: dir,
      stdio: 'pipe',
    });

    const versions = new Set(
      publicPackages.map((pkg) => readJson(join(pkg.dir, 'package.json')).version),
    );
    expect(versions.size).toBe(1);
    expect([...versions][0]).toMatch(/-pr123-\d+$/);
  });
});
