import { describe, expect, it } from 'vitest';
import { MemorySocket } from '../../test/memory-socket.ts';
import { until } from '../../test/wait.ts';
import { parseRelayConfig } from '../config/relay-config.ts';
import { createRelayHost } from './relay-host.ts';

const configFrom = (env: Record<string, string>) => {
  const result = parseRelayConfig(env);
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.config;
};
const neverConnects = () => new Promise<never>(() => {});
const upgrade = { url: '/v1/realtime', headers: new Headers() };

describe('createRelayHost', () => {
  it("reads an upgrade's headers only while admitting it: Deno closes them at the upgrade", async () => {
    const upstream = new MemorySocket();
    const host = createRelayHost({ config: configFrom({}), connectUpstream: async () => upstream });
    for (const headers of [
      new Headers({ upgrade: 'websocket', 'openai-beta': 'realtime=v1' }),
      new Headers({ upgrade: 'websocket' }),
    ]) {
      let upgraded = false;
      const admission = await host.admit({
        url: '/v1/realtime',
        headers: {
          get(name) {
            if (upgraded) throw new TypeError('Request closed');
            return headers.get(name);
          },
        },
      });
      if (!admission.ok) throw new Error(admission.code);
      upgraded = true;
      const client = new MemorySocket();
      const session = admission.open(client);
      // A beta client is still translated: its beta update reaches the upstream as GA.
      client.deliver(JSON.stringify({ type: 'session.update', session: { modalities: ['text'] } }));
      await until(() => upstream.sent.length > 0, 'the update upstream');
      const [sent] = upstream.events();
      expect(sent?.session).toMatchObject({ type: 'realtime' });
      upstream.sent.length = 0;
      session.close(1000, 'done');
    }
  });

  it('serves /metrics only with the metrics token when METRICS_TOKEN is set', () => {
    const host = createRelayHost({
      config: configFrom({ METRICS_TOKEN: 'scrape-me', RELAY_TOKENS: 'client' }),
      connectUpstream: neverConnects,
    });
    expect(host.respond('GET', '/metrics').status).toBe(401);
    expect(
      host.respond('GET', '/metrics', new Headers({ authorization: 'Bearer client' })).status,
    ).toBe(401);
    const reply = host.respond(
      'GET',
      '/metrics',
      new Headers({ authorization: 'Bearer scrape-me' }),
    );
    expect(reply.status).toBe(200);
    expect(reply.body).toContain('rtwire_relay_sessions_active 0');
    expect(
      host.respond('GET', '/metrics', new Headers({ authorization: 'Bearer scrape-me' })).body,
    ).not.toContain('scrape-me');
    // Health checks stay open, as load balancers need them.
    expect(host.respond('GET', '/healthz').status).toBe(200);
  });

  it('answers 404 where nothing exists whatever the method, 405 only on a known path', () => {
    const host = createRelayHost({ config: configFrom({}), connectUpstream: neverConnects });
    expect(host.respond('POST', '/v1/realtime/calls').status).toBe(404);
    expect(host.respond('DELETE', '/nothing').status).toBe(404);
    expect(host.respond('GET', '/nothing').status).toBe(404);
    expect(host.respond('POST', '/healthz')).toMatchObject({
      status: 405,
      headers: { allow: 'GET, HEAD' },
    });
    expect(host.respond('POST', '/v1/realtime').status).toBe(405);
    expect(host.respond('PUT', '/').status).toBe(405);
  });

  it('serves the console under a strict CSP: page, script, styles, worklet and icon', () => {
    const host = createRelayHost({ config: configFrom({}), connectUpstream: neverConnects });
    const page = host.respond('GET', '/');
    expect(page.status).toBe(200);
    const csp = page.headers['content-security-policy'] ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe');
    // No inline script or style, which the CSP would refuse.
    expect(page.body).not.toMatch(/<script>|<style>| on[a-z]+=/);
    for (const [path, type] of [
      ['/console.js', 'text/javascript'],
      ['/console-audio.js', 'text/javascript'],
      ['/console.css', 'text/css'],
      ['/favicon.ico', 'image/svg+xml'],
    ] as const) {
      const reply = host.respond('GET', path);
      expect(reply.status, path).toBe(200);
      expect(reply.headers['content-type'], path).toContain(type);
      expect(reply.headers['x-content-type-options'], path).toBe('nosniff');
    }
  });

  it('leaves /metrics open without METRICS_TOKEN', () => {
    const host = createRelayHost({ config: configFrom({}), connectUpstream: neverConnects });
    expect(host.respond('GET', '/metrics').status).toBe(200);
  });

  it('closes the sessions holding most with 1013 once all together pass MAX_BUFFERED_BYTES', async () => {
    const host = createRelayHost({
      config: configFrom({ MAX_BUFFERED_BYTES: String(1024 * 1024) }),
      connectUpstream: neverConnects,
    });
    const clients = [new MemorySocket(), new MemorySocket(), new MemorySocket()];
    for (const client of clients) {
      const admission = await host.admit(upgrade);
      if (!admission.ok) throw new Error('not admitted');
      admission.open(client);
    }
    clients[0]!.bufferedAmount = 100_000;
    clients[1]!.bufferedAmount = 900_000;
    clients[2]!.bufferedAmount = 300_000;
    // Sweeps run every 100 ms, or later on a busy machine: wait for what they do, not a time.
    await until(() => clients.some((client) => client.closedWith !== undefined), 'a close');
    expect(clients.map((client) => client.closedWith?.code)).toEqual([undefined, 1013, undefined]);
    expect(clients[1]!.closedWith?.reason).toBe('relay buffer budget exceeded');
    expect(host.metrics.errors.get('buffer_budget_exceeded')).toBe(1);
    // The next look finds what is left, and closes nothing more.
    await until(() => host.metrics.bufferedBytes !== 1_300_000, 'the next sweep');
    expect(host.metrics.bufferedBytes).toBe(400_000);
    expect(clients.map((client) => client.closedWith?.code)).toEqual([undefined, 1013, undefined]);
    host.drain();
    await host.idle(1000);
    expect(host.activeSessions).toBe(0);
  });

  it('idle() resolves as soon as the last session ends, not on a poll', async () => {
    const host = createRelayHost({ config: configFrom({}), connectUpstream: neverConnects });
    const client = new MemorySocket();
    const admission = await host.admit(upgrade);
    if (!admission.ok) throw new Error('not admitted');
    admission.open(client);
    const idle = host.idle(10_000);
    let settled = false;
    void idle.then(() => {
      settled = true;
    });
    await Promise.resolve();
    expect(settled).toBe(false);
    client.peerClose(1000);
    await idle;
    expect(host.activeSessions).toBe(0);
  });
});

describe('CLIENT_IDLE_TIMEOUT_MS', () => {
  it('ends a session whose client sent nothing for that long, and spares one that talks', async () => {
    const host = createRelayHost({
      config: configFrom({ CLIENT_IDLE_TIMEOUT_MS: '300' }),
      connectUpstream: async () => new MemorySocket(),
    });
    const quiet = new MemorySocket();
    const talking = new MemorySocket();
    for (const client of [quiet, talking]) {
      const admission = await host.admit(upgrade);
      if (!admission.ok) throw new Error('not admitted');
      admission.open(client);
    }
    for (let step = 0; step < 8; step++) {
      await new Promise((resolve) => setTimeout(resolve, 80));
      talking.deliver('{"type":"x.keepalive"}');
    }
    expect(quiet.closedWith).toEqual({ code: 1000, reason: 'client idle for too long' });
    expect(talking.closedWith).toBeUndefined();
    host.drain();
  });
});
