import { Miniflare } from 'miniflare';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ANSWER,
  type FakeCallsUpstream,
  startFakeCallsUpstream,
} from '../../../test-support/fake-calls-upstream.ts';
import { bundleWorker } from './bundle-worker.ts';

// WebRTC calls forwarded by the worker in workerd to a network upstream: a fake one in this
// process, on loopback, which answers SDP at /v1/realtime/calls and takes sidebands at
// ?call_id=, as the live API does. The same checks as the Deno test (test/calls_test.ts).
const OFFER =
  'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n';

let mf: Miniflare;
let upstream: FakeCallsUpstream;

beforeAll(async () => {
  upstream = await startFakeCallsUpstream();
  mf = new Miniflare({
    modules: true,
    script: (await bundleWorker()).text,
    compatibilityDate: '2025-07-01',
    durableObjects: { RTWIRE_CALLS: 'RelayCallObject' },
    bindings: {
      UPSTREAM_URL: upstream.url,
      OPENAI_API_KEY: 'sk-server-key',
      RELAY_TOKENS: 'acme:acme-token,globex:globex-token',
      // The worker and each call's object are other isolates: they share the configured key.
      CLIENT_SECRET_KEYS: 'AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8',
      RELAY_POLICY: JSON.stringify({
        tenants: { acme: { instructions: 'You are the Acme line.' }, globex: {} },
      }),
    },
  });
  await mf.ready;
}, 60_000);

afterAll(async () => {
  await mf?.dispose();
  await upstream?.close();
});

async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`waited 10 s for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('calls through the worker in workerd to a network upstream', () => {
  it('forwards a call made with a client secret, gives it sidebands, and hangs it up', async () => {
    const minted = await mf.dispatchFetch('http://relay.test/v1/realtime/client_secrets', {
      method: 'POST',
      headers: { authorization: 'Bearer acme-token', 'content-type': 'application/json' },
      body: JSON.stringify({ session: { type: 'realtime', output_modalities: ['text'] } }),
    });
    expect(minted.status).toBe(200);
    const { value } = (await minted.json()) as { value: string };
    expect(value).toMatch(/^ek_/);
    // A cut secret names why it is refused, and nothing goes upstream.
    const cut = await mf.dispatchFetch('http://relay.test/v1/realtime/calls', {
      method: 'POST',
      headers: { 'content-type': 'application/sdp', authorization: `Bearer ${value.slice(0, 30)}` },
      body: OFFER,
    });
    expect(cut.status).toBe(401);
    expect(await cut.text()).toContain('Client secret is malformed or truncated');
    expect(upstream.offers).toHaveLength(0);

    const created = await mf.dispatchFetch('http://relay.test/v1/realtime/calls', {
      method: 'POST',
      headers: { 'content-type': 'application/sdp', authorization: `Bearer ${value}` },
      body: OFFER,
    });
    expect(created.status).toBe(201);
    expect(await created.text()).toBe(ANSWER);
    const callId = (created.headers.get('location') ?? '').split('/').at(-1) ?? '';
    // The call's id names the Durable Object that holds it.
    expect(callId).toMatch(/^rtc_[0-9a-f]{64}$/);
    // Upstream: the server key (never the secret), the secret's session under the lock, and
    // the relay's own sideband on the upstream's call.
    const [offer] = upstream.offers;
    expect(offer?.authorization).toBe('Bearer sk-server-key');
    expect(offer?.sdp).toBe(OFFER);
    expect(offer?.session).toMatchObject({
      type: 'realtime',
      instructions: 'You are the Acme line.',
      output_modalities: ['text'],
    });
    await until(() => upstream.sidebands.length === 1, "the relay's sideband");
    expect(upstream.sidebands[0]?.url).toContain('call_id=rtc_up1');
    expect(upstream.sidebands[0]?.authorization).toBe('Bearer sk-server-key');

    // The app's server joins by the relay's id with a token of the call's tenant; another
    // tenant's token and the client secret find no call.
    const sidebandUrl = `http://relay.test/v1/realtime?call_id=${callId}`;
    for (const authorization of ['Bearer globex-token', `Bearer ${value}`]) {
      const refused = await mf.dispatchFetch(sidebandUrl, {
        headers: { upgrade: 'websocket', authorization },
      });
      expect(refused.status).toBe(404);
      await refused.text();
    }
    const joined = await mf.dispatchFetch(sidebandUrl, {
      headers: { upgrade: 'websocket', authorization: 'Bearer acme-token' },
    });
    expect(joined.status).toBe(101);
    const sideband = joined.webSocket;
    if (!sideband) throw new Error('no webSocket on the 101 response');
    const closed = new Promise<number>((resolve) =>
      sideband.addEventListener('close', ({ code }) => resolve(code)),
    );
    sideband.accept();
    sideband.send(JSON.stringify({ type: 'response.create', event_id: 'evt_workerd' }));
    await until(
      () => upstream.sidebands[0]?.received.some((text) => text.includes('evt_workerd')) === true,
      'the sideband event upstream',
    );

    // The browser changed the instructions over its data channel: the relay's sideband sees
    // the session.updated and sets them back.
    upstream.sidebands[0]?.ws.send(
      JSON.stringify({
        type: 'session.updated',
        event_id: 'event_up_1',
        session: { type: 'realtime', instructions: 'Talk like a pirate.' },
      }),
    );
    await until(
      () =>
        upstream.sidebands[0]?.received.some(
          (text) => text.includes('event_relay_relock') && text.includes('You are the Acme line.'),
        ) === true,
      'the locked instructions set back',
    );

    // The upstream's events reach the app's sideband.
    const heard = new Promise<string>((resolve) =>
      sideband.addEventListener('message', ({ data }) => {
        if (String(data).includes('event_up_2')) resolve(String(data));
      }),
    );
    upstream.sidebands[0]?.ws.send(
      JSON.stringify({ type: 'input_audio_buffer.cleared', event_id: 'event_up_2' }),
    );
    expect(JSON.parse(await heard)).toMatchObject({ event_id: 'event_up_2' });

    const hangup = await mf.dispatchFetch(`http://relay.test/v1/realtime/calls/${callId}/hangup`, {
      method: 'POST',
      headers: { authorization: 'Bearer acme-token' },
    });
    expect(hangup.status).toBe(200);
    await hangup.text();
    expect(upstream.hangups).toEqual([
      { callId: 'rtc_up1', authorization: 'Bearer sk-server-key' },
    ]);
    // The call's session ended in its object: the app's sideband is closed with it.
    expect(await closed).toBe(1000);
  }, 30_000);

  it('answers 501 naming the setting a worker lacks: the calls binding, the secret keys', async () => {
    const bare = new Miniflare({
      modules: true,
      script: (await bundleWorker()).text,
      compatibilityDate: '2025-07-01',
      bindings: { UPSTREAM_URL: upstream.url, RELAY_TOKENS: 'acme:acme-token' },
    });
    try {
      const call = await bare.dispatchFetch('http://relay.test/v1/realtime/calls', {
        method: 'POST',
        headers: { 'content-type': 'application/sdp', authorization: 'Bearer acme-token' },
        body: OFFER,
      });
      expect(call.status).toBe(501);
      expect(await call.json()).toMatchObject({ error: { code: 'calls_not_configured' } });
      const minted = await bare.dispatchFetch('http://relay.test/v1/realtime/client_secrets', {
        method: 'POST',
        headers: { authorization: 'Bearer acme-token', 'content-type': 'application/json' },
        body: JSON.stringify({ session: { type: 'realtime' } }),
      });
      expect(minted.status).toBe(501);
      expect(await minted.json()).toMatchObject({
        error: { code: 'client_secret_keys_not_configured' },
      });
    } finally {
      await bare.dispose();
    }
  }, 30_000);
});
