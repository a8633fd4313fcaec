import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseRelayConfig } from '@rtwire/relay';
import { createSimulatorConnector } from '@rtwire/relay/engine';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { type MountedRelay, mountRelay } from '../src/index.ts';
import { ANSWER, OFFER, TestStack, type TestTransport, until } from './call-doubles.ts';

let server: Server | undefined;
let relay: MountedRelay | undefined;
afterEach(async () => {
  await relay?.close();
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
});

async function start(env: Record<string, string> = {}) {
  const stack = new TestStack();
  const parsed = parseRelayConfig(env);
  if (!parsed.ok) throw new Error('config');
  server = createServer((request, response) => relay?.respond(request, response));
  relay = mountRelay(server, {
    calls: stack,
    config: parsed.config,
    connectUpstream: createSimulatorConnector({ pace: 'fast' }),
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return { stack, http: `http://127.0.0.1:${port}`, ws: `ws://127.0.0.1:${port}` };
}

describe('mountRelay with calls', () => {
  it('serves /v1/realtime/calls, a sideband WebSocket by call_id, and hangup', async () => {
    const { stack, http, ws: wsBase } = await start();
    const created = await fetch(`${http}/v1/realtime/calls`, {
      method: 'POST',
      headers: { 'content-type': 'application/sdp' },
      body: OFFER,
    });
    expect(created.status).toBe(201);
    expect(await created.text()).toBe(ANSWER);
    expect(relay?.activeCalls).toBe(1);
    const callId = (created.headers.get('location') ?? '').split('/').at(-1) as string;

    // As an SDK opens it: the `realtime` subprotocol is offered, and must be chosen.
    const sideband = new WebSocket(`${wsBase}/v1/realtime?call_id=${callId}`, ['realtime']);
    const seen: { type: string; binary: boolean }[] = [];
    const closed = new Promise<[number, string]>((resolve) =>
      sideband.once('close', (code, reason) => resolve([code, String(reason)])),
    );
    sideband.on('message', (data, binary) =>
      seen.push({ type: JSON.parse(String(data)).type, binary }),
    );
    await new Promise((resolve, reject) => {
      sideband.once('open', resolve);
      sideband.once('error', reject);
    });
    expect(sideband.protocol).toBe('realtime');
    // A sideband is not a session of its own.
    expect(relay?.activeSessions).toBe(1);
    const transport = stack.transports[0] as TestTransport;
    transport.handlers?.open();
    sideband.send(JSON.stringify({ type: 'response.create' }));
    await until(() => seen.some((frame) => frame.type === 'response.created'), 'response.created');
    expect(transport.types()).toContain('response.created');
    expect(seen.every((frame) => !frame.binary)).toBe(true);

    const hangup = await fetch(`${http}/v1/realtime/calls/${callId}/hangup`, { method: 'POST' });
    expect(hangup.status).toBe(200);
    expect(await closed).toEqual([1000, 'call ended: hangup']);
    await until(() => relay?.activeSessions === 0, 'the session to end');
    expect(transport.closed).toBe(true);
  });

  it('counts calls and WebSocket sessions against one MAX_SESSIONS', async () => {
    const { http, ws: wsBase } = await start({ MAX_SESSIONS: '1' });
    const post = () =>
      fetch(`${http}/v1/realtime/calls`, {
        method: 'POST',
        headers: { 'content-type': 'application/sdp' },
        body: OFFER,
      });
    const upgrade = (socket: WebSocket) =>
      new Promise<number>((resolve) => {
        socket.once('open', () => resolve(101));
        socket.once('unexpected-response', (_request, response) =>
          resolve(response.statusCode ?? 0),
        );
      });
    const session = new WebSocket(`${wsBase}/v1/realtime`);
    expect(await upgrade(session)).toBe(101);
    expect((await post()).status).toBe(503);
    session.close();
    await until(() => relay?.activeSessions === 0, 'the WebSocket session to end');
    const call = await post();
    expect(call.status).toBe(201);
    expect(await upgrade(new WebSocket(`${wsBase}/v1/realtime`))).toBe(503);
    const callId = (call.headers.get('location') ?? '').split('/').at(-1) as string;
    await fetch(`${http}/v1/realtime/calls/${callId}/hangup`, { method: 'POST' });
    await until(() => relay?.activeSessions === 0, 'the call to end');
    const again = new WebSocket(`${wsBase}/v1/realtime`);
    expect(await upgrade(again)).toBe(101);
    again.close();
  });

  it('refuses a sideband for an unknown call with 404, and takes no session slot', async () => {
    const { ws: wsBase } = await start();
    const sideband = new WebSocket(`${wsBase}/v1/realtime?call_id=rtc_nope`);
    const status = await new Promise<number>((resolve) =>
      sideband.once('unexpected-response', (_request, response) =>
        resolve(response.statusCode ?? 0),
      ),
    );
    expect(status).toBe(404);
    expect(relay?.activeSessions).toBe(0);
  });

  it('without calls, the calls paths are 404 and call_id is an ordinary session', async () => {
    server = createServer((request, response) => relay?.respond(request, response));
    relay = mountRelay(server);
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    const response = await fetch(`http://127.0.0.1:${port}/v1/realtime/calls`, {
      method: 'POST',
      headers: { 'content-type': 'application/sdp' },
      body: OFFER,
    });
    expect(response.status).toBe(404);
  });
});
