import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const read = (path: string) => readFileSync(`${root}${path}`, 'utf8');
const packages = readdirSync(`${root}packages`).map((name) => ({
  name,
  manifest: JSON.parse(read(`packages/${name}/package.json`)) as {
    name: string;
    version: string;
    private?: boolean;
  },
  readme: read(`packages/${name}/README.md`),
}));

/** The text from a README's install line to its next heading. */
function installSection(readme: string): string | undefined {
  const start = readme.search(/^(?:npm install|pnpm add|yarn add) @rtwire\//m);
  if (start < 0) return undefined;
  const next = readme.slice(start).search(/^#{1,6} /m);
  return next < 0 ? readme.slice(start) : readme.slice(start, start + next);
}

describe('the install line of each package README', () => {
  it('is `npm install`, the same in every README', () => {
    for (const { name, readme } of packages) {
      expect(readme, name).not.toMatch(/^(?:pnpm add|yarn add) @rtwire\//m);
      expect(readme, name).toMatch(new RegExp(`^npm install @rtwire/${name}\\b`, 'm'));
    }
  });

  it('says, while the packages are unpublished (0.0.0), that it 404s and how to use them meanwhile', () => {
    for (const { name, manifest, readme } of packages) {
      if (manifest.private === true || manifest.version !== '0.0.0') continue;
      const section = installSection(readme);
      expect(section, name).toBeDefined();
      expect(section, name).toContain('Not on npm yet');
      expect(section, name).toContain('answers 404');
      // The way that works today: tarballs packed from a checkout, installed together.
      expect(section, name).toContain(
        'pnpm -r --filter "./packages/*" pack --pack-destination "$PWD/tarballs"',
      );
      expect(section, name).toContain('npm install ../rtwire/tarballs/*.tgz');
      // The pnpm the tarballs are packed with is the one the repository pins.
      const { packageManager } = JSON.parse(read('package.json')) as { packageManager: string };
      expect(section, name).toContain(`npm install --global ${packageManager}`);
    }
  });
});
