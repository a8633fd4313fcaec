import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IGNORED_RESOLUTIONS, judgeAttw } from '../lib/release-check/attw.mjs';
import { consumerSource, consumerTsconfig } from '../lib/release-check/consumer.mjs';
import {
  importScript,
  judgeImport,
  parseImportResults,
  runImports,
} from '../lib/release-check/imports.mjs';
import { fileStem, selectPackages, specifiersOf } from '../lib/release-check/packages.mjs';
import {
  cleanNpmEnv,
  errorLines,
  lastLines,
  mapLimited,
  run,
} from '../lib/release-check/process.mjs';
import { createReport } from '../lib/release-check/report.mjs';
import type { WorkspacePackage } from '../lib/workspace.mjs';

const pkg = (name: string, dependencies: Record<string, string> = {}, exports: unknown = {}) =>
  ({
    name,
    version: '1.0.0',
    dir: `/x/${name}`,
    relativeDir: `packages/${name}`,
    manifest: { name, dependencies, exports },
  }) satisfies WorkspacePackage;

describe('selectPackages', () => {
  const types = pkg('@rtwire/types');
  const builders = pkg('@rtwire/builders', { '@rtwire/types': 'workspace:*' });
  const relay = pkg('@rtwire/relay', { '@rtwire/builders': 'workspace:*', ws: '^8' });
  const serializer = pkg('@rtwire/serializer');
  const all = [types, builders, serializer, relay];

  it('is every package without --only', () => {
    expect(selectPackages(all, undefined)).toBe(all);
  });

  it('adds the internal dependencies of what was asked for, transitively, in workspace order', () => {
    expect(selectPackages(all, '@rtwire/relay').map((p) => p.name)).toEqual([
      '@rtwire/types',
      '@rtwire/builders',
      '@rtwire/relay',
    ]);
    expect(selectPackages(all, ' @rtwire/serializer ').map((p) => p.name)).toEqual([
      '@rtwire/serializer',
    ]);
  });

  it('names a package that does not exist', () => {
    expect(() => selectPackages(all, '@rtwire/types,@rtwire/nope')).toThrow(
      '--only: no public package @rtwire/nope',
    );
  });
});

describe('specifiersOf and fileStem', () => {
  it('lists every JavaScript entry point, not package.json or wildcards', () => {
    const relay = pkg(
      '@rtwire/relay',
      {},
      {
        '.': './dist/index.js',
        './simulator': './dist/simulator.js',
        './internal': './dist/internal.js',
        './package.json': './package.json',
        './schemas/*': './schemas/*',
      },
    );
    expect(specifiersOf(relay)).toEqual([
      '@rtwire/relay',
      '@rtwire/relay/simulator',
      '@rtwire/relay/internal',
    ]);
    expect(specifiersOf(pkg('@rtwire/types', {}, './dist/index.js'))).toEqual(['@rtwire/types']);
  });

  it('names files as the tarballs do', () => {
    expect(fileStem('@rtwire/node')).toBe('rtwire-node');
    expect(fileStem('plain')).toBe('plain');
  });
});

describe('createReport', () => {
  const packages = [{ name: '@rtwire/a' }, { name: '@rtwire/long-name' }];

  it('prints a line per package in order, skips the later checks of a package that failed a fatal phase', async () => {
    const lines: string[] = [];
    const report = createReport(packages, (line) => lines.push(line));
    await report.phase('pack', async (p) =>
      p.name === '@rtwire/a' ? { ok: false, detail: 'no dist' } : { ok: true, detail: '3 files' },
    );
    const seen: string[] = [];
    await report.phase('attw', async (p) => {
      seen.push(p.name);
      return { ok: true };
    });
    expect(seen).toEqual(['@rtwire/long-name']);
    expect(lines).toEqual([
      '✗ @rtwire/a          pack: no dist',
      '✓ @rtwire/long-name  pack (3 files)',
      '- @rtwire/a          attw: skipped, pack failed',
      '✓ @rtwire/long-name  attw',
    ]);
    expect(report.totals()).toEqual({ checks: 4, passed: 2, failed: 1, skipped: 1 });
  });

  it('a failure in a non-fatal phase leaves the later checks running; a throw fails with its first line', async () => {
    const lines: string[] = [];
    const report = createReport(packages, (line) => lines.push(line));
    await report.phase(
      'publint',
      async (p) => {
        if (p.name === '@rtwire/a') throw new Error('exploded\nstack line');
        return { ok: false, detail: 'bad exports' };
      },
      { fatal: false },
    );
    await report.phase('tsc', async () => ({ ok: true }));
    expect(lines).toEqual([
      '✗ @rtwire/a          publint: exploded',
      '✗ @rtwire/long-name  publint: bad exports',
      '✓ @rtwire/a          tsc',
      '✓ @rtwire/long-name  tsc',
    ]);
    expect(report.totals()).toEqual({ checks: 4, passed: 2, failed: 2, skipped: 0 });
  });

  it('markBroken keeps the first reason', async () => {
    const lines: string[] = [];
    const report = createReport(packages, (line) => lines.push(line));
    report.markBroken('@rtwire/a', 'build failed');
    report.markBroken('@rtwire/a', 'later reason');
    expect(report.isBroken('@rtwire/a')).toBe(true);
    expect(report.isBroken('@rtwire/long-name')).toBe(false);
    await report.phase('pack', async () => ({ ok: true }));
    expect(lines[0]).toBe('- @rtwire/a          pack: skipped, build failed');
  });
});

describe('process helpers', () => {
  it('lastLines joins the last non-empty lines, without npm warnings', () => {
    expect(lastLines({ stdout: 'a\n\nb\n', stderr: 'npm warn x\nc\n' })).toBe('b | c');
    expect(lastLines({ stdout: 'a\nb\nc', stderr: '' }, 3)).toBe('a | b | c');
    expect(lastLines({ stdout: '', stderr: '  \n' })).toBe('failed without output');
  });

  it('errorLines prefers compiler errors, at most three', () => {
    const stdout = [1, 2, 3, 4].map((n) => `src/a.ts(${n},1): error TS2322: no`).join('\n');
    expect(errorLines({ stdout: `noise\n${stdout}`, stderr: '' }).split(' | ')).toHaveLength(3);
    expect(errorLines({ stdout: 'x\ny', stderr: 'Error: boom' })).toBe('Error: boom');
    expect(errorLines({ stdout: 'one\ntwo', stderr: '' })).toBe('one | two');
  });

  it('cleanNpmEnv drops what pnpm exports for npm and keeps the rest', () => {
    expect(
      cleanNpmEnv({
        PATH: '/bin',
        npm_config_registry: 'x',
        npm_package_name: 'y',
        NPM_LIFECYCLE_EVENT: 'z',
        npm_token_like: 'kept',
        UNSET: undefined,
      }),
    ).toEqual({ PATH: '/bin', npm_token_like: 'kept' });
  });

  it('mapLimited keeps order and never runs more than the limit at once', async () => {
    let running = 0;
    let peak = 0;
    const results = await mapLimited(
      [5, 1, 4, 2, 3],
      async (n) => {
        running++;
        peak = Math.max(peak, running);
        await new Promise((resolve) => setTimeout(resolve, n));
        running--;
        return n * 10;
      },
      2,
    );
    expect(results).toEqual([50, 10, 40, 20, 30]);
    expect(peak).toBe(2);
  });

  it('run captures output and exit code, and a missing command as a failure', async () => {
    const ok = await run(
      process.execPath,
      ['-e', 'console.log("out"); console.error("err"); process.exit(3)'],
      {
        cwd: tmpdir(),
      },
    );
    expect(ok).toEqual({ code: 3, stdout: 'out\n', stderr: 'err\n' });
    const missing = await run('rtwire-no-such-command', [], { cwd: tmpdir() });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('ENOENT');
  });
});

describe('imports', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'rtwire-imports-'));
    const write = (file: string, text: string) => {
      mkdirSync(join(dir, file, '..'), { recursive: true });
      writeFileSync(join(dir, file), text);
    };
    write('package.json', '{"type":"module"}');
    write(
      'node_modules/good/package.json',
      JSON.stringify({
        name: 'good',
        type: 'module',
        exports: { '.': './i.js', './sub': './s.js' },
      }),
    );
    write('node_modules/good/i.js', 'export const b = 1; export const a = 2;');
    write('node_modules/good/s.js', 'export const c = 3;');
    write('node_modules/empty/package.json', '{"name":"empty","type":"module","main":"i.js"}');
    write('node_modules/empty/i.js', 'export {};');
    write('import-esm.mjs', importScript('esm'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('the ESM script lists sorted export names per specifier and refuses a package with none', async () => {
    const outcome = await runImports(
      { good: ['good', 'good/sub'], empty: ['empty'], missing: ['missing'] },
      process.execPath,
      ['import-esm.mjs'],
      { cwd: dir },
    );
    expect(outcome.results?.good).toEqual({
      ok: true,
      exports: ['good/sub:c', 'good:a', 'good:b'],
    });
    expect(outcome.results?.empty).toEqual({ ok: false, detail: 'empty has no runtime exports' });
    expect(outcome.results?.missing?.ok).toBe(false);
  });

  it('the require script has no ESM-only syntax', () => {
    expect(importScript('require')).not.toContain('import ');
    expect(importScript('require')).toContain('require(specifier)');
  });

  it('judgeImport passes the same names, fails different names, a load error or a missing result', () => {
    const esm = { results: { p: { ok: true as const, exports: ['p:a', 'p:b'] } } };
    expect(judgeImport(esm, esm, 'p')).toEqual({ ok: true, detail: '2 exports' });
    expect(judgeImport({ results: { p: { ok: true, exports: ['p:a'] } } }, esm, 'p')).toEqual({
      ok: false,
      detail: 'export names differ from Node ESM',
    });
    expect(judgeImport({ results: { p: { ok: false, detail: 'boom' } } }, esm, 'p')).toEqual({
      ok: false,
      detail: 'boom',
    });
    expect(judgeImport({ results: {} }, esm, 'p')).toEqual({ ok: false, detail: 'no result' });
    expect(judgeImport({ error: 'deno crashed' }, esm, 'p')).toEqual({
      ok: false,
      detail: 'deno crashed',
    });
  });

  it('parseImportResults reads the last line, or says what the runtime printed', () => {
    expect(
      parseImportResults({
        code: 0,
        stdout: 'warning\n{"p":{"ok":false,"detail":"x"}}\n',
        stderr: '',
      }),
    ).toEqual({ results: { p: { ok: false, detail: 'x' } } });
    expect(parseImportResults({ code: 1, stdout: '', stderr: 'Segmentation fault' })).toEqual({
      error: 'Segmentation fault',
    });
  });
});

describe('judgeAttw', () => {
  const report = (problems: unknown[], code = 1) => ({
    code,
    stdout: JSON.stringify({ analysis: { problems } }),
    stderr: '',
  });

  it('passes with no problems, or only problems under the ignored resolutions', () => {
    expect(judgeAttw(report([], 0))).toEqual({ ok: true, detail: 'profile esm-only' });
    const ignored = IGNORED_RESOLUTIONS.map((resolutionKind) => ({
      kind: 'CJSResolvesToESM',
      resolutionKind,
    }));
    expect(judgeAttw(report(ignored, 0)).ok).toBe(true);
  });

  it('names each counted problem once', () => {
    const problem = { kind: 'FalseESM', entrypoint: './sub', resolutionKind: 'bundler' };
    expect(judgeAttw(report([problem, problem, { kind: 'NoResolution' }]))).toEqual({
      ok: false,
      detail: 'FalseESM at "./sub" (bundler); NoResolution at "." (any)',
    });
  });

  it('fails on a non-zero exit even when nothing is counted, and on output that is not JSON', () => {
    expect(judgeAttw({ ...report([], 2), stderr: 'attw crashed' }).ok).toBe(false);
    expect(judgeAttw({ code: 1, stdout: 'oops', stderr: '' })).toEqual({
      ok: false,
      detail: 'oops',
    });
  });
});

describe('consumer', () => {
  it('imports every entry point and checks none is any', () => {
    const source = consumerSource(['@rtwire/relay', '@rtwire/relay/simulator']);
    expect(source).toContain("import * as entry0 from '@rtwire/relay';");
    expect(source).toContain("import * as entry1 from '@rtwire/relay/simulator';");
    expect(source).toContain('export const resolved1: IsAny<typeof entry1> = false;');
  });

  it('compiles without skipLibCheck under the strictest flags', () => {
    const config = consumerTsconfig('c.ts', { module: 'node16', moduleResolution: 'node16' });
    expect(config.files).toEqual(['c.ts']);
    expect(config.compilerOptions).toMatchObject({
      skipLibCheck: false,
      strict: true,
      exactOptionalPropertyTypes: true,
      module: 'node16',
      moduleResolution: 'node16',
    });
  });
});

describe('release-check --help', () => {
  it('prints the usage, says the tarballs are deleted unless --keep, and does no work', async () => {
    const { execFileSync } = await import('node:child_process');
    const { fileURLToPath } = await import('node:url');
    const script = fileURLToPath(new URL('../release-check.mjs', import.meta.url));
    const usage = execFileSync(process.execPath, [script, '--help'], { encoding: 'utf8' });
    expect(usage).toContain('--keep');
    expect(usage).toMatch(/deleted/);
    // Nothing was built or packed: no line of a run was printed.
    expect(usage).not.toContain('release-check: ');
  });
});

describe('npx rtwire relay', () => {
  it('reads the URL from the listening line only', async () => {
    const { listeningUrl } = await import('../lib/release-check/npx-relay.mjs');
    const output =
      '{"msg":"relay.config","note":"listening on http://nowhere:1 "}\n' +
      'rtwire relay listening on http://127.0.0.1:40123 (realtime endpoint ws://127.0.0.1:40123/v1/realtime, upstream simulator)\n';
    expect(listeningUrl(output)).toBe('http://127.0.0.1:40123');
    expect(listeningUrl('{"msg":"relay.config"}\n')).toBeUndefined();
  });

  it('finds the relay at the end of npx → npm → sh → node', async () => {
    const { deepestDescendant } = await import('../lib/release-check/npx-relay.mjs');
    const table = [
      '    1     0 init',
      '  100     1 npx rtwire relay',
      '  101   100 npm exec rtwire relay',
      '  102   101 sh -c rtwire relay',
      '  103   102 node /tmp/x/node_modules/.bin/rtwire relay',
      '  200     1 node elsewhere',
    ].join('\n');
    expect(deepestDescendant(100, table)).toBe(103);
    // With no children (bash execs the command), the process itself.
    expect(deepestDescendant(200, table)).toBe(200);
  });

  it('puts node, npm, npx and sh alone on the PATH it makes', async () => {
    const { readdirSync } = await import('node:fs');
    const { nodeOnlyBin } = await import('../lib/release-check/npx-relay.mjs');
    const dir = mkdtempSync(join(tmpdir(), 'rtwire-node-only-'));
    try {
      const bin = nodeOnlyBin(join(dir, 'bin'));
      expect(readdirSync(bin).sort()).toEqual(['node', 'npm', 'npx', 'sh']);
      expect(() => nodeOnlyBin(join(dir, 'none'), join(dir, 'empty'))).toThrow(
        'node is not on PATH',
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('runs for @rtwire/cli, whose bin it is', async () => {
    const { CLI_PACKAGE } = await import('../lib/release-check/npx-relay.mjs');
    const { listPublicPackages } = await import('../lib/workspace.mjs');
    const cli = listPublicPackages().find((pkg) => pkg.name === CLI_PACKAGE);
    expect(cli?.manifest.bin).toEqual({ rtwire: './dist/bin.js' });
  });
});
