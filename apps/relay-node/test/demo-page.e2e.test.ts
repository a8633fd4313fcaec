import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeUpstream, startRelay, stopAll } from './helpers.ts';
import { answerWithText } from './scripted-upstream.ts';

const CHROMIUM = '/usr/bin/chromium';
// In CI a missing browser is a failure, not a skip; locally the test is skipped without one.
const runnable = existsSync(CHROMIUM) || process.env.CI === 'true';

afterEach(stopAll);

const upstreams = {
  simulator: async () => ({}),
  'UPSTREAM_URL (scripted)': async () => ({
    UPSTREAM_URL: (await startFakeUpstream((socket) => answerWithText(socket))).url,
  }),
};

describe.runIf(runnable).each(Object.entries(upstreams))(
  'demo page in headless Chromium on %s',
  (_name, upstreamEnv) => {
    it('connects with a token, sends text and shows the streamed reply', async () => {
      const relay = await startRelay({ ...(await upstreamEnv()), RELAY_TOKENS: 'demo-token' });
      const profile = mkdtempSync(join(tmpdir(), 'rtwire-chromium-'));
      // A fresh profile per run: launchPersistentContext is how Playwright takes --user-data-dir.
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
        ],
      });
      try {
        const page = await browser.newPage();
        const frames: string[] = [];
        const binaryFrames: number[] = [];
        // Playwright hands a text frame's payload over as a string, a binary one's as a Buffer.
        page.on('websocket', (socket) =>
          socket.on('framereceived', (frame) => {
            if (typeof frame.payload === 'string') frames.push(frame.payload);
            else binaryFrames.push(frame.payload.length);
          }),
        );
        await page.goto(`${relay.url}/`);
        await page.fill('#token', 'demo-token');
        await page.click('#connect');
        await page.waitForSelector('#text:not([disabled])', { timeout: 10_000 });
        await page.fill('#text', 'Hello there');
        await page.click('#send');
        await page.waitForFunction(
          () => document.querySelector('.assistant')?.textContent?.length,
          undefined,
          { timeout: 10_000 },
        );
        await page.waitForFunction(
          () => document.getElementById('status')?.textContent === 'ready',
          undefined,
          { timeout: 10_000 },
        );
        const reply = await page.textContent('.assistant');
        expect(reply?.length).toBeGreaterThan(0);
        expect(await page.textContent('#log')).toContain('> Hello there');
        expect(await page.locator('.error').count()).toBe(0);
        // The reply arrived as several deltas, shown as they came, every frame a text frame
        // (the engine hands over UTF-8 bytes; a binary frame would reach the page as a Blob).
        expect(frames.filter((frame) => frame.includes('.delta"')).length).toBeGreaterThan(1);
        expect(binaryFrames).toEqual([]);
      } finally {
        await browser.close();
        rmSync(profile, { recursive: true, force: true });
      }
    });
  },
);
