import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { connectClient, startFakeUpstream, startRelay, stopAll } from './helpers.ts';

afterEach(stopAll);

/** A loopback port with nothing listening. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('faults', () => {
  it('reports an upstream connect failure with an error event, then 1011', async () => {
    const relay = await startRelay({
      UPSTREAM_URL: `ws://127.0.0.1:${await closedPort()}/v1/realtime`,
    });
    const client = await connectClient(relay.wsUrl);
    const error = await client.waitFor((event) => event.type === 'error');
    expect(error).toMatchObject({ error: { type: 'server_error', code: 'upstream_unavailable' } });
    expect((await client.closed).code).toBe(1011);
  });

  it('reports an upstream that refuses the key as unavailable, without its answer', async () => {
    const refusing = createServer((socket) => {
      socket.once('data', () =>
        socket.end('HTTP/1.1 401 Unauthorized\r\nContent-Length: 19\r\n\r\nbad key sk-upstream'),
      );
    });
    await new Promise<void>((resolve) => refusing.listen(0, '127.0.0.1', resolve));
    const { port } = refusing.address() as { port: number };
    try {
      const relay = await startRelay({
        UPSTREAM_URL: `ws://127.0.0.1:${port}/v1/realtime`,
        OPENAI_API_KEY: 'sk-upstream',
      });
      const client = await connectClient(relay.wsUrl);
      const error = await client.waitFor((event) => event.type === 'error');
      expect(error).toMatchObject({ error: { code: 'upstream_unavailable' } });
      expect((await client.closed).code).toBe(1011);
      expect(client.raw.join('')).not.toContain('sk-upstream');
      expect(relay.logs.join('')).toContain('upstream answered HTTP 401');
      expect(relay.logs.join('')).not.toContain('sk-upstream');
    } finally {
      await new Promise((resolve) => refusing.close(resolve));
    }
  });

  it('with RESUME=off, reports an upstream crash mid-response with an error event, then 1011', async () => {
    const upstream = await startFakeUpstream((socket) => {
      socket.on('message', () => {
        for (let index = 0; index < 3; index++) {
          socket.send(
            JSON.stringify({
              type: 'response.output_text.delta',
              event_id: `d${index}`,
              delta: 'x',
            }),
          );
        }
        setTimeout(() => socket.terminate(), 20);
      });
    });
    const relay = await startRelay({ RESUME: 'off', UPSTREAM_URL: upstream.url });
    const client = await connectClient(relay.wsUrl);
    client.send({ type: 'response.create' });
    const { code } = await client.closed;
    expect(code).toBe(1011);
    const types = client.events.map((event) => event.type);
    expect(types.filter((type) => type === 'response.output_text.delta')).toHaveLength(3);
    expect(types.at(-1)).toBe('error');
    expect(client.events.at(-1)).toMatchObject({ error: { code: 'upstream_closed' } });
  });

  it("passes the upstream's own close code on", async () => {
    const upstream = await startFakeUpstream((socket) =>
      setTimeout(() => socket.close(4001, 'quota'), 10),
    );
    const relay = await startRelay({ UPSTREAM_URL: upstream.url });
    const client = await connectClient(relay.wsUrl);
    expect((await client.closed).code).toBe(4001);
  });

  it('closes the upstream when the client leaves', async () => {
    const upstream = await startFakeUpstream();
    const relay = await startRelay({ UPSTREAM_URL: upstream.url });
    const client = await connectClient(relay.wsUrl);
    await client.waitFor((event) => event.type === 'session.created');
    const upstreamSocket = upstream.sockets[0];
    const upstreamClosed = new Promise<number>((resolve) =>
      upstreamSocket?.once('close', () => resolve(Date.now())),
    );
    client.ws.terminate();
    // Closing at all is the behaviour; how soon is the machine's (the test's timeout guards).
    await upstreamClosed;
    await expect.poll(() => relay.activeSessions).toBe(0);
  });
});
