import { describe, expect, it } from 'vitest';
import { MemorySocket } from '../../test/memory-socket.ts';
import { tick, until } from '../../test/wait.ts';
import { parseRelayConfig } from '../config/relay-config.ts';
import { createSimulatorConnector } from '../engine/simulator-connector.ts';
import { createRelayHost } from '../host/relay-host.ts';
import { createJsonLineLogger } from '../observe/json-line-logger.ts';
import { RelayMetrics } from '../observe/relay-metrics.ts';
import type { TenantPolicy } from '../policy/relay-policy.ts';
import { type RelaySessionLimits, startRelaySession } from '../relay-session.ts';
import { createWebSocketDuplex, type WebSocketLike } from '../sockets/web-socket-duplex.ts';
import { failSession, guardTask } from './fault-boundary.ts';
import { describeFault } from './fault-log.ts';
import { createSessionContext } from './session-context.ts';

const limits: RelaySessionLimits = {
  maxFrameBytes: 1 << 20,
  rateLimitPerSecond: 0,
  rateLimitBurst: 1,
  highWaterBytes: 1 << 16,
  hardLimitBytes: 1 << 20,
};

/** What an engine with a bug does: it throws from `receive`, with the frame in its message. */
class ThrowingUpstream extends MemorySocket {
  override send(data: string | Uint8Array, binary: boolean): void {
    super.send(data, binary);
    throw new RangeError(`Maximum call stack size exceeded near ${String(data)}`);
  }
}

function recordingLogger() {
  const lines: string[] = [];
  const logger = Object.assign(
    createJsonLineLogger((line) => lines.push(line)),
    { enabled: () => true },
  );
  const faults = () =>
    lines
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((line) => line.msg === 'session.fault');
  return { lines, logger, faults };
}

describe('the session fault boundary', () => {
  it('ends a session whose upstream throws on a client frame with 1011; the other session goes on', async () => {
    const { lines, logger, faults } = recordingLogger();
    const metrics = new RelayMetrics();
    const brokenClient = new MemorySocket();
    const brokenUpstream = new ThrowingUpstream();
    const broken = startRelaySession({
      client: brokenClient,
      connectUpstream: async () => brokenUpstream,
      model: undefined,
      limits,
      metrics,
      logger,
      id: 'sess_broken',
    });
    const client = new MemorySocket();
    const upstream = new MemorySocket();
    const healthy = startRelaySession({
      client,
      connectUpstream: async () => upstream,
      model: undefined,
      limits,
      metrics,
      logger,
      id: 'sess_healthy',
    });
    await tick();

    const secret =
      '{"type":"response.create","event_id":"e1","response":{"instructions":"hunter2"}}';
    expect(() => brokenClient.deliver(secret)).not.toThrow();
    expect(brokenClient.closedWith).toEqual({ code: 1011, reason: 'internal error' });
    expect(brokenUpstream.closedWith?.code).toBe(1000);
    expect(brokenClient.events()).toMatchObject([
      { type: 'error', error: { type: 'server_error', code: 'internal_error' } },
    ]);
    await expect(broken.done).resolves.toBe(1011);
    expect(faults()).toEqual([
      expect.objectContaining({
        session: 'sess_broken',
        where: 'upstream.send',
        error: 'RangeError',
      }),
    ]);
    // Neither the frame nor the error's message reaches a log line.
    expect(lines.join('\n')).not.toContain('hunter2');
    expect(lines.join('\n')).not.toContain('Maximum call stack');

    client.deliver('{"type":"response.create","event_id":"e2"}');
    upstream.deliver('{"type":"response.done","event_id":"s1","response":{"id":"r1"}}');
    expect(upstream.events()).toEqual([{ type: 'response.create', event_id: 'e2' }]);
    expect(client.events()).toMatchObject([{ type: 'response.done' }]);
    expect(client.closedWith).toBeUndefined();
    expect(metrics.sessionsActive).toBe(1);
    healthy.close(1000, 'done');
  });

  it('ends a session whose handling of an upstream frame throws (a metrics hook) with 1011', async () => {
    const { faults, logger } = recordingLogger();
    const metrics = new RelayMetrics();
    metrics.countFrame = (direction) => {
      if (direction === 'upstream_to_client') throw new TypeError('hook failed');
    };
    const client = new MemorySocket();
    const upstream = new MemorySocket();
    const session = startRelaySession({
      client,
      connectUpstream: async () => upstream,
      model: undefined,
      limits,
      metrics,
      logger,
      id: 'sess_hook',
    });
    await tick();
    expect(() => upstream.deliver('{"type":"session.created","event_id":"s1"}')).not.toThrow();
    await expect(session.done).resolves.toBe(1011);
    expect(upstream.closedWith?.code).toBe(1000);
    expect(faults()).toEqual([
      expect.objectContaining({
        session: 'sess_hook',
        where: 'upstream.message',
        error: 'TypeError',
      }),
    ]);
  });

  it('ends a session whose upstream cannot be set up (listen throws) with 1011, with no unhandled rejection', async () => {
    const client = new MemorySocket();
    const upstream = new MemorySocket();
    upstream.listen = () => {
      throw new Error('listen failed');
    };
    const session = startRelaySession({
      client,
      connectUpstream: async () => upstream,
      model: undefined,
      limits,
    });
    await expect(session.done).resolves.toBe(1011);
    expect(client.closedWith?.code).toBe(1011);
  });

  it('ends a session with 1011 for a connector that throws instead of rejecting', async () => {
    const client = new MemorySocket();
    const session = startRelaySession({
      client,
      connectUpstream: () => {
        throw new Error('not a promise');
      },
      model: undefined,
      limits,
    });
    await expect(session.done).resolves.toBe(1011);
  });

  it('ends a session whose held bytes cannot be read when the host looks, and reports 0', async () => {
    const client = new MemorySocket();
    const upstream = new MemorySocket();
    Object.defineProperty(upstream, 'heldBytes', {
      get() {
        throw new Error('broken counter');
      },
    });
    const session = startRelaySession({
      client,
      connectUpstream: async () => upstream,
      model: undefined,
      limits,
    });
    await tick();
    expect(session.bufferedBytes).toBe(0);
    await expect(session.done).resolves.toBe(1011);
  });

  it('ends a session whose unawaited task rejects, logging the class only', async () => {
    const { lines, logger } = recordingLogger();
    const client = new MemorySocket();
    const { context, done } = createSessionContext({ client, limits, logger, id: 'sess_task' });
    guardTask(context, 'tool.follow_up', Promise.reject(new TypeError('payload text')));
    await expect(done).resolves.toBe(1011);
    expect(client.closedWith?.code).toBe(1011);
    // A second fault while it is closed is not news.
    failSession(context, 'timer', new Error('again'));
    const faultLines = lines.filter((line) => line.includes('session.fault'));
    expect(faultLines).toHaveLength(1);
    expect(faultLines[0]).toContain('"where":"tool.follow_up"');
    expect(lines.join('')).not.toContain('payload text');
  });

  it('names what was thrown by class and identifier-shaped code, never its message', () => {
    expect(describeFault(new RangeError('secret'))).toEqual({ error: 'RangeError' });
    expect(describeFault(Object.assign(new Error('x'), { code: 'ERR_STREAM_DESTROYED' }))).toEqual({
      error: 'Error',
      code: 'ERR_STREAM_DESTROYED',
    });
    expect(describeFault(Object.assign(new Error('x'), { code: 'the secret words' }))).toEqual({
      error: 'Error',
    });
    expect(describeFault('a thrown string')).toEqual({ error: 'string' });
    const hostile = new Proxy(
      {},
      {
        get() {
          throw new Error('trap');
        },
      },
    );
    expect(describeFault(hostile)).toEqual({ error: 'unreadable' });
  });
});

describe('one host, one faulty session', () => {
  it('ends the session whose policy hook throws with 1011; another holds a full exchange', async () => {
    const config = parseRelayConfig({
      RELAY_TOKENS: 'bad:tok_bad,good:tok_good',
      SIM_PACE: 'fast',
    });
    if (!config.ok) throw new Error('config');
    const plain: TenantPolicy = {
      instructions: undefined,
      models: undefined,
      voices: undefined,
      outputLanguages: undefined,
      outputModalities: undefined,
      maxOutputTokens: undefined,
      turnDetection: 'free',
      toolChoice: undefined,
      maxSessionSeconds: undefined,
      clientSecretMaxSeconds: undefined,
      onViolation: 'reject',
      clientTools: undefined,
      serverTools: [],
      limits: undefined,
    };
    let armed = false;
    const throwing: TenantPolicy = {
      ...plain,
      get onViolation(): 'reject' {
        if (armed) throw new TypeError('policy hook failed');
        return 'reject';
      },
    };
    const { logger, faults } = recordingLogger();
    const host = createRelayHost({
      config: config.config,
      connectUpstream: createSimulatorConnector({ pace: 'fast', frames: 'string' }),
      policy: { tenants: { bad: throwing, good: plain }, default: undefined, prices: {} },
      logger,
    });
    const open = async (token: string) => {
      const admission = await host.admit({
        url: '/v1/realtime?model=gpt-realtime',
        headers: new Headers({ authorization: `Bearer ${token}` }),
      });
      if (!admission.ok) throw new Error('not admitted');
      const client = new MemorySocket();
      return { client, session: admission.open(client) };
    };
    const bad = await open('tok_bad');
    const good = await open('tok_good');
    await until(
      () =>
        [bad, good].every(({ client }) =>
          client.events().some((event) => event.type === 'session.created'),
        ),
      'both sessions created',
    );
    armed = true;
    expect(() =>
      bad.client.deliver('{"type":"session.update","session":{"type":"realtime"}}'),
    ).not.toThrow();
    await expect(bad.session.done).resolves.toBe(1011);
    expect(faults()).toEqual([
      expect.objectContaining({ session: bad.session.id, where: 'client.message' }),
    ]);

    good.client.deliver(
      '{"type":"session.update","session":{"type":"realtime","output_modalities":["text"]}}',
    );
    good.client.deliver(
      '{"type":"conversation.item.create","item":{"type":"message","role":"user","content":[{"type":"input_text","text":"hello"}]}}',
    );
    good.client.deliver('{"type":"response.create"}');
    await until(
      () => good.client.events().some((event) => event.type === 'response.done'),
      'a response',
    );
    const types = good.client.events().map((event) => event.type);
    expect(types).toContain('session.updated');
    expect(types).toContain('conversation.item.done');
    expect(types).not.toContain('error');
    expect(good.client.closedWith).toBeUndefined();
    expect(host.activeSessions).toBe(1);
    host.drain();
    await host.idle(1000);
  });
});

describe('the web-standard socket adapter', () => {
  it('closes a connection whose handler throws, reports it closed, and throws nothing to the runtime', () => {
    const listeners: Record<string, ((event: never) => void)[]> = {};
    let closedWith: number | undefined;
    const socket: WebSocketLike = {
      readyState: 1,
      bufferedAmount: 0,
      binaryType: 'blob',
      send() {},
      close(code) {
        // As the API does: only 1000 and 3000-4999 may be sent.
        if (code !== 1000 && (code === undefined || code < 3000)) throw new Error('InvalidAccess');
        closedWith = code;
      },
      addEventListener(type: string, listener: (event: never) => void) {
        listeners[type] = [...(listeners[type] ?? []), listener];
      },
    };
    const closes: number[] = [];
    createWebSocketDuplex(socket).listen({
      message() {
        throw new TypeError('a handler with a bug');
      },
      close: (code) => closes.push(code),
      drain() {},
    });
    for (const listener of listeners.message ?? []) {
      expect(() => listener({ data: '{"type":"x"}' } as never)).not.toThrow();
    }
    expect(closedWith).toBe(1000);
    expect(closes).toEqual([1011]);
    // The runtime's own close event that follows is not reported twice.
    for (const listener of listeners.close ?? []) listener({ code: 1000, reason: '' } as never);
    expect(closes).toEqual([1011]);
  });
});
