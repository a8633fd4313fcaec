import { afterEach, describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import {
  connectClient,
  delay,
  eventually,
  startFakeUpstream,
  startRelay,
  stopAll,
} from './helpers.ts';

afterEach(stopAll);

const MIB = 1024 * 1024;
const FRAME = JSON.stringify({
  type: 'response.output_audio.delta',
  event_id: 'e',
  delta: 'A'.repeat(64 * 1024),
});

/** Sends audio deltas as fast as the socket takes them, counting bytes handed to it. */
function flood(socket: WebSocket, stats: { sent: number }) {
  const pump = () => {
    if (socket.readyState !== socket.OPEN) return;
    while (socket.bufferedAmount < 4 * MIB) {
      socket.send(FRAME);
      stats.sent += FRAME.length;
    }
    setTimeout(pump, 1);
  };
  pump();
}

describe('backpressure', () => {
  it('stops reading the upstream while a client is slow, so memory stays bounded, then resumes', async () => {
    const stats = { sent: 0 };
    const upstream = await startFakeUpstream((socket) => flood(socket, stats));
    const relay = await startRelay({
      UPSTREAM_URL: upstream.url,
      HIGH_WATER_BYTES: String(256 * 1024),
      LOG_LEVEL: 'info',
    });
    const client = await connectClient(relay.wsUrl);
    client.ws.pause();
    await eventually(() => relay.metrics.sessionsPaused === 1);
    // Let the upstream keep trying: it stalls, and the relay reads no more.
    await delay(300);
    const forwarded = () =>
      relay.metrics.frames.upstream_to_client.get('response.output_audio.delta')?.bytes ?? 0;
    const sentBefore = stats.sent;
    const forwardedBefore = forwarded();
    await delay(500);
    expect(stats.sent - sentBefore).toBeLessThan(FRAME.length * 2);
    expect(forwarded() - forwardedBefore).toBeLessThan(FRAME.length * 2);
    // What the relay read but the client has not: at most the client's socket buffers plus the high-water mark.
    expect(forwarded()).toBeLessThan(32 * MIB);
    const heldByRelay = process.memoryUsage().arrayBuffers;
    expect(heldByRelay).toBeLessThan(256 * MIB);

    client.ws.resume();
    await eventually(() => forwarded() > forwardedBefore + 8 * MIB, 10_000);
    expect(client.events.length).toBeGreaterThan(0);
  });

  it('stops reading a client while the upstream is slow', async () => {
    let upstreamSocket: WebSocket | undefined;
    const upstream = await startFakeUpstream((socket) => {
      upstreamSocket = socket;
      socket.pause();
    });
    const relay = await startRelay({
      UPSTREAM_URL: upstream.url,
      HIGH_WATER_BYTES: String(256 * 1024),
      RATE_LIMIT_PER_SECOND: '0',
    });
    const client = await connectClient(relay.wsUrl);
    await client.waitFor((event) => event.type === 'session.created');
    const append = JSON.stringify({
      type: 'input_audio_buffer.append',
      audio: 'A'.repeat(64 * 1024),
    });
    let sent = 0;
    while (sent < 64 * MIB && client.ws.bufferedAmount < 8 * MIB) {
      client.ws.send(append);
      sent += append.length;
      if (sent % (4 * MIB) < append.length) await delay(5);
    }
    await eventually(() => relay.metrics.sessionsPaused === 1);
    await delay(300);
    const read =
      relay.metrics.frames.client_to_upstream.get('input_audio_buffer.append')?.bytes ?? 0;
    expect(read).toBeLessThan(sent);
    expect(client.ws.bufferedAmount).toBeGreaterThan(0);
    upstreamSocket?.resume();
    await eventually(
      () =>
        (relay.metrics.frames.client_to_upstream.get('input_audio_buffer.append')?.bytes ?? 0) >=
        sent,
      10_000,
    );
  });
});
