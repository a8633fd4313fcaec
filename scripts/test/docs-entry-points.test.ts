import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const json = (path: string) => JSON.parse(readFileSync(`${root}${path}`, 'utf8'));
const defaults: string[] = json('typedoc.json').packageOptions.entryPoints;

describe('the API reference', () => {
  it.each(readdirSync(`${root}packages`))('documents every public entry point of %s', (name) => {
    const manifest = json(`packages/${name}/package.json`) as { exports: Record<string, unknown> };
    const own = `packages/${name}/typedoc.json`;
    const entryPoints: string[] = existsSync(`${root}${own}`) ? json(own).entryPoints : defaults;
    // Code subpaths a user imports; `./internal` is fenced off on purpose, data files are data.
    const subpaths = Object.keys(manifest.exports).filter(
      (subpath) => subpath !== './internal' && !/\.json$/.test(subpath),
    );
    const sources = subpaths.map((subpath) =>
      subpath === '.' ? 'src/index.ts' : `src/${subpath.slice(2)}/index.ts`,
    );
    expect(entryPoints.slice().sort()).toEqual(sources.sort());
  });
});
