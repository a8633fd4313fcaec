import { decodeServerEvent } from '@rtwire/types';
import { describe, expect, it } from 'vitest';
import { MemorySocket } from '../../test/memory-socket.ts';
import { RelayMetrics } from '../observe/relay-metrics.ts';
import { type RelaySessionLimits, startRelaySession } from '../relay-session.ts';
import type { UpstreamConnector } from '../upstream/upstream-connector.ts';

const limits: RelaySessionLimits = {
  maxFrameBytes: 1024,
  rateLimitPerSecond: 0,
  rateLimitBurst: 1,
  highWaterBytes: 100,
  hardLimitBytes: 1000,
};
const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

async function open(
  options: {
    limits?: Partial<RelaySessionLimits>;
    client?: MemorySocket;
    upstream?: MemorySocket;
  } = {},
) {
  const client = options.client ?? new MemorySocket();
  const upstream = options.upstream ?? new MemorySocket();
  const metrics = new RelayMetrics();
  const session = startRelaySession({
    client,
    connectUpstream: async () => upstream,
    model: 'gpt-realtime',
    limits: { ...limits, ...options.limits },
    metrics,
  });
  await tick();
  return { client, upstream, metrics, session };
}

describe('startRelaySession', () => {
  it('forwards valid and unknown client events as they came, and server frames untouched', async () => {
    const { client, upstream, metrics } = await open();
    const valid = '{"type":"response.create","event_id":"c1"}';
    const unknown = '{"type":"future.event","x":1}';
    client.deliver(valid);
    client.deliver(unknown);
    expect(upstream.sent.map((frame) => frame.data)).toEqual([valid, unknown]);
    const serverFrame = new TextEncoder().encode(
      '{"type":"response.output_text.delta","event_id":"s1"}',
    );
    upstream.deliver(serverFrame);
    expect(client.sent[0]?.data).toBe(serverFrame);
    expect(metrics.frames.upstream_to_client.get('response.output_text.delta')).toEqual({
      frames: 1,
      bytes: 53,
    });
    expect(metrics.frames.client_to_upstream.get('unknown')?.frames).toBe(1);
  });

  it('answers invalid JSON and invalid known events with a spec-valid error and goes on', async () => {
    const { client, upstream } = await open();
    client.deliver('{not json');
    client.deliver('{"type":"conversation.item.create","event_id":"bad1","item":"secret words"}');
    client.deliver('{"type":"response.create"}');
    expect(upstream.sent.map((frame) => frame.data)).toEqual(['{"type":"response.create"}']);
    const [first, second] = client.events();
    expect(first).toMatchObject({
      type: 'error',
      error: { type: 'invalid_request_error', code: 'invalid_json', event_id: null },
    });
    expect(second).toMatchObject({
      type: 'error',
      error: {
        type: 'invalid_request_error',
        code: 'invalid_event',
        event_id: 'bad1',
        param: 'item',
      },
    });
    for (const event of [first, second])
      expect(decodeServerEvent(event)).toMatchObject({ ok: true, known: true });
    expect(JSON.stringify(client.events())).not.toContain('secret words');
    expect(client.closedWith).toBeUndefined();
  });

  it('closes with 1009 when a client frame is too large', async () => {
    const { client, upstream } = await open();
    client.deliver(`{"type":"input_audio_buffer.append","audio":"${'A'.repeat(2000)}"}`);
    expect(client.closedWith?.code).toBe(1009);
    expect(upstream.sent).toEqual([]);
    expect(upstream.closedWith?.code).toBe(1000);
  });

  it('refuses events over the rate limit with an error event', async () => {
    const { client, upstream } = await open({
      limits: { rateLimitPerSecond: 1, rateLimitBurst: 2 },
    });
    for (let index = 0; index < 3; index++)
      client.deliver(`{"type":"response.create","event_id":"r${index}"}`);
    expect(upstream.sent).toHaveLength(2);
    expect(client.events()[0]).toMatchObject({
      error: { code: 'rate_limit_exceeded', event_id: 'r2' },
    });
  });

  it('queues client frames until the upstream opens, in order', async () => {
    const client = new MemorySocket();
    const upstream = new MemorySocket();
    let release: (socket: MemorySocket) => void = () => {};
    const connectUpstream: UpstreamConnector = () => new Promise((resolve) => (release = resolve));
    startRelaySession({ client, connectUpstream, model: undefined, limits });
    client.deliver('{"type":"session.update","session":{"type":"realtime"}}');
    client.deliver('{"type":"response.create"}');
    expect(upstream.sent).toEqual([]);
    release(upstream);
    await tick();
    expect(upstream.events().map((event) => event.type)).toEqual([
      'session.update',
      'response.create',
    ]);
  });

  it('pauses the upstream while the client buffer is above the high-water mark', async () => {
    const { client, upstream, metrics } = await open();
    client.bufferedAmount = 150;
    upstream.deliver('{"type":"response.output_audio.delta"}');
    expect(upstream.paused).toBe(true);
    expect(metrics.sessionsPaused).toBe(1);
    client.drain();
    expect(upstream.paused).toBe(false);
    expect(metrics.sessionsPaused).toBe(0);
  });

  it('pauses the client while the upstream buffer is full, resumes on drain', async () => {
    const { client, upstream } = await open();
    upstream.bufferedAmount = 500;
    client.deliver('{"type":"response.create"}');
    expect(client.paused).toBe(true);
    upstream.drain();
    expect(client.paused).toBe(false);
  });

  it('closes with 1013 a client that cannot keep up when the upstream cannot pause', async () => {
    const { client, upstream } = await open({ upstream: new MemorySocket({ pausable: false }) });
    client.bufferedAmount = 500;
    upstream.deliver('{"type":"response.output_audio.delta"}');
    expect(client.closedWith).toBeUndefined();
    client.bufferedAmount = 5000;
    upstream.deliver('{"type":"response.output_audio.delta"}');
    expect(client.closedWith?.code).toBe(1013);
  });

  it('answers an upstream connect failure with an error event and 1011', async () => {
    const client = new MemorySocket();
    const metrics = new RelayMetrics();
    startRelaySession({
      client,
      connectUpstream: async () => {
        throw new Error('connect ECONNREFUSED with sk-secret');
      },
      model: undefined,
      limits,
      metrics,
    });
    await tick();
    expect(client.events()).toMatchObject([
      { type: 'error', error: { type: 'server_error', code: 'upstream_unavailable' } },
    ]);
    expect(JSON.stringify(client.events())).not.toContain('sk-secret');
    expect(client.closedWith?.code).toBe(1011);
    expect(metrics.sessionsActive).toBe(0);
  });

  it('answers an abnormal upstream close with an error event and a meaningful code', async () => {
    const crashed = await open();
    crashed.upstream.peerClose(1006);
    expect(crashed.client.events().at(-1)).toMatchObject({
      type: 'error',
      error: { code: 'upstream_closed' },
    });
    expect(crashed.client.closedWith?.code).toBe(1011);
    const refused = await open();
    refused.upstream.peerClose(4002);
    expect(refused.client.closedWith?.code).toBe(4002);
  });

  it('passes a normal upstream close on without an error event', async () => {
    const { client, upstream } = await open();
    upstream.peerClose(1000);
    expect(client.sent).toEqual([]);
    expect(client.closedWith?.code).toBe(1000);
  });

  it('closes the upstream when the client leaves, and ends the session', async () => {
    const { client, upstream, metrics, session } = await open();
    client.peerClose(1001);
    expect(upstream.closedWith?.code).toBe(1000);
    await expect(session.done).resolves.toBe(1001);
    expect(metrics.sessionsActive).toBe(0);
    upstream.deliver('{"type":"response.done"}');
    expect(client.sent).toEqual([]);
  });

  it('closes both sides when the session is closed for shutdown', async () => {
    const { client, upstream, session } = await open();
    session.close(1001, 'server shutting down');
    expect(client.closedWith).toEqual({ code: 1001, reason: 'server shutting down' });
    expect(upstream.closedWith?.code).toBe(1000);
  });
});

describe('startRelaySession with an upstream that delivers on resume', () => {
  it('keeps the paused-sessions gauge right when resuming pauses again', async () => {
    const client = new MemorySocket();
    const upstream = new MemorySocket();
    // Like an in-process socket: resume delivers queued frames synchronously.
    upstream.resume = () => {
      upstream.paused = false;
      client.bufferedAmount = 500;
      upstream.deliver('{"type":"response.output_audio.delta"}');
    };
    const metrics = new RelayMetrics();
    startRelaySession({
      client,
      connectUpstream: async () => upstream,
      model: undefined,
      limits,
      metrics,
    });
    await tick();
    client.bufferedAmount = 500;
    upstream.deliver('{"type":"response.output_audio.delta"}');
    expect(metrics.sessionsPaused).toBe(1);
    client.handlers?.drain();
    expect(upstream.paused).toBe(true);
    expect(metrics.sessionsPaused).toBe(1);
    client.peerClose(1000);
    expect(metrics.sessionsPaused).toBe(0);
  });
});
