import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { packedProblems } from '../lib/packed-problems.mjs';
import { readTarball } from '../lib/tarball.mjs';

const versions = new Map([
  ['@rtwire/types', '1.4.0'],
  ['@rtwire/builders', '1.4.0'],
]);
const pkg = { name: '@rtwire/builders', version: '1.4.0' };

describe('packedProblems on a real tarball', () => {
  let dir: string;
  /** Packs `files` under `package/` with the system tar, as npm and pnpm lay tarballs out. */
  const pack = (files: Record<string, string>) => {
    for (const [file, text] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, 'package', file)), { recursive: true });
      writeFileSync(join(dir, 'package', file), text);
    }
    execFileSync('tar', ['-czf', 'out.tgz', 'package'], { cwd: dir });
    return readTarball(join(dir, 'out.tgz'));
  };
  const manifest = (dependencies: Record<string, string>) =>
    JSON.stringify({ ...pkg, dependencies });

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'rtwire-packed-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('accepts exact internal versions, a README and a LICENSE, and no tests', () => {
    const files = pack({
      'package.json': manifest({ '@rtwire/types': '1.4.0', other: '^2.0.0' }),
      'README.md': '# x\n',
      LICENSE: 'MIT\n',
      'dist/index.js': 'export {};\n',
    });
    expect([...files.keys()].sort()).toEqual([
      'LICENSE',
      'README.md',
      'dist/index.js',
      'package.json',
    ]);
    expect(packedProblems(pkg, files, versions)).toEqual([]);
  });

  it('names a source map whose sources the tarball does not hold, and accepts one that holds them', () => {
    const base = {
      'package.json': manifest({}),
      'README.md': '#',
      LICENSE: 'MIT',
      'dist/index.js': '',
    };
    const dangling = pack({
      ...base,
      'dist/index.js.map': JSON.stringify({
        version: 3,
        sources: ['../src/index.ts'],
        mappings: '',
      }),
    });
    expect(packedProblems(pkg, dangling, versions)).toEqual([
      'dist/index.js.map maps to src/index.ts, which is not in the tarball',
    ]);
    rmSync(join(dir, 'package'), { recursive: true, force: true });
    const shipped = pack({
      ...base,
      'src/index.ts': 'export {};',
      'dist/index.js.map': JSON.stringify({
        version: 3,
        sources: ['../src/index.ts'],
        mappings: '',
      }),
    });
    expect(packedProblems(pkg, shipped, versions)).toEqual([]);
  });

  it('names workspace ranges, loose internal ranges, missing files and shipped tests', () => {
    const files = pack({
      'package.json': manifest({ '@rtwire/types': 'workspace:*' }),
      'dist/index.test.js': '\n',
    });
    expect(packedProblems(pkg, files, versions)).toEqual([
      'dependencies.@rtwire/types is workspace:*',
      'README.md missing',
      'LICENSE missing',
      'ships tests: dist/index.test.js',
    ]);
    const loose = pack({ 'package.json': manifest({ '@rtwire/types': '^1.4.0' }) });
    expect(packedProblems(pkg, loose, versions)).toContain(
      'dependencies.@rtwire/types is ^1.4.0, expected exactly 1.4.0',
    );
  });
});
