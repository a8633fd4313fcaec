import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type CallEnd, parseRelayConfig, parseRelayPolicy } from '@rtwire/relay';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { createWsUpstreamConnector, type MountedRelay, mountRelay } from '../src/index.ts';
import { toWebRequest } from '../src/web-request.ts';
import { OFFER, until } from './call-doubles.ts';

// Calls through the relay to a network upstream that takes WebRTC calls as the live API does:
// the offer forwarded with the server key and the locked session, a sideband attached by
// call_id, hangup forwarded. The upstream here is a fake that answers SDP and takes sidebands.

const ANSWER =
  'v=0\r\no=- 7 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n';

interface FakeCallsUpstream {
  readonly url: string;
  readonly offers: { authorization: string | undefined; sdp: string; session: unknown }[];
  readonly hangups: { callId: string; authorization: string | undefined }[];
  readonly sidebands: {
    url: string;
    authorization: string | undefined;
    received: string[];
    ws: WebSocket;
  }[];
  /** The next offer is refused with this status and message. */
  refuseNext: { status: number; message: string } | undefined;
  close(): Promise<void>;
}

async function startFakeCallsUpstream(): Promise<FakeCallsUpstream> {
  const fake: FakeCallsUpstream = {
    url: '',
    offers: [],
    hangups: [],
    sidebands: [],
    refuseNext: undefined,
    close: async () => {},
  };
  const server = createServer(async (request, response) => {
    const hangup = /^\/v1\/realtime\/calls\/([^/]+)\/hangup$/.exec(request.url ?? '');
    if (hangup !== null) {
      fake.hangups.push({
        callId: hangup[1] as string,
        authorization: request.headers.authorization,
      });
      // The call ends: its sideband is closed by the upstream.
      for (const sideband of fake.sidebands) sideband.ws.close(1000, 'call ended');
      response.writeHead(200).end();
      return;
    }
    const form = await toWebRequest(request).formData();
    fake.offers.push({
      authorization: request.headers.authorization,
      sdp: String(form.get('sdp')),
      session: form.has('session') ? JSON.parse(String(form.get('session'))) : undefined,
    });
    if (fake.refuseNext !== undefined) {
      const { status, message } = fake.refuseNext;
      fake.refuseNext = undefined;
      response
        .writeHead(status, { 'content-type': 'application/json' })
        .end(JSON.stringify({ error: { type: 'invalid_request_error', message } }));
      return;
    }
    response
      .writeHead(201, { 'content-type': 'application/sdp', location: '/v1/realtime/calls/rtc_up1' })
      .end(ANSWER);
  });
  const wss = new WebSocketServer({ server });
  wss.on('connection', (ws, request: IncomingMessage) => {
    const sideband = {
      url: request.url ?? '',
      authorization: request.headers.authorization,
      received: [] as string[],
      ws,
    };
    fake.sidebands.push(sideband);
    ws.on('message', (data) => sideband.received.push(String(data)));
    ws.send(
      JSON.stringify({
        type: 'session.created',
        event_id: 'event_1',
        session: { type: 'realtime', object: 'realtime.session', id: 'sess_up' },
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return Object.assign(fake, {
    url: `ws://127.0.0.1:${port}/v1/realtime`,
    close: async () => {
      for (const client of wss.clients) client.terminate();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  });
}

let upstream: FakeCallsUpstream | undefined;
let server: Server | undefined;
let relay: MountedRelay | undefined;
afterEach(async () => {
  await relay?.close();
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  await upstream?.close();
});

async function start(env: Record<string, string> = {}, onCallEnd?: (call: CallEnd) => void) {
  upstream = await startFakeCallsUpstream();
  const parsed = parseRelayConfig({
    UPSTREAM_URL: upstream.url,
    OPENAI_API_KEY: 'sk-server-key',
    RELAY_TOKENS: 'acme:acme-token,globex:globex-token',
    ...env,
  });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  const policy = parseRelayPolicy({
    tenants: { acme: { instructions: 'You are the Acme line.' }, globex: {} },
  });
  if (!policy.ok) throw new Error('policy');
  server = createServer((request, response) => relay?.respond(request, response));
  relay = mountRelay(server, {
    config: parsed.config,
    connectUpstream: createWsUpstreamConnector({
      url: parsed.config.upstreamUrl as URL,
      apiKey: parsed.config.upstreamApiKey,
      maxFrameBytes: parsed.config.maxFrameBytes,
    }),
    policy: policy.policy,
    ...(onCallEnd === undefined ? {} : { onCallEnd }),
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  const base = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { http: `http://${base}`, ws: `ws://${base}`, upstream };
}

const post = (http: string, token: string, body: string = OFFER) =>
  fetch(`${http}/v1/realtime/calls`, {
    method: 'POST',
    headers: { 'content-type': 'application/sdp', authorization: `Bearer ${token}` },
    body,
  });

describe('calls through the relay to a network upstream', () => {
  it('forwards the offer with the server key and the locked session, and attaches a sideband', async () => {
    const { http, upstream: fake } = await start();
    const created = await post(http, 'acme-token');
    expect(created.status).toBe(201);
    expect(await created.text()).toBe(ANSWER);
    const location = created.headers.get('location') ?? '';
    // The relay's own id, not the upstream's.
    expect(location).toMatch(/^\/v1\/realtime\/calls\/rtc_[0-9a-f]{32}$/);
    expect(location).not.toContain('rtc_up1');
    const [offer] = fake.offers;
    expect(offer?.authorization).toBe('Bearer sk-server-key');
    expect(offer?.sdp).toBe(OFFER);
    expect(offer?.session).toMatchObject({
      type: 'realtime',
      instructions: 'You are the Acme line.',
    });
    await until(() => fake.sidebands.length === 1, 'the relay to attach its sideband');
    expect(fake.sidebands[0]?.url).toContain('call_id=rtc_up1');
    expect(fake.sidebands[0]?.authorization).toBe('Bearer sk-server-key');
    expect(relay?.activeSessions).toBe(1);
    expect(relay?.activeCalls).toBe(1);
  });

  it('sets a locked field back when the browser changes it over its data channel', async () => {
    const { http, upstream: fake } = await start();
    expect((await post(http, 'acme-token')).status).toBe(201);
    await until(() => fake.sidebands.length === 1, 'the relay to attach its sideband');
    const upstreamSide = fake.sidebands[0];
    // The browser's session.update went to the upstream directly; the sideband hears the result.
    upstreamSide?.ws.send(
      JSON.stringify({
        type: 'session.updated',
        event_id: 'event_2',
        session: {
          type: 'realtime',
          object: 'realtime.session',
          instructions: 'Talk like a pirate.',
        },
      }),
    );
    await until(
      () => upstreamSide?.received.some((text) => text.includes('event_relay_relock')) === true,
      'the set-back',
    );
    const relock = JSON.parse(
      upstreamSide?.received.find((text) => text.includes('event_relay_relock')) ?? '{}',
    );
    expect(relock).toMatchObject({
      type: 'session.update',
      session: { type: 'realtime', instructions: 'You are the Acme line.' },
    });
  });

  it("gives the app's server a sideband by the relay's call id, and forwards a hangup", async () => {
    const { http, ws, upstream: fake } = await start();
    const created = await post(http, 'acme-token');
    const callId = (created.headers.get('location') ?? '').split('/').at(-1) as string;
    await until(() => fake.sidebands.length === 1, 'the relay to attach its sideband');
    const refused = new WebSocket(`${ws}/v1/realtime?call_id=${callId}`, {
      headers: { authorization: 'Bearer globex-token' },
    });
    const status = await new Promise<number>((resolve) =>
      refused.once('unexpected-response', (_request, response) =>
        resolve(response.statusCode ?? 0),
      ),
    );
    expect(status).toBe(404);
    const sideband = new WebSocket(`${ws}/v1/realtime?call_id=${callId}`, ['realtime'], {
      headers: { authorization: 'Bearer acme-token' },
    });
    const closed = new Promise<[number, string]>((resolve) =>
      sideband.once('close', (code, reason) => resolve([code, String(reason)])),
    );
    await new Promise((resolve, reject) => {
      sideband.once('open', resolve);
      sideband.once('error', reject);
    });
    sideband.send(JSON.stringify({ type: 'response.create', event_id: 'evt_from_server' }));
    const upstreamSide = fake.sidebands[0];
    await until(
      () => upstreamSide?.received.some((text) => text.includes('evt_from_server')) === true,
      'the sideband event upstream',
    );
    const hangup = await fetch(`${http}/v1/realtime/calls/${callId}/hangup`, {
      method: 'POST',
      headers: { authorization: 'Bearer acme-token' },
    });
    expect(hangup.status).toBe(200);
    expect(fake.hangups).toEqual([{ callId: 'rtc_up1', authorization: 'Bearer sk-server-key' }]);
    expect((await closed)[0]).toBe(1000);
    await until(() => relay?.activeSessions === 0, 'the call to end');
    expect(relay?.activeCalls).toBe(0);
  });

  it('hangs the upstream call up when the relay ends its session (here: the relay shuts down)', async () => {
    const { http, upstream: fake } = await start();
    expect((await post(http, 'acme-token')).status).toBe(201);
    await until(() => fake.sidebands.length === 1, 'the relay to attach its sideband');
    await relay?.close();
    await until(() => fake.hangups.length === 1, 'the upstream hangup');
    expect(fake.hangups[0]).toEqual({ callId: 'rtc_up1', authorization: 'Bearer sk-server-key' });
  });

  it('tells the call-end hook as soon as the upstream ends the call (its sideband closes)', async () => {
    const ended: CallEnd[] = [];
    const { http, upstream: fake } = await start({}, (call) => ended.push(call));
    const created = await post(http, 'acme-token');
    const callId = (created.headers.get('location') ?? '').split('/').at(-1);
    await until(() => fake.sidebands.length === 1, 'the relay to attach its sideband');
    // The browser left: the upstream ends the call and closes its sidebands.
    fake.sidebands[0]?.ws.close(1000, 'call ended: peer vanished');
    await until(() => ended.length === 1, 'the hook');
    expect(ended[0]).toMatchObject({ callId, tenant: 'acme' });
    expect(ended[0]?.durationMs).toBeGreaterThanOrEqual(0);
    expect(relay?.activeCalls).toBe(0);
  });

  it("answers the upstream's refusal with its status and message, and frees the slot", async () => {
    const { http, upstream: fake } = await start({ MAX_SESSIONS: '1' });
    fake.refuseNext = { status: 400, message: 'Invalid SDP offer.' };
    const refused = await post(http, 'acme-token');
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ error: { message: 'Invalid SDP offer.' } });
    expect(relay?.activeSessions).toBe(0);
    expect((await post(http, 'acme-token')).status).toBe(201);
    expect((await post(http, 'acme-token')).status).toBe(503);
  });
});
