// The catalogue users read is the suite's: ids unique and stable in form, every spec name
// real, and the README's table written from the checks themselves.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  CATALOGUE_END,
  CATALOGUE_START,
  catalogueMarkdown,
} from '../src/conformance/catalogue-markdown.ts';
import { conformanceChecks, createSpecValidator } from '../src/conformance/index.ts';

const validator = createSpecValidator();
const checks = conformanceChecks(validator);

describe('the check catalogue', () => {
  it('has unique ids of the form group.name', () => {
    const ids = checks.map((check) => check.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[a-z-]+\.[a-z0-9-]+$/);
  });

  it('names only schemas the spec has', () => {
    const missing = checks.flatMap((check) => check.spec.filter((name) => !validator.has(name)));
    expect(missing).toEqual([]);
  });

  it('holds at least twenty invalid client events', () => {
    expect(checks.filter((check) => check.id.startsWith('error.')).length).toBeGreaterThanOrEqual(
      20,
    );
  });

  it('is in the README as the suite writes it (pnpm --filter @rtwire/cli catalogue)', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const start = readme.indexOf(CATALOGUE_START);
    const end = readme.indexOf(CATALOGUE_END);
    expect(start).toBeGreaterThan(0);
    expect(readme.slice(start, end + CATALOGUE_END.length)).toBe(catalogueMarkdown(checks));
  });
});
