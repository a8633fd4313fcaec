import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createWrtcStack } from '@rtwire/node';
import type { Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { lookupOrderTool } from '../../../test-support/policy-scenarios.ts';
import { startToolServer } from '../../../test-support/tool-server.ts';
import { chromiumRunnable, launchChromium } from './chromium.ts';
import { fakeMicrophone, speechWav } from './fake-microphone.ts';
import { startFakeUpstream, startRelay, stopAll } from './helpers.ts';
import { answerWithText } from './scripted-upstream.ts';

const runnable = chromiumRunnable('the console tests');
/** Where the screenshots go, to be looked at (gitignored). */
const SHOTS = fileURLToPath(new URL('../.screenshots/', import.meta.url));

afterEach(stopAll);

/** Every frame the page's WebSocket sent and received; binary ones by length only. */
function recordFrames(page: Page) {
  const received: string[] = [];
  const sent: string[] = [];
  const binary: number[] = [];
  // Playwright hands a text frame's payload over as a string, a binary one's as a Buffer.
  page.on('websocket', (socket) => {
    socket.on('framereceived', (frame) => {
      if (typeof frame.payload === 'string') received.push(frame.payload);
      else binary.push(frame.payload.length);
    });
    socket.on('framesent', (frame) => {
      if (typeof frame.payload === 'string') sent.push(frame.payload);
      else binary.push(frame.payload.length);
    });
  });
  const typesSent = () => sent.map((frame) => (JSON.parse(frame) as { type: string }).type);
  return { received, sent, binary, typesSent };
}

const upstreams = {
  simulator: async () => ({}),
  'UPSTREAM_URL (scripted)': async () => ({
    UPSTREAM_URL: (await startFakeUpstream((socket) => answerWithText(socket))).url,
  }),
};

describe.runIf(runnable).each(Object.entries(upstreams))(
  'the console in headless Chromium on %s',
  (name, upstreamEnv) => {
    it('connects with a token, sends text, shows the streamed reply and logs every event', async () => {
      const relay = await startRelay({ ...(await upstreamEnv()), RELAY_TOKENS: 'demo-token' });
      const { browser, cleanup } = await launchChromium();
      try {
        const page = await browser.newPage();
        const violations: string[] = [];
        page.on('console', (message) => {
          if (/Content Security Policy|Refused to/.test(message.text()))
            violations.push(message.text());
        });
        const frames = recordFrames(page);
        const answer = await page.goto(`${relay.url}/`);
        expect(answer?.headers()['content-security-policy']).toContain("script-src 'self'");
        await page.fill('#token', 'demo-token');
        await page.selectOption('#modality', 'text');
        await page.click('#connect');
        await page.waitForSelector('#text:not([disabled])', { timeout: 10_000 });
        await page.fill('#text', 'Hello there');
        await page.press('#text', 'Enter');
        await page.waitForFunction(
          () =>
            document.querySelectorAll('#transcript .assistant').length > 0 &&
            document.getElementById('status')?.textContent === 'connected' &&
            (document.querySelector('#transcript .assistant .text')?.textContent?.length ?? 0) > 0,
          undefined,
          { timeout: 10_000 },
        );
        expect(await page.textContent('#transcript .user')).toContain('Hello there');
        expect(await page.locator('#transcript .error').count()).toBe(0);
        // The event log: newest first, both directions, filterable, JSON on demand.
        const logged = await page.locator('#event-log summary').allTextContents();
        expect(logged[0]).toContain('response.done');
        expect(
          logged.some((line) => line.includes('↑') && line.includes('conversation.item.create')),
        ).toBe(true);
        await page.fill('#filter', 'response.done');
        expect(await page.locator('#event-log li').count()).toBe(1);
        await page.click('#event-log summary');
        expect(await page.textContent('#event-log pre')).toContain('"status": "completed"');
        await page.fill('#filter', '');
        // Every frame a text frame, the reply in several deltas, nothing the CSP refused.
        expect(frames.received.filter((frame) => frame.includes('.delta"')).length).toBeGreaterThan(
          1,
        );
        expect(frames.binary).toEqual([]);
        expect(violations).toEqual([]);
        mkdirSync(SHOTS, { recursive: true });
        await page.setViewportSize({ width: 1280, height: 800 });
        await page.screenshot({ path: join(SHOTS, `console-text-${name.split(' ')[0]}.png`) });
        // The icon exists now (it was a 404).
        const icon = await page.request.get(`${relay.url}/favicon.ico`);
        expect(icon.status()).toBe(200);
      } finally {
        await browser.close();
        cleanup();
      }
    });
  },
);

describe.runIf(runnable)('the console talking through a fake microphone (simulator)', () => {
  it('speak → VAD → a spoken reply is played; speaking over it truncates at what was heard', async () => {
    const relay = await startRelay({ SIM_PACE: 'realtime' });
    const { browser, cleanup } = await launchChromium(fakeMicrophone(speechWav(700, 1600)));
    try {
      const page = await browser.newPage();
      await page.setViewportSize({ width: 390, height: 844 });
      const frames = recordFrames(page);
      await page.goto(`${relay.url}/`);
      await page.click('#connect');
      await page.waitForSelector('#mic:not([disabled])', { timeout: 10_000 });
      await page.click('#mic');
      // The reply's samples reach the output node (counted by the player worklet as it plays).
      await page.waitForFunction(
        () =>
          (window as unknown as { rtwireConsole: { playedSamples: number } }).rtwireConsole
            .playedSamples > 4800,
        undefined,
        { timeout: 20_000 },
      );
      // The loop speaks again over the reply: the page stops it and truncates at what it played.
      await page.waitForFunction(
        () =>
          (window as unknown as { rtwireConsole: { truncates: unknown[] } }).rtwireConsole.truncates
            .length > 0,
        undefined,
        { timeout: 20_000 },
      );
      const stats = await page.evaluate(
        () =>
          (
            window as unknown as {
              rtwireConsole: {
                truncates: { itemId: string; audioEndMs: number; receivedMs: number }[];
              };
            }
          ).rtwireConsole,
      );
      const [truncate] = stats.truncates;
      expect(truncate?.audioEndMs).toBeGreaterThan(0);
      expect(truncate?.audioEndMs).toBeLessThanOrEqual(truncate?.receivedMs ?? 0);
      const sentTruncate = frames.sent
        .map(
          (frame) => JSON.parse(frame) as { type: string; item_id?: string; audio_end_ms?: number },
        )
        .find((event) => event.type === 'conversation.item.truncate');
      expect(sentTruncate).toMatchObject({
        item_id: truncate?.itemId,
        audio_end_ms: truncate?.audioEndMs,
      });
      expect(frames.typesSent()).toContain('input_audio_buffer.append');
      // The event log shows the turn.
      const logged = (await page.locator('#event-log summary').allTextContents()).join('\n');
      for (const type of [
        'input_audio_buffer.speech_started',
        'input_audio_buffer.committed',
        'response.output_audio.delta',
        'conversation.item.truncate',
      ]) {
        expect(logged).toContain(type);
      }
      expect(await page.locator('#transcript .assistant').count()).toBeGreaterThan(0);
      expect(frames.binary).toEqual([]);
      // Audio in the log is its length, never its bytes.
      await page.click('#event-log li summary:has-text("response.output_audio.delta")');
      const shown = await page.textContent('#event-log details[open] pre');
      expect(shown).toMatch(/"delta": "<audio: \d+ bytes>"/);
      await page.click('#event-log details[open] summary');
      mkdirSync(SHOTS, { recursive: true });
      await page.screenshot({ path: join(SHOTS, 'console-voice-phone.png'), fullPage: true });
      await page.click('#event-log li summary:has-text("conversation.item.truncate")');
      await page.setViewportSize({ width: 1280, height: 900 });
      await page.screenshot({ path: join(SHOTS, 'console-voice-desktop.png') });
    } finally {
      await browser.close();
      cleanup();
    }
  });
});

describe.runIf(runnable)('the console with push to talk (simulator)', () => {
  it('sends audio only while the button is held, and commits and asks for a reply on release', async () => {
    const relay = await startRelay({ SIM_PACE: 'fast' });
    const { browser, cleanup } = await launchChromium(fakeMicrophone(speechWav(700, 300)));
    try {
      const page = await browser.newPage();
      const frames = recordFrames(page);
      await page.goto(`${relay.url}/`);
      await page.selectOption('#turns', 'push_to_talk');
      await page.selectOption('#modality', 'text');
      await page.click('#connect');
      await page.waitForSelector('#mic:not([disabled])', { timeout: 10_000 });
      await page.click('#mic');
      await page.waitForSelector('#talk:not([hidden])');
      // Not held: nothing is sent.
      await page.waitForTimeout(400);
      expect(frames.typesSent()).not.toContain('input_audio_buffer.append');
      // Held from the keyboard, as a button must be usable.
      await page.focus('#talk');
      await page.keyboard.down('Space');
      await page.waitForFunction(() => document.getElementById('talk')?.classList.contains('held'));
      await page.waitForTimeout(600);
      await page.keyboard.up('Space');
      await page.waitForFunction(
        () =>
          (document.querySelector('#transcript .assistant .text')?.textContent ?? '').includes(
            'ms of audio',
          ),
        undefined,
        { timeout: 10_000 },
      );
      const sent = frames.typesSent();
      const released = sent.lastIndexOf('input_audio_buffer.commit');
      expect(sent).toContain('input_audio_buffer.append');
      expect(released).toBeGreaterThan(sent.lastIndexOf('input_audio_buffer.append'));
      expect(sent[released + 1]).toBe('response.create');
      // The session was told there is no turn detection.
      const update = frames.sent
        .map(
          (frame) =>
            JSON.parse(frame) as {
              type: string;
              session?: { audio?: { input?: { turn_detection?: unknown } } };
            },
        )
        .find((event) => event.type === 'session.update');
      expect(update?.session?.audio?.input?.turn_detection).toBeNull();
    } finally {
      await browser.close();
      cleanup();
    }
  });
});

describe.runIf(runnable)('the console and server tools (simulator)', () => {
  it('shows a server tool call and its result when the policy makes them visible', async () => {
    const tools = await startToolServer();
    const policy = {
      default: {
        serverTools: [{ ...lookupOrderTool(tools.url), visibility: 'visible' }],
      },
    };
    const relay = await startRelay({ RELAY_POLICY: JSON.stringify(policy) });
    const { browser, cleanup } = await launchChromium();
    try {
      const page = await browser.newPage();
      await page.goto(`${relay.url}/`);
      await page.selectOption('#modality', 'text');
      await page.click('#connect');
      await page.waitForSelector('#text:not([disabled])', { timeout: 10_000 });
      await page.fill('#text', 'please lookup_order A-17');
      await page.press('#text', 'Enter');
      await page.waitForFunction(
        () =>
          [...document.querySelectorAll('#transcript .assistant .text')].some((node) =>
            node.textContent?.includes('The tool returned'),
          ),
        undefined,
        { timeout: 10_000 },
      );
      const toolLines = await page.locator('#transcript .tool').allTextContents();
      expect(
        toolLines.some((line) => line.includes('tool call') && line.includes('lookup_order(')),
      ).toBe(true);
      expect(
        toolLines.some((line) => line.includes('tool result') && line.includes('shipped')),
      ).toBe(true);
      expect(tools.requests).toHaveLength(1);
      mkdirSync(SHOTS, { recursive: true });
      await page.screenshot({ path: join(SHOTS, 'console-server-tool.png') });
    } finally {
      await browser.close();
      cleanup();
      await tools.close();
    }
  });
});

describe.runIf(runnable)('the console over WebRTC (simulator, calls on)', () => {
  it('calls the relay, is heard and answered by voice and text, is cut by a barge-in, and hangs up', async () => {
    const relay = await startRelay(
      { SIM_PACE: 'realtime', RELAY_TOKENS: 'demo-token' },
      undefined,
      await createWrtcStack(),
    );
    // 700 ms of voice, 1.6 s of quiet, looped: a turn, then speech over the reply.
    const { browser, cleanup } = await launchChromium(fakeMicrophone(speechWav(700, 1600)));
    try {
      const page = await browser.newPage();
      const frames = recordFrames(page);
      const calls: { status: number; authorization: string | undefined }[] = [];
      page.on('response', (response) => {
        if (new URL(response.url()).pathname === '/v1/realtime/calls') {
          calls.push({
            status: response.status(),
            authorization: response.request().headers().authorization,
          });
        }
      });
      await page.goto(`${relay.url}/`);
      await page.fill('#token', 'demo-token');
      await page.selectOption('#transport', 'webrtc');
      await page.click('#connect');
      await page.waitForSelector('#mic:not([disabled])', { timeout: 10_000 });
      expect(await page.isDisabled('#transport')).toBe(true);
      expect(calls).toEqual([{ status: 201, authorization: 'Bearer demo-token' }]);
      expect(relay.activeSessions).toBe(1);
      // A typed turn: the reply's transcript shows, its audio plays on the track.
      await page.fill('#text', 'Hello over WebRTC');
      await page.press('#text', 'Enter');
      await page.waitForFunction(
        () => (document.querySelector('#transcript .assistant .text')?.textContent ?? '') !== '',
        undefined,
        { timeout: 15_000 },
      );
      await page.waitForFunction(
        () =>
          (window as unknown as { rtwireConsole: { heardPeak: number } }).rtwireConsole.heardPeak >
          0.01,
        undefined,
        { timeout: 15_000 },
      );
      // Then the microphone: server VAD hears the turn, and the next speech cuts the reply.
      await page.click('#mic');
      const expected = [
        'session.updated',
        'input_audio_buffer.speech_started',
        'input_audio_buffer.committed',
        'output_audio_buffer.started',
        'output_audio_buffer.cleared',
        'conversation.item.truncated',
      ];
      const logged = async () =>
        (await page.locator('#event-log summary').allTextContents()).join('\n');
      const deadline = Date.now() + 30_000;
      let lines = await logged();
      while (!expected.every((type) => lines.includes(type))) {
        if (Date.now() > deadline)
          throw new Error(`missing events; saw ${lines.replaceAll('\n', ', ')}`);
        await page.waitForTimeout(200);
        lines = await logged();
      }
      // Audio went on the tracks, never as events; and the page opened no WebSocket.
      expect(lines).not.toContain('response.output_audio.delta');
      expect(lines).not.toContain('input_audio_buffer.append');
      expect(frames.received).toEqual([]);
      expect(await page.locator('#transcript .error').count()).toBe(0);
      mkdirSync(SHOTS, { recursive: true });
      await page.setViewportSize({ width: 1280, height: 900 });
      await page.screenshot({ path: join(SHOTS, 'console-webrtc-desktop.png') });
      await page.setViewportSize({ width: 390, height: 844 });
      await page.screenshot({ path: join(SHOTS, 'console-webrtc-phone.png'), fullPage: true });
      // Disconnect hangs up: the relay's session ends without waiting for ICE to time out.
      await page.click('#disconnect');
      await page.waitForFunction(() =>
        document.getElementById('status')?.textContent?.startsWith('disconnected'),
      );
      const hungUp = Date.now();
      while (relay.activeSessions > 0 && Date.now() - hungUp < 5_000) {
        await page.waitForTimeout(50);
      }
      expect(relay.activeSessions).toBe(0);
      expect(await page.isDisabled('#transport')).toBe(false);
    } finally {
      await browser.close();
      cleanup();
    }
  });

  it('says so when the relay serves no calls', async () => {
    const relay = await startRelay();
    const { browser, cleanup } = await launchChromium();
    try {
      const page = await browser.newPage();
      await page.goto(`${relay.url}/`);
      await page.selectOption('#transport', 'webrtc');
      await page.click('#connect');
      await page.waitForSelector('#transcript .error');
      expect(await page.textContent('#transcript .error')).toContain(
        'this relay does not serve WebRTC calls',
      );
      expect(await page.textContent('#status')).toContain('disconnected');
      expect(await page.isDisabled('#connect')).toBe(false);
    } finally {
      await browser.close();
      cleanup();
    }
  });
});
