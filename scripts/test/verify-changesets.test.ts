import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const script = join(import.meta.dirname, '..', 'verify-changesets.mjs');
const gitEnv = {
  GIT_AUTHOR_NAME: 'test',
  GIT_AUTHOR_EMAIL: 'test@example.com',
  GIT_COMMITTER_NAME: 'test',
  GIT_COMMITTER_EMAIL: 'test@example.com',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_CONFIG_NOSYSTEM: '1',
};

describe('verify-changesets', () => {
  let root: string;
  const write = (file: string, text: string) => {
    mkdirSync(dirname(join(root, file)), { recursive: true });
    writeFileSync(join(root, file), text);
  };
  const git = (...args: string[]) =>
    execFileSync('git', args, { cwd: root, env: { ...process.env, ...gitEnv }, stdio: 'pipe' });
  const commitAll = (message: string) => {
    git('add', '-A');
    git('commit', '-q', '-m', message);
  };
  const manifest = (version: string) =>
    `${JSON.stringify({ name: '@rtwire/a', version, scripts: { build: 'tsc' } }, null, 2)}\n`;
  const verify = (env: Record<string, string> = {}) => {
    const { CHANGESET_BASE: _, ...inherited } = process.env;
    const result = spawnSync(process.execPath, [script, '--root', root], {
      encoding: 'utf8',
      env: { ...inherited, ...gitEnv, ...env },
    });
    return { status: result.status, output: result.stdout + result.stderr };
  };
  const changeset = (file: string, front: string) =>
    write(`.changeset/${file}`, `---\n${front}---\n\nA change.\n`);

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'rtwire-verify-changesets-'));
    git('init', '-q', '-b', 'main');
    write('.changeset/config.json', JSON.stringify({ baseBranch: 'main' }));
    write('packages/a/package.json', manifest('1.0.0'));
    write('packages/a/src/index.ts', 'export const a = 1;\n');
    write('packages/private/package.json', JSON.stringify({ name: 'p', private: true }));
    commitAll('release 1.0.0');
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('passes on main when nothing changed since the release', () => {
    expect(verify()).toMatchObject({ status: 0 });
  });

  it('fails on main when a source changed since the release without a pending changeset', () => {
    write('packages/a/src/index.ts', 'export const a = 2;\n');
    commitAll('change a');
    const result = verify();
    expect(result.status).toBe(1);
    expect(result.output).toContain('✗ @rtwire/a  changed (src/index.ts)');
  });

  it('passes on main when a pending changeset names the changed package', () => {
    write('packages/a/src/index.ts', 'export const a = 2;\n');
    changeset('a.md', '"@rtwire/a": patch\n');
    commitAll('change a with a changeset');
    expect(verify()).toMatchObject({ status: 0 });
  });

  it('ignores tests and dev-only package.json fields, and counts uncommitted files', () => {
    write('packages/a/src/index.test.ts', 'test\n');
    write('packages/a/package.json', manifest('1.0.0').replace('"tsc"', '"tsc -b"'));
    expect(verify()).toMatchObject({ status: 0 });
    write('packages/a/src/new-file.ts', 'export {};\n');
    expect(verify()).toMatchObject({ status: 1 });
  });

  it('on a branch, wants a changeset added on that branch; an empty one also counts', () => {
    changeset('older.md', '"@rtwire/a": patch\n');
    commitAll('pending changeset on main');
    git('checkout', '-q', '-b', 'feature');
    write('packages/a/src/index.ts', 'export const a = 3;\n');
    commitAll('change a on a branch');
    const withoutOwn = verify();
    expect(withoutOwn.status).toBe(1);
    expect(withoutOwn.output).toContain('changes since main');
    changeset('empty.md', '');
    expect(verify()).toMatchObject({ status: 0 });
  });

  it('compares with $CHANGESET_BASE when set, and refuses an unknown one', () => {
    const base = String(git('rev-parse', 'HEAD')).trim();
    write('packages/a/src/index.ts', 'export const a = 4;\n');
    commitAll('change a');
    expect(verify({ CHANGESET_BASE: base })).toMatchObject({ status: 1 });
    changeset('b.md', '"@rtwire/a": minor\n');
    expect(verify({ CHANGESET_BASE: base })).toMatchObject({ status: 0 });
    expect(verify({ CHANGESET_BASE: 'no-such-ref' })).toMatchObject({ status: 1 });
  });

  it('wants a pending changeset for a package never released (0.0.0)', () => {
    write('packages/a/package.json', manifest('0.0.0'));
    commitAll('back to 0.0.0');
    expect(verify()).toMatchObject({ status: 1 });
    changeset('initial.md', '"@rtwire/a": minor\n');
    expect(verify()).toMatchObject({ status: 0 });
  });
});
