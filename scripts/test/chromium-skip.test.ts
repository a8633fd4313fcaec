import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../lib/workspace.mjs';

const appDir = join(repoRoot, 'apps', 'relay-node');
const e2e = 'test/demo-page.e2e.test.ts';
/** The browser the browser tests look for when `CHROMIUM_PATH` is unset (one launcher for all). */
const defaultChromium = /process\.env\.CHROMIUM_PATH \|\| '([^']+)'/.exec(
  readFileSync(join(appDir, 'test', 'chromium.ts'), 'utf8'),
)?.[1];

describe('the console test in Chromium, without a browser', () => {
  it('is skipped with a line saying so, outside CI', () => {
    const missing = join(repoRoot, 'no-such-chromium');
    const { CI: _ci, ...env } = process.env;
    const result = spawnSync(
      process.execPath,
      [join(repoRoot, 'node_modules/vitest/vitest.mjs'), 'run', e2e],
      {
        cwd: appDir,
        env: { ...env, CHROMIUM_PATH: missing },
        encoding: 'utf8',
        timeout: 60_000,
      },
    );
    const output = `${result.stdout}${result.stderr}`;
    expect(result.status, output).toBe(0);
    expect(output).toContain(
      `skipped: the console tests in headless Chromium (no browser at ${missing}; install chromium, or set CHROMIUM_PATH)`,
    );
  });

  it('is what the quick start and CONTRIBUTING say', () => {
    expect(defaultChromium).toBeDefined();
    const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
    const start = readme.indexOf('## Quick start');
    const quickStart = readme.slice(start, readme.indexOf('\n## ', start));
    for (const text of [quickStart, readFileSync(join(repoRoot, 'CONTRIBUTING.md'), 'utf8')]) {
      expect(text).toContain(`Chromium at \`${defaultChromium}\``);
      expect(text).toContain('`CHROMIUM_PATH`');
      expect(text).toContain('skipped with a line saying so');
    }
  });
});
