import { describe, expect, it } from 'vitest';
import { fileMatters, manifestChangeMatters, releasedPackages } from '../lib/changesets.mjs';

describe('releasedPackages', () => {
  it('reads quoted and unquoted package names from the front matter', () => {
    const text =
      '---\n"@rtwire/types": minor\n\'@rtwire/relay\': patch\n@rtwire/builders: major\n---\n\nText: with a colon\n';
    expect(releasedPackages(text)).toEqual(['@rtwire/types', '@rtwire/relay', '@rtwire/builders']);
  });

  it('reads an empty changeset as releasing nothing, and other markdown as no changeset', () => {
    expect(releasedPackages('---\n---\n\nDocs only.\n')).toEqual([]);
    expect(releasedPackages('# Changesets\n\nHello\n')).toBeUndefined();
  });
});

describe('fileMatters', () => {
  it('ignores tests, benchmarks, test configs and the changelog', () => {
    for (const file of [
      'src/encode.test.ts',
      'src/index.test-d.ts',
      'test/fixtures/a.json',
      'bench/encode.bench.ts',
      'vitest.config.ts',
      'tsconfig.json',
      'CHANGELOG.md',
    ]) {
      expect({ file, matters: fileMatters(file) }).toEqual({ file, matters: false });
    }
  });

  it('counts sources, build config, README, LICENSE and jsr.json', () => {
    for (const file of [
      'src/encode.ts',
      'tsconfig.build.json',
      'README.md',
      'LICENSE',
      'jsr.json',
    ]) {
      expect({ file, matters: fileMatters(file) }).toEqual({ file, matters: true });
    }
  });
});

describe('manifestChangeMatters', () => {
  const base = {
    name: 'x',
    version: '1.0.0',
    exports: { '.': './dist/index.js' },
    scripts: { build: 'tsc' },
  };
  const text = (value: unknown) => JSON.stringify(value, null, 2);

  it('ignores scripts, devDependencies, version and key order', () => {
    const after = {
      scripts: { build: 'tsc -b' },
      version: '1.1.0',
      devDependencies: { a: '1' },
      exports: base.exports,
      name: 'x',
    };
    expect(manifestChangeMatters(text(base), text(after))).toBe(false);
  });

  it('counts exports, dependencies and a new package.json', () => {
    expect(
      manifestChangeMatters(text(base), text({ ...base, exports: { '.': './dist/main.js' } })),
    ).toBe(true);
    expect(manifestChangeMatters(text(base), text({ ...base, dependencies: { y: '1' } }))).toBe(
      true,
    );
    expect(manifestChangeMatters(undefined, text(base))).toBe(true);
  });
});
