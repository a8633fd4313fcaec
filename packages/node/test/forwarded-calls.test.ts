import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type CallEnd, parseRelayConfig, parseRelayPolicy } from '@rtwire/relay';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import {
  ANSWER,
  type FakeCallsUpstream,
  startFakeCallsUpstream,
} from '../../../test-support/fake-calls-upstream.ts';
import { createWsUpstreamConnector, type MountedRelay, mountRelay } from '../src/index.ts';
import { OFFER, until } from './call-doubles.ts';

// Calls through the relay to a network upstream that takes WebRTC calls as the live API does:
// the offer forwarded with the server key and the locked session, a sideband attached by
// call_id, hangup forwarded. The upstream here is a fake that answers SDP and takes sidebands.

let upstream: FakeCallsUpstream | undefined;
let server: Server | undefined;
let relay: MountedRelay | undefined;
afterEach(async () => {
  await relay?.close();
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  await upstream?.close();
});

async function start(
  env: Record<string, string> = {},
  onCallEnd?: (call: CallEnd) => void,
  acme: Record<string, unknown> = {},
) {
  upstream = await startFakeCallsUpstream();
  const parsed = parseRelayConfig({
    UPSTREAM_URL: upstream.url,
    OPENAI_API_KEY: 'sk-server-key',
    RELAY_TOKENS: 'acme:acme-token,globex:globex-token',
    ...env,
  });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  const policy = parseRelayPolicy({
    tenants: { acme: { instructions: 'You are the Acme line.', ...acme }, globex: {} },
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

  it("locks what a session asked for leaves out: the form's, and a client secret's", async () => {
    const { http, upstream: fake } = await start();
    const form = new FormData();
    form.set('sdp', OFFER);
    form.set('session', JSON.stringify({ type: 'realtime', output_modalities: ['audio'] }));
    const byForm = await fetch(`${http}/v1/realtime/calls`, {
      method: 'POST',
      headers: { authorization: 'Bearer acme-token' },
      body: form,
    });
    expect(byForm.status).toBe(201);
    const minted = await fetch(`${http}/v1/realtime/client_secrets`, {
      method: 'POST',
      headers: { authorization: 'Bearer acme-token', 'content-type': 'application/json' },
      body: JSON.stringify({ session: { type: 'realtime', output_modalities: ['text'] } }),
    });
    const { value } = (await minted.json()) as { value: string };
    expect((await post(http, value)).status).toBe(201);
    expect(fake.offers.map((offer) => offer.session)).toEqual([
      expect.objectContaining({
        instructions: 'You are the Acme line.',
        output_modalities: ['audio'],
      }),
      expect.objectContaining({
        instructions: 'You are the Acme line.',
        output_modalities: ['text'],
      }),
    ]);
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
    expect(ended[0]).toMatchObject({
      callId,
      tenant: 'acme',
      reason: 'upstream_ended',
      code: 1000,
    });
    expect(ended[0]?.durationMs).toBeGreaterThanOrEqual(0);
    expect(relay?.activeCalls).toBe(0);
  });

  // Each way a call ends, as the hook, the log line and the metric name it.
  const endings: {
    readonly reason: CallEnd['reason'];
    readonly acme?: Record<string, unknown>;
    end(context: { http: string; callId: string; fake: FakeCallsUpstream }): Promise<unknown>;
  }[] = [
    {
      reason: 'hangup',
      end: ({ http, callId }) =>
        fetch(`${http}/v1/realtime/calls/${callId}/hangup`, {
          method: 'POST',
          headers: { authorization: 'Bearer acme-token' },
        }),
    },
    {
      reason: 'upstream_lost',
      end: async ({ fake }) => fake.sidebands[0]?.ws.terminate(),
    },
    { reason: 'shutdown', end: async () => relay?.close() },
    { reason: 'time_limit', acme: { maxSessionSeconds: 1 }, end: async () => {} },
  ];
  for (const ending of endings) {
    it(`names the end of a call: ${ending.reason}`, async () => {
      const ended: CallEnd[] = [];
      const { http, upstream: fake } = await start({}, (call) => ended.push(call), ending.acme);
      const created = await post(http, 'acme-token');
      const callId = (created.headers.get('location') ?? '').split('/').at(-1) as string;
      await until(() => fake.sidebands.length === 1, 'the relay to attach its sideband');
      await ending.end({ http, callId, fake });
      await until(() => ended.length === 1, 'the hook');
      expect(ended[0]).toMatchObject({ callId, tenant: 'acme', reason: ending.reason });
      expect(ended).toHaveLength(1);
      // A relay shut down serves no /metrics to read.
      if (ending.reason !== 'shutdown') {
        const metrics = await (await fetch(`${http}/metrics`)).text();
        expect(metrics).toContain(`rtwire_relay_calls_ended_total{reason="${ending.reason}"} 1`);
      }
    });
  }

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
