import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type CallDirectory,
  createCallDirectory,
  parseRelayConfig,
  parseRelayPolicy,
} from '@rtwire/relay';
import { createSimulatorConnector } from '@rtwire/relay/engine';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import {
  type FakeCallsUpstream,
  startFakeCallsUpstream,
} from '../../../test-support/fake-calls-upstream.ts';
import { type RedisServer, startRedisServer } from '../../../test-support/redis-server.ts';
import { createWsUpstreamConnector, type MountedRelay, mountRelay } from '../src/index.ts';
import { connectRedis } from '../src/redis-connection.ts';
import { OFFER, TestStack, type TestTransport, until } from './call-doubles.ts';

// Two relay instances behind one (imaginary) load balancer, sharing a real Redis: a call's offer
// reaches one, its sideband and hangup the other, which passes them on to the instance holding
// the call. Both the calls a relay forwards to a network upstream and the calls its engine
// serves.

let redis: RedisServer;
let upstream: FakeCallsUpstream | undefined;
const running: { relay: MountedRelay; server: Server }[] = [];
const connections: ReturnType<typeof connectRedis>[] = [];

beforeAll(async () => {
  redis = await startRedisServer();
});
afterAll(async () => {
  await Promise.all(connections.map((connection) => connection.close()));
  await redis?.stop();
});
afterEach(async () => {
  for (const { relay, server } of running.splice(0)) await stop(relay, server);
  await upstream?.close();
  upstream = undefined;
});

async function stop(relay: MountedRelay, server: Server) {
  await relay.close();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
}

function redisCommand() {
  const connection = connectRedis(new URL(redis.url));
  connections.push(connection);
  return connection.command;
}

type Mode = 'forwarded' | 'served';

/** One relay instance on a loopback port, registered in the shared Redis as `instanceId`. */
async function instance(instanceId: string, mode: Mode, leaseMs = 30_000) {
  const env: Record<string, string> =
    mode === 'forwarded'
      ? {
          UPSTREAM_URL: (upstream as FakeCallsUpstream).url,
          OPENAI_API_KEY: 'sk-server-key',
          RELAY_TOKENS: 'acme:acme-token,globex:globex-token',
        }
      : { RELAY_TOKENS: 'acme:acme-token,globex:globex-token' };
  const parsed = parseRelayConfig(env);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  const policy = parseRelayPolicy({ tenants: { acme: {}, globex: {} } });
  if (!policy.ok) throw new Error('policy');
  let relay: MountedRelay | undefined;
  const server = createServer((request, response) => relay?.respond(request, response));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const http = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const stack = new TestStack();
  const callDirectory: CallDirectory = createCallDirectory({
    instanceId,
    registry: { command: redisCommand(), url: new URL(http), leaseMs },
  });
  relay = mountRelay(server, {
    config: parsed.config,
    connectUpstream:
      mode === 'forwarded'
        ? createWsUpstreamConnector({
            url: parsed.config.upstreamUrl as URL,
            apiKey: parsed.config.upstreamApiKey,
            maxFrameBytes: parsed.config.maxFrameBytes,
          })
        : createSimulatorConnector({ pace: 'fast' }),
    policy: policy.policy,
    callDirectory,
    ...(mode === 'served' ? { calls: stack } : {}),
  });
  running.push({ relay, server });
  // The registration is written as the directory starts; wait until it is readable.
  const key = `rtwire:{i:${instanceId}}:url`;
  const command = redisCommand();
  const deadline = Date.now() + 10_000;
  while ((await command(['GET', key], key)) !== http) {
    if (Date.now() > deadline) throw new Error(`${instanceId} never registered`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return { relay, server, http, ws: http.replace('http:', 'ws:'), stack };
}

async function placeCall(http: string, token = 'acme-token'): Promise<string> {
  const created = await fetch(`${http}/v1/realtime/calls`, {
    method: 'POST',
    headers: { 'content-type': 'application/sdp', authorization: `Bearer ${token}` },
    body: OFFER,
  });
  expect(created.status).toBe(201);
  return (created.headers.get('location') ?? '').split('/').at(-1) as string;
}

/** Opens a sideband; resolves the socket, or the HTTP status it was refused with. */
function openSideband(
  ws: string,
  callId: string,
  headers: Record<string, string>,
): Promise<WebSocket | number> {
  const socket = new WebSocket(`${ws}/v1/realtime?call_id=${callId}`, ['realtime'], { headers });
  return new Promise((resolve, reject) => {
    socket.once('open', () => resolve(socket));
    socket.once('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
    socket.once('error', reject);
  });
}

const hangUp = (http: string, callId: string, token = 'acme-token') =>
  fetch(`${http}/v1/realtime/calls/${callId}/hangup`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
  });

describe('calls behind a load balancer: a sideband or a hangup reaching another instance', () => {
  it('forwarded calls: the sideband through B drives the call A holds both ways, and B hangs it up', async () => {
    upstream = await startFakeCallsUpstream();
    const a = await instance('relay-a', 'forwarded');
    const b = await instance('relay-b', 'forwarded');
    const callId = await placeCall(a.http);
    // The id names the instance holding the call, for a load balancer that routes on it.
    expect(callId).toMatch(/^rtc_relay-a_[0-9a-f]{32}$/);
    const fake = upstream;
    await until(() => fake.sidebands.length === 1, "A's sideband upstream");

    const sideband = await openSideband(b.ws, callId, { authorization: 'Bearer acme-token' });
    if (typeof sideband === 'number') throw new Error(`refused with ${sideband}`);
    expect(sideband.protocol).toBe('realtime');
    const seen: string[] = [];
    const closed = new Promise<[number, string]>((resolve) =>
      sideband.once('close', (code, reason) => resolve([code, String(reason)])),
    );
    sideband.on('message', (data, binary) => {
      expect(binary).toBe(false);
      seen.push(String(data));
    });
    sideband.send(JSON.stringify({ type: 'response.create', event_id: 'evt_via_b' }));
    const upstreamSide = fake.sidebands[0];
    await until(
      () => upstreamSide?.received.some((text) => text.includes('evt_via_b')) === true,
      'the event sent through B to reach the upstream call',
    );
    // What the call's upstream says reaches the sideband on B, as text.
    upstreamSide?.ws.send(JSON.stringify({ type: 'response.created', event_id: 'evt_up' }));
    await until(() => seen.some((text) => text.includes('evt_up')), 'the upstream event on B');
    // B holds no session for it: the call is A's.
    expect(b.relay.activeSessions).toBe(0);
    expect(a.relay.activeCalls).toBe(1);

    const hangup = await hangUp(b.http, callId);
    expect(hangup.status).toBe(200);
    expect(fake.hangups).toEqual([{ callId: 'rtc_up1', authorization: 'Bearer sk-server-key' }]);
    expect((await closed)[0]).toBe(1000);
    await until(() => a.relay.activeCalls === 0, 'the call to end on A');
    // B counted what it passed on; A, which answered both, passed nothing on.
    expect(Object.fromEntries(b.relay.metrics.callsRouted)).toEqual({
      'sideband/ok': 1,
      'hangup/ok': 1,
    });
    expect(a.relay.metrics.callsRouted.size).toBe(0);
  });

  it('served calls: the sideband through B reaches the engine call A holds, and B hangs it up', async () => {
    const a = await instance('relay-a', 'served');
    const b = await instance('relay-b', 'served');
    const callId = await placeCall(a.http);
    expect(callId).toMatch(/^rtc_relay-a_[0-9a-f]{32}$/);
    const transport = a.stack.transports[0] as TestTransport;
    transport.handlers?.open();

    const sideband = await openSideband(b.ws, callId, { authorization: 'Bearer acme-token' });
    if (typeof sideband === 'number') throw new Error(`refused with ${sideband}`);
    const types: string[] = [];
    const closed = new Promise<[number, string]>((resolve) =>
      sideband.once('close', (code, reason) => resolve([code, String(reason)])),
    );
    sideband.on('message', (data) => types.push(JSON.parse(String(data)).type));
    sideband.send(JSON.stringify({ type: 'response.create' }));
    await until(() => types.includes('response.done'), "the response A's engine made");
    // The browser's data channel saw the same response.
    expect(transport.types()).toContain('response.done');

    const hangup = await hangUp(b.http, callId);
    expect(hangup.status).toBe(200);
    expect(await closed).toEqual([1000, 'call ended: hangup']);
    await until(() => a.relay.activeSessions === 0, 'the call to end on A');
    expect(transport.closed).toBe(true);
  });

  it("refuses through B as A would: another tenant's call 404, no credential 401, an unknown instance 404", async () => {
    const a = await instance('relay-a', 'served');
    const b = await instance('relay-b', 'served');
    const callId = await placeCall(a.http);
    expect(await openSideband(b.ws, callId, { authorization: 'Bearer globex-token' })).toBe(404);
    expect(await openSideband(b.ws, callId, {})).toBe(401);
    expect((await hangUp(b.http, callId, 'globex-token')).status).toBe(404);
    // No credential: answered where it lands, never passed on.
    const anonymous = await fetch(`${b.http}/v1/realtime/calls/${callId}/hangup`, {
      method: 'POST',
    });
    expect(anonymous.status).toBe(401);
    const nobody = callId.replace('relay-a', 'relay-z');
    expect(await openSideband(b.ws, nobody, { authorization: 'Bearer acme-token' })).toBe(404);
    expect((await hangUp(b.http, nobody)).status).toBe(404);
    // A request already passed on once is answered where it lands, never passed on again.
    expect(
      await openSideband(b.ws, callId, {
        authorization: 'Bearer acme-token',
        'rtwire-routed': '1',
      }),
    ).toBe(404);
    // The call is untouched by all of that.
    expect(a.relay.activeCalls).toBe(1);
  });

  it('forgets an instance that stopped (its registration withdrawn) or died (its lease lapsed)', async () => {
    const a = await instance('relay-a', 'served');
    const b = await instance('relay-b', 'served');
    const callId = await placeCall(a.http);
    const entry = running.findIndex((item) => item.relay === a.relay);
    running.splice(entry, 1);
    await stop(a.relay, a.server);
    expect(await openSideband(b.ws, callId, { authorization: 'Bearer acme-token' })).toBe(404);

    // An instance that died: registered with a short lease at an address where nothing
    // listens. Within the lease the request is passed on and fails (502); after it, 404.
    const command = redisCommand();
    const key = 'rtwire:{i:relay-dead}:url';
    await command(['SET', key, a.http, 'PX', '1500'], key);
    const dead = callId.replace('relay-a', 'relay-dead');
    expect(await openSideband(b.ws, dead, { authorization: 'Bearer acme-token' })).toBe(502);
    expect((await hangUp(b.http, dead)).status).toBe(502);
    const metrics = await (await fetch(`${b.http}/metrics`)).text();
    expect(metrics).toContain(
      'rtwire_relay_calls_routed_total{kind="sideband",outcome="unreachable"} 1',
    );
    expect(metrics).toContain(
      'rtwire_relay_calls_routed_total{kind="hangup",outcome="unreachable"} 1',
    );
    const deadline = Date.now() + 15_000;
    let status = 0;
    while (Date.now() < deadline) {
      status = (await openSideband(b.ws, dead, { authorization: 'Bearer acme-token' })) as number;
      if (status === 404) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(status).toBe(404);
  });
});
