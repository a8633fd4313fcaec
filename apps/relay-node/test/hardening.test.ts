import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { maskedFrame, Opcode, openRawWebSocket } from '../../../test-support/raw-socket.ts';
import {
  connectClient,
  delay,
  eventually,
  startFakeUpstream,
  startRelay,
  stopAll,
  upgradeStatus,
} from './helpers.ts';
import { type SpawnedRelay, spawnRelay } from './spawn-relay.ts';

let spawned: SpawnedRelay | undefined;
afterEach(async () => {
  spawned?.child.kill('SIGKILL');
  spawned = undefined;
  await stopAll();
});

const wsUrlOf = (httpUrl: string) => `${httpUrl.replace(/^http/, 'ws')}/v1/realtime`;

describe('logging at debug', () => {
  it('survives a 4 KB frame nested 2,000 deep, and the session goes on', async () => {
    spawned = await spawnRelay({ LOG_LEVEL: 'debug', SIM_PACE: 'fast' });
    const client = await connectClient(wsUrlOf(spawned.url));
    await client.waitFor((event) => event.type === 'session.created');
    client.send(`{"type":"x.nested","a":${'['.repeat(2000)}${']'.repeat(2000)}}`);
    client.send(`${'['.repeat(2000)}${']'.repeat(2000)}`);
    client.send({ type: 'conversation.item.retrieve', event_id: 'after', item_id: 'none' });
    await client.waitFor(
      (event) =>
        event.type === 'error' && (event.error as { event_id?: unknown }).event_id === 'after',
    );
    expect(spawned.child.exitCode).toBeNull();
    // The debug line may be written after the answer: both frames are refused where they enter.
    const relay = spawned;
    await eventually(() => relay.output.join('').includes('"msg":"client.event"'), 15_000);
  });
});

describe('heartbeat', () => {
  it('drops a client that stopped answering and closes its upstream; a live one stays', async () => {
    const upstream = await startFakeUpstream();
    const relay = await startRelay({ UPSTREAM_URL: upstream.url, HEARTBEAT_INTERVAL_MS: '150' });
    const live = await connectClient(relay.wsUrl);
    await live.waitFor((event) => event.type === 'session.created');
    // Completes the handshake, then reads nothing and answers nothing: a silently dropped peer.
    await openRawWebSocket(relay.wsUrl);
    await eventually(() => upstream.sockets.length === 2);
    const deadUpstream = upstream.sockets[1];
    const upstreamClosed = new Promise<number>((resolve) =>
      deadUpstream?.once('close', () => resolve(Date.now())),
    );
    // Pinged at 150 ms, found silent at 300 ms; the upstream goes with it. Only the heartbeat
    // can close it (the peer is silent, not gone), so closing at all is the proof; how soon
    // depends on how busy the machine is.
    await upstreamClosed;
    await eventually(() => relay.activeSessions === 1);
    await delay(600);
    expect(relay.activeSessions).toBe(1);
    expect(live.ws.readyState).toBe(live.ws.OPEN);
    expect(relay.logs.join('')).toMatch(
      /"msg":"session.close"[^\n]*"code":1006[^\n]*no answer to a ping/,
    );
  });

  it('does not take a slow reader for dead: its pongs wait behind the backlog it is draining', async () => {
    const frame = JSON.stringify({
      type: 'response.output_audio.delta',
      event_id: 'e',
      delta: 'A'.repeat(64 * 1024),
    });
    const upstream = await startFakeUpstream((socket) => {
      const pump = setInterval(() => {
        if (socket.readyState !== socket.OPEN) return clearInterval(pump);
        while (socket.bufferedAmount < 2 * 1024 * 1024) socket.send(frame);
      }, 5);
    });
    // A heartbeat long beside the sips, so a busy machine that delays a few of them does not
    // look like a reader that stopped: two seconds hold about twenty sips, megabytes, more
    // than the kernel buffers between the two sockets take before the relay sees them move.
    const relay = await startRelay({ UPSTREAM_URL: upstream.url, HEARTBEAT_INTERVAL_MS: '2000' });
    // Never answers a ping (it parses nothing) and reads in sips: every 100 ms, at most 256 KiB
    // or 20 ms, whichever ends first. Bounded in bytes, it stays slower than the upstream on a
    // busy machine too, so a backlog always waits for it (a reader bounded only in time kept
    // up with a pump slowed by load, and with no backlog nothing stood for its pongs).
    const slow = await openRawWebSocket(relay.wsUrl);
    let read = 0;
    let sip = 0;
    slow.socket.on('data', (chunk: Buffer) => {
      read += chunk.length;
      sip += chunk.length;
      if (sip >= 256 * 1024) slow.socket.pause();
    });
    slow.socket.pause();
    const sips = setInterval(() => {
      sip = 0;
      slow.socket.resume();
      setTimeout(() => slow.socket.pause(), 20);
    }, 100);
    await delay(5000);
    clearInterval(sips);
    expect(read).toBeGreaterThan(256 * 1024);
    // Why the session ended, should it have: the relay's own close line.
    const closes = relay.logs.filter((line) => line.includes('"msg":"session.close"')).join('\n');
    expect(relay.activeSessions, closes).toBe(1);
    // Once it stops reading altogether, the backlog stops moving and it is taken for gone.
    await eventually(() => relay.activeSessions === 0, 20_000);
  });

  it('does not take a client for dead while the relay itself has paused reading it', async () => {
    const upstream = await startFakeUpstream((socket) => socket.pause());
    const relay = await startRelay({
      UPSTREAM_URL: upstream.url,
      HEARTBEAT_INTERVAL_MS: '100',
      HIGH_WATER_BYTES: String(64 * 1024),
      RATE_LIMIT_PER_SECOND: '0',
    });
    const client = await connectClient(relay.wsUrl);
    await client.waitFor((event) => event.type === 'session.created');
    const append = JSON.stringify({ type: 'input_audio_buffer.append', audio: 'A'.repeat(60_000) });
    for (let index = 0; index < 200; index++) client.send(append);
    await eventually(() => relay.metrics.sessionsPaused === 1);
    await delay(600);
    expect(relay.activeSessions).toBe(1);
  });
});

describe('messages that never complete', () => {
  it('closes with 1008 a client whose fragmented message stops half way', async () => {
    const relay = await startRelay({ MESSAGE_TIMEOUT_MS: '300' });
    const client = await openRawWebSocket(relay.wsUrl);
    client.socket.resume();
    const received: Buffer[] = [];
    client.socket.on('data', (chunk: Buffer) => received.push(chunk));
    client.socket.write(maskedFrame(Opcode.text, '{"type":"input_audio_buffer.append",', false));
    const started = Date.now();
    await client.closed;
    // Not before the deadline; after it, as soon as the machine gets to it.
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(relay.logs.join('')).toMatch(
      /"msg":"session.close"[^\n]*"code":1008[^\n]*not completed in time/,
    );
    // The close frame the relay sent: opcode 8, code 1008.
    const bytes = Buffer.concat(received);
    const close = bytes.indexOf(0x88);
    expect(close).toBeGreaterThanOrEqual(0);
    expect(bytes.readUInt16BE(close + 2)).toBe(1008);
  });

  it('closes a client that sends one frame a byte at a time past the deadline', async () => {
    const relay = await startRelay({ MESSAGE_TIMEOUT_MS: '300' });
    const client = await openRawWebSocket(relay.wsUrl);
    const frame = maskedFrame(Opcode.text, '{"type":"response.create"}');
    let index = 0;
    const drip = setInterval(() => {
      if (index < frame.length && !client.socket.destroyed)
        client.socket.write(frame.subarray(index, ++index));
    }, 50);
    await client.closed;
    clearInterval(drip);
    expect(index).toBeLessThan(frame.length);
  });

  it('leaves alone a client whose messages each arrive in time, however long it stays', async () => {
    const relay = await startRelay({ MESSAGE_TIMEOUT_MS: '200' });
    const client = await openRawWebSocket(relay.wsUrl);
    // Whole messages spaced out, and one sent in two halves well within the deadline.
    for (let round = 0; round < 6; round++) {
      const frame = maskedFrame(Opcode.text, '{"type":"future.event"}');
      client.socket.write(frame.subarray(0, 5));
      await delay(50);
      client.socket.write(frame.subarray(5));
      await delay(100);
    }
    expect(client.socket.destroyed).toBe(false);
    expect(relay.activeSessions).toBe(1);
  });

  it('counts what unfinished messages hold against MAX_BUFFERED_BYTES and closes the largest', async () => {
    const relay = await startRelay({
      MAX_BUFFERED_BYTES: String(1024 * 1024),
      MESSAGE_TIMEOUT_MS: '60000',
    });
    const small = await openRawWebSocket(relay.wsUrl);
    const large = await openRawWebSocket(relay.wsUrl);
    small.socket.write(
      maskedFrame(Opcode.text, `{"type":"x","pad":"${'a'.repeat(300_000)}`, false),
    );
    await delay(200);
    expect(relay.activeSessions).toBe(2);
    expect(relay.metrics.bufferedBytes).toBeGreaterThan(300_000);
    large.socket.write(
      maskedFrame(Opcode.text, `{"type":"x","pad":"${'a'.repeat(900_000)}`, false),
    );
    await eventually(() => relay.activeSessions === 1, 5000);
    expect(relay.metrics.errors.get('buffer_budget_exceeded')).toBe(1);
    expect(small.socket.destroyed).toBe(false);
  });
});

describe('invalid UTF-8 from the upstream', () => {
  it('is never forwarded: the client gets an error event and a clean close', async () => {
    const upstream = await startFakeUpstream((socket) => {
      setTimeout(() => socket.send(Buffer.from([0x7b, 0xc0, 0xaf, 0x7d]), { binary: false }), 50);
    });
    // Without resume, so the one drop is the end (with it, each fresh upstream fails alike).
    const relay = await startRelay({ RESUME: 'off', UPSTREAM_URL: upstream.url });
    const client = await connectClient(relay.wsUrl);
    const closed = await client.closed;
    expect(client.events.map((event) => event.type)).toEqual(['session.created', 'error']);
    expect(client.events[1]).toMatchObject({ error: { code: 'upstream_closed' } });
    expect(closed.code).toBe(1011);
  });
});

describe('the upstream handshake', () => {
  it('gives up after UPSTREAM_HANDSHAKE_TIMEOUT_MS on an upstream that never answers', async () => {
    const held: Socket[] = [];
    const silent: Server = createServer((socket) => held.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as { port: number };
    try {
      const relay = await startRelay({
        UPSTREAM_URL: `ws://127.0.0.1:${port}/v1/realtime`,
        UPSTREAM_HANDSHAKE_TIMEOUT_MS: '200',
      });
      const client = await connectClient(relay.wsUrl);
      // The upstream never answers: only the handshake deadline can produce this error.
      const error = await client.waitFor((event) => event.type === 'error', 15_000);
      expect(error).toMatchObject({ error: { code: 'upstream_unavailable' } });
      expect((await client.closed).code).toBe(1011);
    } finally {
      for (const socket of held) socket.destroy();
      silent.close();
    }
  });
});

describe('/metrics with METRICS_TOKEN', () => {
  it('answers 401 without the token and the metrics with it', async () => {
    const relay = await startRelay({ METRICS_TOKEN: 'scrape-token', RELAY_TOKENS: 'client-token' });
    expect((await fetch(`${relay.url}/metrics`)).status).toBe(401);
    const allowed = await fetch(`${relay.url}/metrics`, {
      headers: { authorization: 'Bearer scrape-token' },
    });
    expect(allowed.status).toBe(200);
    expect(await allowed.text()).toContain('rtwire_relay_sessions_active');
    expect((await fetch(`${relay.url}/healthz`)).status).toBe(200);
  });
});

describe('a client that offers only the credential subprotocol', () => {
  it('is refused with 400 and told to offer realtime, where it used to get a 101 it aborted on', async () => {
    const relay = await startRelay({ RELAY_TOKENS: 'client-token' });
    await expect(
      upgradeStatus(relay.wsUrl, { protocols: ['openai-insecure-api-key.client-token'] }),
    ).resolves.toMatchObject({ status: 400 });
    const accepted = await connectClient(relay.wsUrl, {
      protocols: ['realtime', 'openai-insecure-api-key.client-token'],
    });
    expect(accepted.ws.protocol).toBe('realtime');
  });
});
