import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const read = (path: string) => readFileSync(`${root}${path}`, 'utf8');
const packages = readdirSync(`${root}packages`).map((name) => ({
  name,
  manifest: JSON.parse(read(`packages/${name}/package.json`)) as { engines?: { node?: string } },
  readme: read(`packages/${name}/README.md`),
}));

describe('what the READMEs promise', () => {
  it('the Node version of the quick start and of each package README is the one `engines` says', () => {
    const engines = new Set(packages.map((pkg) => pkg.manifest.engines?.node));
    expect([...engines]).toEqual(['>=20.19']);
    const minimum = '20.19';
    expect(read('README.md')).toContain(`Node ≥ ${minimum} and npm`);
    for (const text of [read('README.md'), ...packages.map((pkg) => pkg.readme)]) {
      // Any "Node ≥ x" a README states is the minimum, not an older one.
      for (const [, version] of text.matchAll(/Node ≥ (\d+(?:\.\d+)?)/g))
        expect(version).toBe(minimum);
    }
  });

  it('the quick start says which protocols it speaks, and what a beta client gets', () => {
    const readme = read('README.md');
    expect(readme).toMatch(/speaks the GA Realtime protocol/);
    expect(readme).toContain('is translated to GA and back');
    // The setting that turns it off, as the relay reads it.
    expect(readme).toContain('`BETA_PROTOCOL=refuse`');
    expect(read('packages/relay/src/config/relay-config.ts')).toContain("'BETA_PROTOCOL'");
    expect(readme).toContain('/v1/realtime/translations');
    expect(read('packages/relay/src/host/admission.ts')).toContain(
      "TRANSLATIONS_PATH = '/v1/realtime/translations'",
    );
  });
});

describe('the TypeScript each package README promises', () => {
  it('is the oldest the release check compiles it with', async () => {
    const { oldestTypescriptFor } = await import('../lib/release-check/consumer.mjs');
    for (const pkg of packages) {
      const version = oldestTypescriptFor(`@rtwire/${pkg.name}`).split('.').slice(0, 2).join('.');
      expect(pkg.readme, pkg.name).toContain(`TypeScript ≥ ${version}`);
      expect(pkg.readme, pkg.name).toContain('module: nodenext');
    }
  });
});
