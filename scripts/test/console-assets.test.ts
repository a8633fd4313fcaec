import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { consoleAssetsModule } from '../embed-console.mjs';

describe('the embedded console', () => {
  it('is what scripts/embed-console.mjs makes of packages/relay/console/ (run it after an edit)', () => {
    const written = readFileSync(
      fileURLToPath(
        new URL('../../packages/relay/src/host/generated/console-assets.ts', import.meta.url),
      ),
      'utf8',
    );
    expect(written).toBe(consoleAssetsModule());
  });
});
