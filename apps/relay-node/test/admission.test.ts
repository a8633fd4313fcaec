import { afterEach, describe, expect, it } from 'vitest';
import { connectClient, startFakeUpstream, startRelay, stopAll, upgradeStatus } from './helpers.ts';

afterEach(stopAll);

describe('admission over HTTP', () => {
  it('answers 401 before the upgrade without a valid token', async () => {
    const upstream = await startFakeUpstream();
    const relay = await startRelay({ RELAY_TOKENS: 'tok-one,tok-two', UPSTREAM_URL: upstream.url });
    expect(await upgradeStatus(relay.wsUrl)).toEqual({ status: 401 });
    expect(await upgradeStatus(relay.wsUrl, { headers: { authorization: 'Bearer nope' } })).toEqual(
      { status: 401 },
    );
    expect(
      await upgradeStatus(relay.wsUrl, { protocols: ['realtime', 'openai-insecure-api-key.nope'] }),
    ).toEqual({
      status: 401,
    });
    expect(upstream.handshakes).toHaveLength(0);
  });

  it('accepts a bearer token, or the browser subprotocol and echoes realtime', async () => {
    const upstream = await startFakeUpstream();
    const relay = await startRelay({ RELAY_TOKENS: 'tok-one,tok-two', UPSTREAM_URL: upstream.url });
    expect(
      await upgradeStatus(relay.wsUrl, { headers: { authorization: 'Bearer tok-two' } }),
    ).toEqual({
      status: 101,
      protocol: '',
    });
    expect(
      await upgradeStatus(relay.wsUrl, {
        protocols: ['realtime', 'openai-insecure-api-key.tok-one'],
      }),
    ).toEqual({ status: 101, protocol: 'realtime' });
  });

  it('answers 403 to origins not allowed', async () => {
    const relay = await startRelay({ ALLOWED_ORIGINS: 'https://app.example' });
    expect(
      await upgradeStatus(relay.wsUrl, { headers: { origin: 'https://evil.example' } }),
    ).toEqual({ status: 403 });
  });

  it('answers 503 past MAX_SESSIONS, and admits again once a session ends', async () => {
    const upstream = await startFakeUpstream();
    const relay = await startRelay({ MAX_SESSIONS: '1', UPSTREAM_URL: upstream.url });
    const first = await connectClient(relay.wsUrl);
    expect(await upgradeStatus(relay.wsUrl)).toEqual({ status: 503 });
    first.ws.close();
    await first.closed;
    await expect.poll(() => relay.activeSessions).toBe(0);
    expect((await upgradeStatus(relay.wsUrl)).status).toBe(101);
  });

  it('serves health, metrics, the console, 404, 405 and 426', async () => {
    const relay = await startRelay();
    const health = await fetch(`${relay.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok' });
    const metrics = await (await fetch(`${relay.url}/metrics`)).text();
    expect(metrics).toContain('# TYPE rtwire_relay_sessions_active gauge');
    const page = await fetch(`${relay.url}/`);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(await page.text()).toContain('<script src="/console.js" defer></script>');
    expect(await (await fetch(`${relay.url}/console.js`)).text()).toContain('/v1/realtime');
    expect((await fetch(`${relay.url}/nope`)).status).toBe(404);
    // Nothing lives there, whatever the method: 404, not 405.
    expect((await fetch(`${relay.url}/v1/realtime/calls`, { method: 'POST' })).status).toBe(404);
    expect((await fetch(`${relay.url}/healthz`, { method: 'POST' })).status).toBe(405);
    expect((await fetch(`${relay.url}/v1/realtime`)).status).toBe(426);
    expect(
      (await upgradeStatus(`${relay.wsUrl.replace('/v1/realtime', '/v2/other')}`)).status,
    ).toBe(404);
  });
});
