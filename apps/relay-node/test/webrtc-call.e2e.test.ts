import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createWrtcStack, type MountedRelay, mountRelay } from '@rtwire/node';
import type { BrowserContext, Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { playbackOrderErrors, protocolOrderErrors } from '../../../test-support/protocol-order.ts';
import { specErrors, translationSpecErrors } from '../../../test-support/spec-validator.ts';
import { agentsPage } from './agents-page.ts';
import { chromiumRunnable, launchChromium } from './chromium.ts';
import { fakeMicrophone, speechWav } from './fake-microphone.ts';

const runnable = chromiumRunnable('the WebRTC call tests');

/**
 * The browser side of a call, as OpenAI's WebRTC guide writes it: a data channel named
 * `oai-events`, the microphone's track, the offer posted as `application/sdp`, the answer set.
 * It keeps every event, and the loudest sample of the reply track at an AnalyserNode.
 */
const CALL_PAGE = `<!doctype html><meta charset="utf-8"><title>call</title><script>
window.events = [];
window.peak = 0;
window.call = async (path = '/v1/realtime/calls') => {
  const pc = new RTCPeerConnection();
  const dc = pc.createDataChannel('oai-events');
  dc.onmessage = (e) => window.events.push(JSON.parse(e.data));
  const mic = await navigator.mediaDevices.getUserMedia({ audio: true });
  pc.addTrack(mic.getAudioTracks()[0], mic);
  pc.ontrack = (e) => {
    const stream = new MediaStream([e.track]);
    // Chromium feeds a remote track to Web Audio only while a media element plays it.
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
  const started = performance.now();
  const response = await fetch(path, {
    method: 'POST',
    body: pc.localDescription.sdp,
    headers: { 'content-type': 'application/sdp' },
  });
  const location = response.headers.get('location');
  await pc.setRemoteDescription({ type: 'answer', sdp: await response.text() });
  await new Promise((resolve) => (dc.readyState === 'open' ? resolve() : (dc.onopen = resolve)));
  window.dc = dc;
  window.pc = pc;
  return { status: response.status, location, openMs: performance.now() - started };
};
window.send = (event) => window.dc.send(JSON.stringify(event));
</script>`;

let server: Server | undefined;
let relay: MountedRelay | undefined;
let browser: { browser: BrowserContext; cleanup(): void } | undefined;
afterEach(async () => {
  await browser?.browser.close();
  browser?.cleanup();
  await relay?.close();
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  browser = undefined;
});

async function start(
  microphone: string[] = ['--use-fake-device-for-media-stream'],
): Promise<{ page: Page; relay: MountedRelay; base: string }> {
  server = createServer((request, response) => {
    if (request.url === '/call.html') {
      response.writeHead(200, { 'content-type': 'text/html' }).end(CALL_PAGE);
      return;
    }
    if (request.url === '/agents.html') {
      void agentsPage().then((html) =>
        response.writeHead(200, { 'content-type': 'text/html' }).end(html),
      );
      return;
    }
    relay?.respond(request, response);
  });
  const mounted = mountRelay(server, { calls: await createWrtcStack() });
  relay = mounted;
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  browser = await launchChromium(['--use-fake-ui-for-media-stream', ...microphone]);
  const page = await browser.browser.newPage();
  const base = `http://127.0.0.1:${port}`;
  await page.goto(`${base}/call.html`);
  return { page, relay: mounted, base };
}

/** UDP sockets this process holds: its file descriptors' socket inodes found in /proc/net/udp*. */
function udpSockets(): number {
  const inodes = new Set<string>();
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/self/fd/${fd}`));
      if (match?.[1] !== undefined) inodes.add(match[1]);
    } catch {
      // The descriptor closed while it was listed.
    }
  }
  let count = 0;
  for (const table of ['/proc/net/udp', '/proc/net/udp6']) {
    if (!existsSync(table)) continue;
    for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const inode = line.trim().split(/\s+/)[9];
      if (inode !== undefined && inodes.has(inode)) count++;
    }
  }
  return count;
}

type Event = { type: string; [key: string]: unknown };
const eventsOf = (page: Page) =>
  page.evaluate(() => (window as unknown as { events: Event[] }).events);

async function untilEvent(page: Page, type: string, ms = 20_000): Promise<Event[]> {
  const deadline = Date.now() + ms;
  for (;;) {
    const events = await eventsOf(page);
    if (events.some((event) => event.type === type)) return events;
    if (Date.now() > deadline) {
      throw new Error(`no ${type}; saw ${events.map((event) => event.type).join(', ')}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe.runIf(runnable)('a WebRTC call from headless Chromium, served by the engine', () => {
  it('connects, and a reply is heard on the track between started and stopped', async () => {
    const { page, relay: mounted } = await start();
    const call = await page.evaluate(() =>
      (window as unknown as { call(): Promise<{ status: number; location: string }> }).call(),
    );
    expect(call.status).toBe(201);
    expect(call.location).toMatch(/^\/v1\/realtime\/calls\/rtc_/);
    expect(mounted.activeCalls).toBe(1);
    await untilEvent(page, 'session.created');
    const send = (event: object) =>
      page.evaluate((e) => (window as unknown as { send(e: object): void }).send(e), event);
    // The fake microphone beeps; server VAD would take it for speech and cut the reply.
    await send({
      type: 'session.update',
      session: { type: 'realtime', audio: { input: { turn_detection: null } } },
    });
    await untilEvent(page, 'session.updated');
    await send({
      type: 'conversation.item.create',
      item: {
        type: 'message',
        role: 'user',
        content: [{ type: 'input_text', text: 'hello over webrtc' }],
      },
    });
    await send({ type: 'response.create' });
    const events = await untilEvent(page, 'output_audio_buffer.stopped');
    const types = events.map((event) => event.type);
    expect(types).not.toContain('response.output_audio.delta');
    const started = types.indexOf('output_audio_buffer.started');
    expect(started).toBeGreaterThan(types.indexOf('response.created'));
    expect(types.indexOf('output_audio_buffer.stopped')).toBeGreaterThan(started);
    // The simulator's tone reached the page's speakers, not silence.
    const peak = await page.evaluate(() => (window as unknown as { peak: number }).peak);
    expect(peak).toBeGreaterThan(0.01);
    // Every event on the data channel is one the spec defines, in its shape.
    expect(events.flatMap((event) => specErrors(event) ?? [])).toEqual([]);
    // In protocol order: each response's events, and what played on the track.
    expect(protocolOrderErrors(events)).toEqual([]);
    expect(playbackOrderErrors(events)).toEqual([]);
  });

  it('speech is heard by server VAD; speaking over the reply clears the track and truncates at what was sent', async () => {
    // 700 ms of voice, then 1.6 s of quiet, looped: the quiet ends the turn, the next voice
    // comes while the reply plays.
    const { page } = await start(fakeMicrophone(speechWav(700, 1600)));
    await page.evaluate(() => (window as unknown as { call(): Promise<unknown> }).call());
    const events = await untilEvent(page, 'conversation.item.truncated', 30_000);
    const types = events.map((event) => event.type);
    expect(types).toContain('input_audio_buffer.speech_started');
    expect(types).toContain('input_audio_buffer.committed');
    const cleared = types.indexOf('output_audio_buffer.cleared');
    expect(cleared).toBeGreaterThan(types.indexOf('output_audio_buffer.started'));
    const truncated = events.find((event) => event.type === 'conversation.item.truncated') as
      | { item_id: string; audio_end_ms: number }
      | undefined;
    // Cut within the reply: some of it was sent, not all of what the simulator made.
    const spoken = events.find(
      (event) =>
        event.type === 'response.output_audio_transcript.done' ||
        event.type === 'response.output_audio.done',
    );
    expect(spoken).toBeDefined();
    expect(types.slice(0, types.indexOf('conversation.item.truncated'))).not.toContain('error');
    expect(truncated?.audio_end_ms).toBeGreaterThan(0);
    expect(truncated?.audio_end_ms).toBeLessThan(30_000);
    expect(events.flatMap((event) => specErrors(event) ?? [])).toEqual([]);
    // In protocol order: each response's events, and what played on the track.
    expect(protocolOrderErrors(events)).toEqual([]);
    expect(playbackOrderErrors(events)).toEqual([]);
  });

  it('a translation call: speech on the track is translated, the transcripts on the channel, the speech on the track', async () => {
    // 1.2 s of voice, then 1 s of quiet, looped: each utterance is a segment to translate.
    const { page, relay: mounted } = await start(fakeMicrophone(speechWav(1200, 1000)));
    const call = await page.evaluate(() =>
      (
        window as unknown as { call(path: string): Promise<{ status: number; location: string }> }
      ).call('/v1/realtime/translations/calls?model=gpt-realtime-translate'),
    );
    expect(call.status).toBe(201);
    expect(mounted.activeCalls).toBe(1);
    const created = await untilEvent(page, 'session.created');
    expect(created.find((event) => event.type === 'session.created')).toMatchObject({
      session: { type: 'translation', model: 'gpt-realtime-translate' },
    });
    await page.evaluate((e) => (window as unknown as { send(e: object): void }).send(e), {
      type: 'session.update',
      session: {
        audio: {
          output: { language: 'fr' },
          input: { transcription: { model: 'gpt-realtime-whisper' } },
        },
      },
    });
    await untilEvent(page, 'session.input_transcript.delta', 30_000);
    const events = await untilEvent(page, 'session.output_transcript.delta', 30_000);
    const types = events.map((event) => event.type);
    // The translated speech plays on the track, never on the channel.
    expect(types).not.toContain('session.output_audio.delta');
    expect(types).not.toContain('error');
    expect(events.flatMap((event) => translationSpecErrors(event) ?? [])).toEqual([]);
    for (let waited = 0; waited < 20_000; waited += 100) {
      if ((await page.evaluate(() => (window as unknown as { peak: number }).peak)) > 0.01) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(await page.evaluate(() => (window as unknown as { peak: number }).peak)).toBeGreaterThan(
      0.01,
    );
    // It ends as a translation session does: session.close, then session.closed.
    await page.evaluate((e) => (window as unknown as { send(e: object): void }).send(e), {
      type: 'session.close',
    });
    await untilEvent(page, 'session.closed', 30_000);
    for (let waited = 0; waited < 10_000 && mounted.activeCalls > 0; waited += 50) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(mounted.activeCalls).toBe(0);
  });

  it('agents-realtime: a spoken turn is heard by server VAD, its reply reaches an AnalyserNode, and speaking over it clears the track and truncates', async () => {
    // 700 ms of voice, then 1.6 s of quiet, looped: a turn, then speech over the reply.
    const { page, relay: mounted, base } = await start(fakeMicrophone(speechWav(700, 1600)));
    await page.goto(`${base}/agents.html`);
    const callId = await page.evaluate(
      (url) => (window as unknown as { start(url: string): Promise<string> }).start(url),
      base,
    );
    expect(callId).toMatch(/^rtc_/);
    expect(mounted.activeCalls).toBe(1);
    const events = await untilEvent(page, 'conversation.item.truncated', 30_000);
    const types = events.map((event) => event.type);
    expect(types).toContain('input_audio_buffer.speech_started');
    expect(types).toContain('input_audio_buffer.committed');
    const cleared = types.indexOf('output_audio_buffer.cleared');
    expect(cleared).toBeGreaterThan(types.indexOf('output_audio_buffer.started'));
    const truncated = events.find((event) => event.type === 'conversation.item.truncated') as
      | { audio_end_ms: number }
      | undefined;
    expect(truncated?.audio_end_ms).toBeGreaterThan(0);
    expect(truncated?.audio_end_ms).toBeLessThan(30_000);
    // The reply was heard: samples at the AnalyserNode on the SDK's own audio element.
    const peak = await page.evaluate(() => (window as unknown as { peak: number }).peak);
    expect(peak).toBeGreaterThan(0.01);
    const serverEvents = events.filter(
      (event) => typeof event.type === 'string' && 'event_id' in event,
    );
    expect(serverEvents.flatMap((event) => specErrors(event) ?? [])).toEqual([]);
  });

  it('agents-realtime connects with its WebRTC transport by base URL alone, and a zod tool runs in the page', async () => {
    // A quiet microphone: the fake device's beep would be speech to server VAD, and the SDK
    // drops a tool call whose response a barge-in interrupted.
    const { page, relay: mounted, base } = await start(fakeMicrophone(speechWav(0, 1000)));
    await page.goto(`${base}/agents.html`);
    const callId = await page.evaluate(
      (url) => (window as unknown as { start(url: string): Promise<string> }).start(url),
      base,
    );
    expect(callId).toMatch(/^rtc_/);
    expect(mounted.activeCalls).toBe(1);
    await page.evaluate(() =>
      (window as unknown as { session: { sendMessage(text: string): void } }).session.sendMessage(
        'what is get_weather in Oslo',
      ),
    );
    const deadline = Date.now() + 20_000;
    let calls: string[] = [];
    while (calls.length === 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      calls = await page.evaluate(() => (window as unknown as { toolCalls: string[] }).toolCalls);
    }
    expect(calls).toHaveLength(1);
    // Its output went back to the session, and the simulator's spoken answer reports it.
    const events = await untilEvent(page, 'response.output_audio_transcript.done');
    const transcripts = events.flatMap((event) =>
      event.type === 'response.output_audio_transcript.done' ? [String(event.transcript)] : [],
    );
    expect(transcripts.join(' ')).toContain(`Sunny in ${calls[0]}`);
    expect(events.flatMap((event) => specErrors(event) ?? [])).toEqual([]);
    // In protocol order: each response's events, and what played on the track.
    expect(protocolOrderErrors(events)).toEqual([]);
    expect(playbackOrderErrors(events)).toEqual([]);
    // Hangup by the SDK's close: the call and its session end.
    await page.evaluate(() =>
      (window as unknown as { session: { close(): void } }).session.close(),
    );
    const closedAt = Date.now();
    while (mounted.activeSessions > 0 && Date.now() - closedAt < 10_000) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(mounted.activeSessions).toBe(0);
  });

  it("a sideband attached by call_id answers the call's function call, and is closed when the call ends", async () => {
    const { page, base } = await start(fakeMicrophone(speechWav(0, 1000)));
    const call = await page.evaluate(() =>
      (window as unknown as { call(): Promise<{ location: string }> }).call(),
    );
    const callId = call.location.split('/').at(-1) as string;
    const sideband = new WebSocket(`${base.replace('http', 'ws')}/v1/realtime?call_id=${callId}`);
    const seen: Event[] = [];
    const closed = new Promise<[number, string]>((resolve) =>
      sideband.once('close', (code, reason) => resolve([code, String(reason)])),
    );
    sideband.on('message', (data) => {
      const event = JSON.parse(String(data)) as Event;
      seen.push(event);
      // The server's side of the tool: the browser never runs it.
      if (event.type === 'response.function_call_arguments.done') {
        sideband.send(
          JSON.stringify({
            type: 'conversation.item.create',
            item: {
              type: 'function_call_output',
              call_id: event.call_id,
              output: '{"forecast":"rain"}',
            },
          }),
        );
        sideband.send(JSON.stringify({ type: 'response.create' }));
      }
    });
    await new Promise((resolve, reject) => {
      sideband.once('open', resolve);
      sideband.once('error', reject);
    });
    const send = (event: object) =>
      page.evaluate((e) => (window as unknown as { send(e: object): void }).send(e), event);
    await send({
      type: 'session.update',
      session: {
        type: 'realtime',
        tools: [
          {
            type: 'function',
            name: 'get_weather',
            description: 'The weather in a city',
            parameters: {
              type: 'object',
              properties: { city: { type: 'string' } },
              required: ['city'],
            },
          },
        ],
      },
    });
    await send({
      type: 'conversation.item.create',
      item: {
        type: 'message',
        role: 'user',
        content: [{ type: 'input_text', text: 'what is get_weather in Oslo' }],
      },
    });
    await send({ type: 'response.create' });
    const deadline = Date.now() + 20_000;
    let transcripts: string[] = [];
    while (!transcripts.some((text) => text.includes('rain')) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      transcripts = (await eventsOf(page)).flatMap((event) =>
        event.type === 'response.output_audio_transcript.done' ? [String(event.transcript)] : [],
      );
    }
    // The browser heard the answer made from the sideband's output.
    expect(transcripts.join(' ')).toContain('rain');
    expect(seen.map((event) => event.type)).toContain('response.function_call_arguments.done');
    // The sideband sees the call's events in protocol order, and valid.
    expect(protocolOrderErrors(seen)).toEqual([]);
    expect(playbackOrderErrors(seen)).toEqual([]);
    expect(seen.flatMap((event) => specErrors(event) ?? [])).toEqual([]);
    await page.close();
    expect(await closed).toEqual([1000, expect.stringMatching(/^call ended: /)]);
  });

  it('closing the page ends the call and its session, and frees its UDP ports', async () => {
    const { page, relay: mounted } = await start();
    const before = udpSockets();
    await page.evaluate(() => (window as unknown as { call(): Promise<unknown> }).call());
    await untilEvent(page, 'session.created');
    expect(mounted.activeSessions).toBe(1);
    expect(udpSockets()).toBeGreaterThan(before);
    const closedAt = Date.now();
    await page.close();
    while (mounted.activeSessions > 0) {
      // A bound for a hung call, not the figure: libwebrtc notices in about 7.5 s idle, later on
      // a busy machine (the time is printed below and reported, never asserted).
      if (Date.now() - closedAt > 60_000) throw new Error('the call outlived its page by 60 s');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    console.log(`a closed page's call ended after ${Date.now() - closedAt} ms`);
    expect(mounted.activeCalls).toBe(0);
    // The call's ports are given back with it.
    expect(udpSockets()).toBe(before);
  });
});
