import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { jsrExportProblems, notOnJsr } from '../lib/jsr-exports.mjs';

const script = join(import.meta.dirname, '..', 'validate-jsr-exports.mjs');

const manifest = {
  name: '@rtwire/example',
  version: '1.2.3',
  exports: {
    '.': { types: './dist/index.d.ts', default: './dist/index.js' },
    './testing': { types: './dist/testing.d.ts', default: './dist/testing.js' },
    './package.json': './package.json',
  },
};
const agreeing = {
  name: '@rtwire/example',
  version: '1.2.3',
  exports: { '.': './src/index.ts', './testing': './src/testing.ts' },
};

describe('validate-jsr-exports', () => {
  let root: string;
  let pkgDir: string;
  const write = (jsr: unknown) =>
    writeFileSync(join(pkgDir, 'jsr.json'), `${JSON.stringify(jsr, null, 2)}\n`);

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'rtwire-jsr-exports-'));
    pkgDir = join(root, 'packages/example');
    mkdirSync(join(pkgDir, 'src'), { recursive: true });
    writeFileSync(join(pkgDir, 'src/index.ts'), 'export const a = 1;\n');
    writeFileSync(join(pkgDir, 'src/testing.ts'), 'export const b = 2;\n');
    writeFileSync(join(pkgDir, 'package.json'), JSON.stringify(manifest));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('accepts a jsr.json that exports the sources of every package.json export', () => {
    write(agreeing);
    expect(jsrExportProblems(pkgDir)).toEqual([]);
    const output = execFileSync(process.execPath, [script, '--root', root], { encoding: 'utf8' });
    expect(output).toContain('✓ @rtwire/example  jsr.json');
  });

  it('fails the build when jsr.json drifts from package.json', () => {
    write({
      ...agreeing,
      version: '1.2.2',
      exports: { '.': './src/index.ts', './extra': './src/index.ts' },
    });
    expect(jsrExportProblems(pkgDir)).toEqual([
      'jsr.json version "1.2.2" differs from package.json "1.2.3"',
      'package.json exports "./testing" but jsr.json does not',
      'jsr.json exports "./extra" but package.json does not',
    ]);
    let status = 0;
    let stdout = '';
    try {
      execFileSync(process.execPath, [script, '--root', root], { stdio: 'pipe' });
    } catch (error) {
      status = (error as { status: number }).status;
      stdout = String((error as { stdout: Buffer }).stdout);
    }
    expect(status).toBe(1);
    expect(stdout).toContain('✗ @rtwire/example  jsr.json: package.json exports "./testing"');
  });

  it('names an export built from another source file, and a source that does not exist', () => {
    write({ ...agreeing, exports: { '.': './src/testing.ts', './testing': './src/gone.ts' } });
    expect(jsrExportProblems(pkgDir)).toEqual([
      'jsr.json exports "." as ./src/testing.ts, but package.json builds it from ./src/index.ts',
      'jsr.json exports "./testing" as ./src/gone.ts, but package.json builds it from ./src/testing.ts',
      'jsr.json exports "./testing" from ./src/gone.ts, which does not exist',
    ]);
  });

  it('--sync-versions copies the package.json version into jsr.json', () => {
    write({ ...agreeing, version: '0.0.0' });
    execFileSync(process.execPath, [script, '--root', root, '--sync-versions'], { stdio: 'pipe' });
    expect(jsrExportProblems(pkgDir)).toEqual([]);
  });

  it('passes a package that is not on JSR without a jsr.json, saying why, and fails one with', () => {
    const cliDir = join(root, 'packages/cli');
    mkdirSync(cliDir, { recursive: true });
    writeFileSync(
      join(cliDir, 'package.json'),
      JSON.stringify({ ...manifest, name: '@rtwire/cli' }),
    );
    write(agreeing);
    const reason = notOnJsr('@rtwire/cli');
    expect(reason).toContain('JSR has no bin');
    expect(jsrExportProblems(cliDir)).toEqual([]);
    const output = execFileSync(process.execPath, [script, '--root', root], { encoding: 'utf8' });
    expect(output).toContain(`✓ @rtwire/cli      jsr.json: none, not on JSR (${reason})`);

    writeFileSync(join(cliDir, 'jsr.json'), JSON.stringify({ ...agreeing, name: '@rtwire/cli' }));
    expect(jsrExportProblems(cliDir)).toEqual([
      `jsr.json exists, but @rtwire/cli is not on JSR: ${reason}`,
    ]);
    // Every other package is on JSR.
    expect(notOnJsr('@rtwire/node')).toBeUndefined();
  });
});
