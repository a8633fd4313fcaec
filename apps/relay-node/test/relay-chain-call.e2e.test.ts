import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createWrtcStack } from '@rtwire/node';
import type { CallEnd } from '@rtwire/relay';
import type { Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { lookupOrderTool } from '../../../test-support/policy-scenarios.ts';
import { specErrors } from '../../../test-support/spec-validator.ts';
import { startToolServer, type ToolServer } from '../../../test-support/tool-server.ts';
import { agentsPage } from './agents-page.ts';
import { chromiumRunnable, launchChromium } from './chromium.ts';
import { fakeMicrophone, speechWav } from './fake-microphone.ts';
import { startRelay, stopAll } from './helpers.ts';

const runnable = chromiumRunnable('the relay chain call test');

// Relay A in front of relay B: B terminates WebRTC on its simulator, A forwards the browser's
// call to B with B's token, attaches its sideband to B's call and runs its policy there. The
// page, on an origin of its own, gets a client secret minted by A and calls with
// agents-realtime's WebRTC transport (the SDK's own code, bundled by the test).

let pageServer: Server | undefined;
let tools: ToolServer | undefined;
afterEach(async () => {
  await stopAll();
  await tools?.close();
  pageServer?.closeAllConnections();
  await new Promise((resolve) => pageServer?.close(resolve));
});

type Event = { type: string; [key: string]: unknown };
const eventsOf = (page: Page) =>
  page.evaluate(() => (window as unknown as { events: Event[] }).events);

async function until<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  what: string,
): Promise<T> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`waited 30 s for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe.runIf(runnable)('a call through relay A to relay B (WebRTC on its simulator)', () => {
  it("agents-realtime calls through A with A's client secret: policed through A's sideband, hung up through A, a closed page told to A's call-end hook", async () => {
    tools = await startToolServer();
    // B ends a call whose caller has sent nothing for 1.5 s (its default is 5 s): the page's
    // microphone streams without a pause, so a closed page is noticed that fast.
    const b = await startRelay(
      { SIM_PACE: 'realtime', RELAY_TOKENS: 'b-token' },
      undefined,
      await createWrtcStack({ vanishedAfterMs: 1_500 }),
    );
    const ended: CallEnd[] = [];
    const a = await startRelay(
      {
        UPSTREAM_URL: b.wsUrl,
        OPENAI_API_KEY: 'b-token',
        RELAY_TOKENS: 'acme:acme-token',
        RELAY_POLICY: JSON.stringify({
          tenants: {
            acme: {
              instructions: 'You are the Acme line.',
              serverTools: [{ ...lookupOrderTool(tools.url), visibility: 'visible' }],
            },
          },
        }),
      },
      undefined,
      undefined,
      { onCallEnd: (call) => ended.push(call) },
    );
    const clientSecret = async () => {
      const minted = await fetch(`${a.url}/v1/realtime/client_secrets`, {
        method: 'POST',
        headers: { authorization: 'Bearer acme-token', 'content-type': 'application/json' },
        body: JSON.stringify({ session: { type: 'realtime', output_modalities: ['audio'] } }),
      });
      expect(minted.status).toBe(200);
      return ((await minted.json()) as { value: string }).value;
    };

    pageServer = createServer((_request, response) => {
      void agentsPage().then((html) =>
        response.writeHead(200, { 'content-type': 'text/html' }).end(html),
      );
    });
    await new Promise<void>((resolve) => pageServer?.listen(0, '127.0.0.1', resolve));
    // A quiet microphone: it streams, but server VAD hears no speech in it.
    const { browser, cleanup } = await launchChromium([
      '--use-fake-ui-for-media-stream',
      ...fakeMicrophone(speechWav(0, 1000)),
    ]);
    try {
      const page = await browser.newPage();
      await page.goto(`http://127.0.0.1:${(pageServer.address() as AddressInfo).port}/`);
      // The SDK asks for other instructions in the session.update it sends on connect.
      const connect = async (key: string) =>
        page.evaluate(
          ([relay, secret]) =>
            (
              window as unknown as {
                connectTransport(r: string, k: string, i: string): Promise<string>;
              }
            ).connectTransport(relay as string, secret as string, 'Talk like a pirate.'),
          [a.url, key],
        );
      const callId = await connect(await clientSecret());
      expect(callId).toMatch(/^rtc_/);
      // One call on each relay: B's is the browser's media, A's its sideband session.
      expect(a.activeSessions).toBe(1);
      expect(b.activeSessions).toBe(1);

      // The locked instructions reached B's session: B applies the offer's session first (its
      // first session.updated), and reports it on the page's channel too (what the relay cannot
      // hide on a call, see the README). The SDK's change is set back by A's sideband, with
      // A's server tool declared again.
      const instructionsOf = (event: Event) =>
        (event.session as { instructions?: string }).instructions;
      const relocked = await until(
        () => eventsOf(page),
        (events) => {
          const updates = events.filter((e) => e.type === 'session.updated');
          const pirate = updates.findIndex((e) => instructionsOf(e) === 'Talk like a pirate.');
          const last = updates.at(-1);
          return (
            pirate >= 0 && last !== undefined && instructionsOf(last) === 'You are the Acme line.'
          );
        },
        'the instructions to be set back',
      );
      const updates = relocked.filter((e) => e.type === 'session.updated');
      expect(instructionsOf(updates[0] as Event)).toBe('You are the Acme line.');
      const lastUpdate = updates.at(-1) as Event;
      expect(
        ((lastUpdate.session as { tools?: { name: string }[] }).tools ?? []).map((t) => t.name),
      ).toContain('lookup_order');

      // A's server tool runs once, through A's sideband, and the reply uses its output.
      await page.evaluate(() =>
        (
          window as unknown as { transport: { sendMessage(text: string, extra: object): void } }
        ).transport.sendMessage('please lookup_order A-17', {}),
      );
      const events = await until(
        () => eventsOf(page),
        (all) =>
          all.some(
            (e) =>
              e.type === 'response.output_audio_transcript.done' &&
              String(e.transcript).includes('The tool returned'),
          ),
        'the reply made from the tool output',
      );
      expect(tools.requests).toHaveLength(1);
      const peak = await page.evaluate(() => (window as unknown as { peak: number }).peak);
      expect(peak).toBeGreaterThan(0.01);
      expect(events.flatMap((event) => specErrors(event) ?? [])).toEqual([]);
      expect(events.filter((event) => event.type === 'error')).toEqual([]);

      // A hangup through A ends B's call, and A's hook says so.
      const hangup = await fetch(`${a.url}/v1/realtime/calls/${callId}/hangup`, {
        method: 'POST',
        headers: { authorization: 'Bearer acme-token' },
      });
      expect(hangup.status).toBe(200);
      await until(
        async () => b.activeSessions + a.activeSessions,
        (n) => n === 0,
        'both calls to end',
      );
      await until(
        async () => ended.length,
        (n) => n === 1,
        "A's call-end hook",
      );
      expect(ended[0]).toMatchObject({ callId, tenant: 'acme', reason: 'hangup', code: 1000 });

      // A second call, whose page is closed: B notices the caller gone and closes A's
      // sideband, and A's hook is told.
      const second = await connect(await clientSecret());
      expect(a.activeSessions).toBe(1);
      expect(b.activeSessions).toBe(1);
      const closedAt = Date.now();
      await page.close();
      await until(
        async () => ended.length,
        (n) => n === 2,
        "A's call-end hook for the closed page",
      );
      // The figure is reported, never asserted (a busy machine delays it).
      console.log(
        `a closed page's call was reported by A's call-end hook after ${Date.now() - closedAt} ms (B's vanishedAfterMs 1500)`,
      );
      expect(ended[1]).toMatchObject({ callId: second, tenant: 'acme', reason: 'upstream_ended' });
      expect(b.activeSessions + a.activeSessions).toBe(0);
    } finally {
      await browser.close();
      cleanup();
    }
  });
});
