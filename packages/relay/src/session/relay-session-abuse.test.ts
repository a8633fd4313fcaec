import { describe, expect, it, vi } from 'vitest';
import { MemorySocket } from '../../test/memory-socket.ts';
import type { LogFields, LogLevel } from '../observe/relay-logger.ts';
import { RelayMetrics } from '../observe/relay-metrics.ts';
import { type RelaySessionLimits, startRelaySession } from '../relay-session.ts';

const limits: RelaySessionLimits = {
  maxFrameBytes: 1 << 20,
  rateLimitPerSecond: 0,
  rateLimitBurst: 1,
  highWaterBytes: 1000,
  hardLimitBytes: 10_000,
  refusalReplyBurst: 5,
  refusalCloseAfter: 50,
};
const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

async function open(options: { limits?: Partial<RelaySessionLimits>; now?: () => number } = {}) {
  const client = new MemorySocket();
  const upstream = new MemorySocket();
  const metrics = new RelayMetrics();
  const records: { level: LogLevel; message: string; fields: LogFields | undefined }[] = [];
  const session = startRelaySession({
    client,
    connectUpstream: async () => upstream,
    model: undefined,
    limits: { ...limits, ...options.limits },
    metrics,
    logger: { log: (level, message, fields) => records.push({ level, message, fields }) },
    ...(options.now ? { now: options.now } : {}),
  });
  await tick();
  return { client, upstream, metrics, records, session };
}

describe('refused client frames', () => {
  it('answers a burst, drops the rest unanswered, and closes a flood with 1008', async () => {
    const { client, upstream, metrics, session } = await open({ now: () => 1000 });
    for (let index = 0; index < 1000; index++) client.deliver('{"a":1}');
    expect(client.events().filter((event) => event.type === 'error')).toHaveLength(5);
    expect(client.closedWith).toEqual({ code: 1008, reason: 'too many refused events' });
    expect(client.paused).toBe(true);
    expect(upstream.sent).toEqual([]);
    expect(upstream.closedWith?.code).toBe(1000);
    await expect(session.done).resolves.toBe(1008);
    expect(metrics.refusalsUnanswered).toBe(45);
    expect(metrics.closes.get('1008')).toBe(1);
  });

  it('keeps answering a client that is refused now and then, and never closes it', async () => {
    let clock = 0;
    const { client } = await open({ now: () => clock });
    for (let index = 0; index < 300; index++) {
      clock += 1000;
      client.deliver('{"type":"session.update","event_id":"bad","session":7}');
    }
    const errors = client.events().filter((event) => event.type === 'error');
    expect(errors).toHaveLength(300);
    expect(errors[0]).toMatchObject({ error: { code: 'invalid_event', event_id: 'bad' } });
    expect(client.closedWith).toBeUndefined();
  });

  it('sends no reply to a client whose send buffer is past high water, and counts it', async () => {
    const { client, metrics } = await open();
    client.bufferedAmount = 1500;
    client.deliver('not json');
    expect(client.sent).toEqual([]);
    expect(metrics.refusalsUnanswered).toBe(1);
    expect(metrics.errors.get('invalid_json')).toBe(1);
  });

  it('holds the relay’s own error events to the hard limit even when the upstream is quiet', async () => {
    const { client } = await open({ limits: { refusalReplyBurst: 100 } });
    // The client reads nothing; the buffer grows with every reply it is sent.
    const send = client.send.bind(client);
    client.send = (data, binary) => {
      send(data, binary);
      client.bufferedAmount += 600;
    };
    for (let index = 0; index < 40 && client.closedWith === undefined; index++)
      client.deliver('not json');
    // Replies stop at high water; nothing it sends can take the buffer past the hard limit.
    expect(client.bufferedAmount).toBeLessThanOrEqual(1000 + 600);
    expect(client.sent.length).toBeLessThanOrEqual(2);
  });

  it('closes with 1013 when anything sent to the client passes the hard limit', async () => {
    const { client, upstream } = await open({ limits: { refusalReplyBurst: 100 } });
    upstream.pause = undefined;
    client.bufferedAmount = 20_000;
    upstream.deliver('{"type":"response.output_text.delta"}');
    expect(client.closedWith?.code).toBe(1013);
  });

  it('logs refusals at most once a second, with the count held back', async () => {
    let clock = 0;
    const { client, records } = await open({
      now: () => clock,
      limits: { refusalCloseAfter: 10_000 },
    });
    for (let second = 0; second < 3; second++) {
      for (let index = 0; index < 100; index++) client.deliver('{"a":1}');
      clock += 1000;
    }
    const refusals = records.filter((record) => record.message === 'client.frame_refused');
    expect(refusals.map((record) => record.fields?.suppressed)).toEqual([undefined, 99, 99]);
  });

  it('parses a refused frame once: the decoder hands over its event_id', async () => {
    const { client } = await open();
    const parse = vi.spyOn(JSON, 'parse');
    try {
      client.deliver('{"type":"session.update","event_id":"e7","session":"not an object"}');
      expect(parse).toHaveBeenCalledTimes(1);
    } finally {
      parse.mockRestore();
    }
    expect(client.events()).toMatchObject([{ error: { code: 'invalid_event', event_id: 'e7' } }]);
  });

  it('reads the event_id of a rate-limited frame only to answer it', async () => {
    const { client } = await open({ limits: { rateLimitPerSecond: 1, rateLimitBurst: 1 } });
    client.deliver('{"type":"response.create","event_id":"ok"}');
    client.deliver('{"type":"response.create","event_id":"over"}');
    expect(client.events()).toMatchObject([
      { type: 'error', error: { code: 'rate_limit_exceeded', event_id: 'over' } },
    ]);
  });
});

describe('a logger that throws', () => {
  it('costs the session nothing', async () => {
    const client = new MemorySocket();
    const upstream = new MemorySocket();
    const session = startRelaySession({
      client,
      connectUpstream: async () => upstream,
      model: undefined,
      limits,
      logger: {
        enabled: () => true,
        log() {
          throw new RangeError('Maximum call stack size exceeded');
        },
      },
    });
    await tick();
    client.deliver(`{"type":"x","deep":${'['.repeat(100)}${']'.repeat(100)}}`);
    client.deliver('not json');
    expect(upstream.sent).toHaveLength(1);
    expect(client.events()).toMatchObject([{ type: 'error', error: { code: 'invalid_json' } }]);
    session.close(1000, 'done');
    await expect(session.done).resolves.toBe(1000);
  });
});

describe('what a session holds', () => {
  it('adds up both send buffers, the pre-upstream queue and what the sockets hold incoming', async () => {
    const { client, upstream, session } = await open();
    client.bufferedAmount = 10;
    upstream.bufferedAmount = 20;
    Object.defineProperty(upstream, 'incomingBytes', { value: 300 });
    expect(session.bufferedBytes).toBe(330);
    session.close(1000, 'done');
    expect(session.bufferedBytes).toBe(0);
  });
});

describe('close codes in metrics', () => {
  it('folds the codes a client picks into a fixed set of labels', async () => {
    const metrics = new RelayMetrics();
    for (const code of [4000, 4001, 4999, 3001, 1000, 1006, 2999]) {
      const client = new MemorySocket();
      startRelaySession({
        client,
        connectUpstream: async () => new MemorySocket(),
        model: undefined,
        limits,
        metrics,
      });
      client.peerClose(code);
    }
    expect(Object.fromEntries(metrics.closes)).toEqual({
      '4xxx': 3,
      '3xxx': 1,
      '1000': 1,
      '1006': 1,
      other: 1,
    });
  });
});
