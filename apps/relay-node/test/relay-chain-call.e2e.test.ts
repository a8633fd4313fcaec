import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createWrtcStack } from '@rtwire/node';
import type { Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { lookupOrderTool } from '../../../test-support/policy-scenarios.ts';
import { specErrors } from '../../../test-support/spec-validator.ts';
import { startToolServer, type ToolServer } from '../../../test-support/tool-server.ts';
import { chromiumRunnable, launchChromium } from './chromium.ts';
import { startRelay, stopAll } from './helpers.ts';

const runnable = chromiumRunnable('the relay chain call test');

// Relay A in front of relay B: B terminates WebRTC on its simulator, A forwards the browser's
// call to B with B's token, attaches its sideband to B's call and runs its policy there. The
// page, on an origin of its own, gets a client secret minted by A.
const PAGE = `<!doctype html><meta charset="utf-8"><title>chain</title><script>
window.events = [];
window.peak = 0;
window.call = async (relay, key) => {
  const pc = new RTCPeerConnection();
  const dc = pc.createDataChannel('oai-events');
  dc.onmessage = (e) => window.events.push(JSON.parse(e.data));
  pc.addTransceiver('audio', { direction: 'sendrecv' });
  pc.ontrack = (e) => {
    const stream = new MediaStream([e.track]);
    const element = new Audio();
    element.srcObject = stream;
    element.muted = true;
    element.play();
    const context = new AudioContext();
    const analyser = context.createAnalyser();
    context.createMediaStreamSource(stream).connect(analyser);
    const samples = new Float32Array(analyser.fftSize);
    setInterval(() => {
      analyser.getFloatTimeDomainData(samples);
      for (const v of samples) window.peak = Math.max(window.peak, Math.abs(v));
    }, 20);
  };
  await pc.setLocalDescription(await pc.createOffer());
  const response = await fetch(relay + '/v1/realtime/calls', {
    method: 'POST',
    body: pc.localDescription.sdp,
    headers: { 'content-type': 'application/sdp', authorization: 'Bearer ' + key },
  });
  if (response.status !== 201) return { status: response.status, body: await response.text() };
  await pc.setRemoteDescription({ type: 'answer', sdp: await response.text() });
  await new Promise((resolve) => (dc.readyState === 'open' ? resolve() : (dc.onopen = resolve)));
  dc.onclose = () => (window.ended = true);
  window.dc = dc;
  return { status: response.status, location: response.headers.get('location') };
};
window.send = (event) => window.dc.send(JSON.stringify(event));
</script>`;

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
  it('is forwarded with a client secret, policed through A’s sideband, and hung up through A', async () => {
    tools = await startToolServer();
    const b = await startRelay(
      { SIM_PACE: 'realtime', RELAY_TOKENS: 'b-token' },
      undefined,
      await createWrtcStack(),
    );
    const a = await startRelay({
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
    });
    const minted = await fetch(`${a.url}/v1/realtime/client_secrets`, {
      method: 'POST',
      headers: { authorization: 'Bearer acme-token', 'content-type': 'application/json' },
      body: JSON.stringify({ session: { type: 'realtime', output_modalities: ['audio'] } }),
    });
    const { value } = (await minted.json()) as { value: string };

    pageServer = createServer((_request, response) =>
      response.writeHead(200, { 'content-type': 'text/html' }).end(PAGE),
    );
    await new Promise<void>((resolve) => pageServer?.listen(0, '127.0.0.1', resolve));
    const { browser, cleanup } = await launchChromium(['--use-fake-ui-for-media-stream']);
    try {
      const page = await browser.newPage();
      await page.goto(`http://127.0.0.1:${(pageServer.address() as AddressInfo).port}/`);
      const call = await page.evaluate(
        ([relay, key]) =>
          (
            window as unknown as {
              call(r: string, k: string): Promise<{ status: number; location?: string }>;
            }
          ).call(relay as string, key as string),
        [a.url, value],
      );
      expect(call.status).toBe(201);
      // One call on each relay: B's is the browser's media, A's its sideband session.
      expect(a.activeSessions).toBe(1);
      expect(b.activeSessions).toBe(1);

      // The browser changes the instructions over its channel: A's sideband sets them back.
      await page.evaluate(() =>
        (window as unknown as { send(e: object): void }).send({
          type: 'session.update',
          session: { type: 'realtime', instructions: 'Talk like a pirate.' },
        }),
      );
      const relocked = await until(
        () => eventsOf(page),
        (events) =>
          events.some(
            (e) =>
              e.type === 'session.updated' &&
              (e.session as { instructions?: string }).instructions === 'You are the Acme line.',
          ) &&
          events.findLastIndex(
            (e) =>
              e.type === 'session.updated' &&
              (e.session as { instructions?: string }).instructions === 'You are the Acme line.',
          ) >
            events.findIndex(
              (e) =>
                e.type === 'session.updated' &&
                (e.session as { instructions?: string }).instructions === 'Talk like a pirate.',
            ),
        'the instructions to be set back',
      );
      expect(relocked.some((e) => e.type === 'session.updated')).toBe(true);

      // A's server tool runs once, through A's sideband, and the reply uses its output.
      await page.evaluate(() => {
        const send = (window as unknown as { send(e: object): void }).send;
        send({
          type: 'conversation.item.create',
          item: {
            type: 'message',
            role: 'user',
            content: [{ type: 'input_text', text: 'please lookup_order A-17' }],
          },
        });
        send({ type: 'response.create' });
      });
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

      // Hangup through A ends B's call, and the browser's channel closes.
      const callId = (call.location ?? '').split('/').at(-1);
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
        () => page.evaluate(() => (window as unknown as { ended?: boolean }).ended === true),
        (closed) => closed,
        'the data channel to close',
      );
    } finally {
      await browser.close();
      cleanup();
    }
  });
});
