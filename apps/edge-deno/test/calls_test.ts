import { assert } from './assert.ts';
import { serveRelay } from './helpers.ts';

// WebRTC calls forwarded by the relay on Deno to a network upstream: a fake one here (Deno.serve),
// which answers SDP at /v1/realtime/calls and takes sidebands at ?call_id=, as the live API.

const OFFER =
  'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n';
const ANSWER =
  'v=0\r\no=- 7 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n';

function fakeCallsUpstream() {
  const seen = {
    offers: [] as { authorization: string | null; session: unknown }[],
    hangups: [] as { path: string; authorization: string | null }[],
    sidebands: [] as { url: string; authorization: string | null; received: string[] }[],
  };
  // A sideband's upgrade is taken synchronously in the handler, as Deno asks.
  const sideband = (request: Request): Response => {
    // Read before the upgrade: the request is closed once upgraded.
    const record = {
      url: new URL(request.url).search,
      authorization: request.headers.get('authorization'),
      received: [] as string[],
    };
    const { socket, response } = Deno.upgradeWebSocket(request);
    seen.sidebands.push(record);
    socket.onopen = () =>
      socket.send(
        JSON.stringify({
          type: 'session.created',
          event_id: 'event_1',
          session: { type: 'realtime', object: 'realtime.session', id: 'sess_up' },
        }),
      );
    socket.onmessage = ({ data }) => record.received.push(String(data));
    return response;
  };
  const calls = async (request: Request): Promise<Response> => {
    const url = new URL(request.url);
    if (url.pathname.endsWith('/hangup')) {
      seen.hangups.push({
        path: url.pathname,
        authorization: request.headers.get('authorization'),
      });
      return new Response(null, { status: 200 });
    }
    const form = await request.formData();
    seen.offers.push({
      authorization: request.headers.get('authorization'),
      session: form.has('session') ? JSON.parse(String(form.get('session'))) : undefined,
    });
    return new Response(ANSWER, {
      status: 201,
      headers: { 'content-type': 'application/sdp', location: '/v1/realtime/calls/rtc_up1' },
    });
  };
  const server = Deno.serve({ hostname: '127.0.0.1', port: 0, onListen: () => {} }, (request) =>
    request.headers.get('upgrade') === 'websocket' ? sideband(request) : calls(request),
  );
  return {
    seen,
    url: `ws://127.0.0.1:${server.addr.port}/v1/realtime`,
    close: () => server.shutdown(),
  };
}

async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`waited 5 s for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

Deno.test('a call with a client secret is forwarded upstream, gets a sideband, and is hung up', async () => {
  const upstream = fakeCallsUpstream();
  const relay = await serveRelay({
    UPSTREAM_URL: upstream.url,
    OPENAI_API_KEY: 'sk-server-key',
    RELAY_TOKENS: 'acme:acme-token',
  });
  try {
    const minted = await fetch(`${relay.url}/v1/realtime/client_secrets`, {
      method: 'POST',
      headers: { authorization: 'Bearer acme-token', 'content-type': 'application/json' },
      body: JSON.stringify({ session: { type: 'realtime', instructions: 'Hello from Deno.' } }),
    });
    assert.deepEqual(minted.status, 200);
    const { value } = await minted.json();
    const created = await fetch(`${relay.url}/v1/realtime/calls`, {
      method: 'POST',
      headers: { 'content-type': 'application/sdp', authorization: `Bearer ${value}` },
      body: OFFER,
    });
    assert.deepEqual(created.status, 201);
    assert.deepEqual(await created.text(), ANSWER);
    const callId = (created.headers.get('location') ?? '').split('/').at(-1) ?? '';
    assert.match(callId, /^rtc_[0-9a-f]{32}$/);
    // Upstream: the server key, the secret's session, and the relay's sideband on the call.
    assert.deepEqual(upstream.seen.offers[0]?.authorization, 'Bearer sk-server-key');
    assert.deepEqual(
      (upstream.seen.offers[0]?.session as { instructions?: string } | undefined)?.instructions,
      'Hello from Deno.',
    );
    await until(() => upstream.seen.sidebands.length === 1, 'the relay sideband');
    assert.match(upstream.seen.sidebands[0]?.url ?? '', /call_id=rtc_up1/);
    assert.deepEqual(upstream.seen.sidebands[0]?.authorization, 'Bearer sk-server-key');

    // The app's server joins by the relay's id (a token as the subprotocol: Deno sets no headers).
    const sideband = new WebSocket(`${relay.wsUrl}?call_id=${callId}`, [
      'realtime',
      'openai-insecure-api-key.acme-token',
    ]);
    await new Promise((resolve, reject) => {
      sideband.onopen = resolve;
      sideband.onerror = reject;
    });
    assert.deepEqual(sideband.protocol, 'realtime');
    const closed = new Promise<number>(
      (resolve) => (sideband.onclose = ({ code }) => resolve(code)),
    );
    sideband.send(JSON.stringify({ type: 'response.create', event_id: 'evt_deno' }));
    await until(
      () => upstream.seen.sidebands[0]?.received.some((text) => text.includes('evt_deno')) === true,
      'the sideband event upstream',
    );

    const hangup = await fetch(`${relay.url}/v1/realtime/calls/${callId}/hangup`, {
      method: 'POST',
      headers: { authorization: 'Bearer acme-token' },
    });
    assert.deepEqual(hangup.status, 200);
    await hangup.body?.cancel();
    assert.deepEqual(upstream.seen.hangups, [
      { path: '/v1/realtime/calls/rtc_up1/hangup', authorization: 'Bearer sk-server-key' },
    ]);
    assert.deepEqual(await closed, 1000);
    await until(() => relay.host.activeSessions === 0, 'the call to end');
  } finally {
    await relay.close();
    await upstream.close();
  }
});
