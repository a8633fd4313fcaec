import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseRelayConfig } from '@rtwire/relay';
import { createSimulatorConnector } from '@rtwire/relay/engine';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { type MountedRelay, mountRelay } from '../src/index.ts';

let server: Server | undefined;
let relay: MountedRelay | undefined;
afterEach(async () => {
  await relay?.close();
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
});

describe('client secrets on mountRelay', () => {
  it('mints at POST /v1/realtime/client_secrets, and a browser socket opens with the secret', async () => {
    const parsed = parseRelayConfig({ RELAY_TOKENS: 'acme:acme-token' });
    if (!parsed.ok) throw new Error('config');
    server = createServer((request, response) => relay?.respond(request, response));
    relay = mountRelay(server, {
      config: parsed.config,
      connectUpstream: createSimulatorConnector({ pace: 'fast' }),
    });
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    const base = `127.0.0.1:${(server.address() as AddressInfo).port}`;
    const endpoint = `http://${base}/v1/realtime/client_secrets`;
    expect((await fetch(endpoint)).status).toBe(405);
    const refused = await fetch(endpoint, { method: 'POST', body: '{}' });
    expect(refused.status).toBe(401);
    const minted = await fetch(endpoint, {
      method: 'POST',
      headers: { authorization: 'Bearer acme-token', 'content-type': 'application/json' },
      body: JSON.stringify({ session: { type: 'realtime', instructions: 'Count to three.' } }),
    });
    expect(minted.status).toBe(200);
    const { value } = (await minted.json()) as { value: string };

    const socket = new WebSocket(`ws://${base}/v1/realtime`, [
      'realtime',
      `openai-insecure-api-key.${value}`,
    ]);
    const updated = await new Promise<{ session: { instructions?: string } }>((resolve, reject) => {
      socket.on('message', (data) => {
        const event = JSON.parse(String(data));
        if (event.type === 'session.updated') resolve(event);
      });
      socket.once('error', reject);
    });
    expect(socket.protocol).toBe('realtime');
    expect(updated.session.instructions).toBe('Count to three.');
    socket.close();

    // A secret cut short is refused at the handshake, saying why.
    const status = await new Promise<number>((resolve) => {
      const cut = new WebSocket(`ws://${base}/v1/realtime`, {
        headers: { authorization: `Bearer ${value.slice(0, 30)}` },
      });
      cut.once('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
    });
    expect(status).toBe(401);
  });
});
