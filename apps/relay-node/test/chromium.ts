import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';

/** Debian's Chromium, or the one `CHROMIUM_PATH` names. */
export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

/**
 * Whether the browser tests run: in CI a missing browser is a failure, not a skip; locally they
 * are skipped without one, and say so (a silent skip reads as a pass).
 */
export function chromiumRunnable(what: string): boolean {
  const runnable = existsSync(CHROMIUM) || process.env.CI === 'true';
  if (!runnable) {
    console.warn(
      `skipped: ${what} in headless Chromium (no browser at ${CHROMIUM}; install chromium, or set CHROMIUM_PATH)`,
    );
  }
  return runnable;
}

/**
 * Headless Chromium on a fresh profile (launchPersistentContext is how Playwright takes
 * `--user-data-dir`), with `extraArgs` (a fake microphone, say) beside the quiet defaults.
 * `cleanup` removes the profile once the browser is closed.
 */
export async function launchChromium(
  extraArgs: string[] = [],
): Promise<{ browser: BrowserContext; cleanup(): void }> {
  const profile = mkdtempSync(join(tmpdir(), 'rtwire-chromium-'));
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--autoplay-policy=no-user-gesture-required',
      ...extraArgs,
    ],
  });
  return { browser, cleanup: () => rmSync(profile, { recursive: true, force: true }) };
}
