import { describe, expect, it } from 'vitest';
import { createInProcessSocket, type InProcessCallbacks } from './in-process-socket.ts';

/** A stand-in engine that greets asynchronously, as the simulator does. */
function fakeEngine() {
  const engine = {
    callbacks: undefined as InProcessCallbacks | undefined,
    received: [] as unknown[],
    closed: false,
  };
  const start = (callbacks: InProcessCallbacks) => {
    engine.callbacks = callbacks;
    queueMicrotask(() => callbacks.send('{"type":"session.created"}'));
    return {
      receive: (frame: string | Uint8Array) => engine.received.push(frame),
      close: () => {
        engine.closed = true;
      },
    };
  };
  return { engine, start };
}

const collect = () => {
  const messages: unknown[] = [];
  const closes: number[] = [];
  return {
    messages,
    closes,
    handlers: {
      message: (data: unknown) => messages.push(data),
      close: (code: number) => closes.push(code),
      drain: () => {},
    },
  };
};

describe('createInProcessSocket', () => {
  it('holds frames sent before listen and passes client frames to the engine', async () => {
    const { engine, start } = fakeEngine();
    const socket = createInProcessSocket(start);
    await Promise.resolve();
    const sink = collect();
    socket.listen(sink.handlers);
    expect(sink.messages).toEqual(['{"type":"session.created"}']);
    socket.send('{"type":"response.create"}', false);
    expect(engine.received).toEqual(['{"type":"response.create"}']);
  });

  it('hands the engine the event the relay already decoded, and only then', () => {
    const calls: unknown[][] = [];
    const socket = createInProcessSocket(() => ({
      receive: (...args: unknown[]) => calls.push(args),
      close: () => {},
    }));
    const decoded = { type: 'response.create' } as const;
    socket.send('{"type":"response.create"}', false, decoded);
    socket.send('{"type":"response.cancel"}', false);
    expect(calls).toEqual([
      ['{"type":"response.create"}', decoded],
      ['{"type":"response.cancel"}'],
    ]);
    expect(calls[0]?.[1]).toBe(decoded);
  });

  it('queues while paused and delivers in order on resume', async () => {
    const { engine, start } = fakeEngine();
    const socket = createInProcessSocket(start);
    const sink = collect();
    socket.listen(sink.handlers);
    await Promise.resolve();
    socket.pause?.();
    engine.callbacks?.send('a');
    engine.callbacks?.send('b');
    expect(sink.messages).toEqual(['{"type":"session.created"}']);
    socket.resume?.();
    expect(sink.messages).toEqual(['{"type":"session.created"}', 'a', 'b']);
  });

  it('reports what it holds for the paused relay as incomingBytes, for the buffer budget', async () => {
    const { engine, start } = fakeEngine();
    const socket = createInProcessSocket(start);
    const sink = collect();
    socket.listen(sink.handlers);
    await Promise.resolve();
    socket.pause?.();
    engine.callbacks?.send('x'.repeat(300));
    engine.callbacks?.send(new Uint8Array(200));
    expect(socket.incomingBytes).toBe(500);
    socket.resume?.();
    expect(socket.incomingBytes).toBe(0);
  });

  it('is bounded by the session hard limit the relay apps pass as maxQueuedBytes', async () => {
    const { parseRelayConfig } = await import('../config/relay-config.ts');
    const parsed = parseRelayConfig({ HIGH_WATER_BYTES: '65536', MAX_FRAME_BYTES: '1024' });
    if (!parsed.ok) throw new Error('config');
    const { engine, start } = fakeEngine();
    const socket = createInProcessSocket(start, { maxQueuedBytes: parsed.config.hardLimitBytes });
    const sink = collect();
    socket.listen(sink.handlers);
    socket.pause?.();
    const frame = 'x'.repeat(4096);
    let sent = 0;
    while (sink.closes.length === 0 && sent < 10_000) {
      engine.callbacks?.send(frame);
      sent++;
    }
    expect(sink.closes).toEqual([1013]);
    // 4 × 64 KiB + 1 KiB: the queue never held much more than that.
    expect(sent * frame.length).toBeLessThanOrEqual(4 * 65536 + 1024 + frame.length);
  });

  it('closes with 1013 when a paused session queues too much', () => {
    const { engine, start } = fakeEngine();
    const socket = createInProcessSocket(start, { maxQueuedBytes: 10 });
    const sink = collect();
    socket.listen(sink.handlers);
    socket.pause?.();
    engine.callbacks?.send('x'.repeat(20));
    expect(sink.closes).toEqual([1013]);
    expect(engine.closed).toBe(true);
  });

  it('reports an engine close once, and a relay close stops the engine silently', () => {
    const first = fakeEngine();
    const sink = collect();
    createInProcessSocket(first.start).listen(sink.handlers);
    first.engine.callbacks?.close(1000, 'done');
    first.engine.callbacks?.close(1000, 'again');
    expect(sink.closes).toEqual([1000]);

    const second = fakeEngine();
    const other = collect();
    const socket = createInProcessSocket(second.start);
    socket.listen(other.handlers);
    socket.close(1000, 'client left');
    second.engine.callbacks?.send('late');
    expect(second.engine.closed).toBe(true);
    expect(other.messages).toEqual([]);
    expect(other.closes).toEqual([]);
  });
  it('closes with 1011 when the engine throws out of receive, and never throws itself', async () => {
    const sink = collect();
    let closedEngine = false;
    const socket = createInProcessSocket(() => ({
      receive() {
        throw new Error('secret payload');
      },
      close() {
        closedEngine = true;
        throw new Error('secret payload');
      },
    }));
    socket.listen(sink.handlers);
    expect(() => socket.send('{"type":"response.create"}', false)).not.toThrow();
    expect(sink.closes).toEqual([1011]);
    expect(closedEngine).toBe(true);
    expect(() => socket.send('{"type":"response.create"}', false)).not.toThrow();
    expect(sink.closes).toEqual([1011]);
  });

  it('reports a close the engine made before listen once the relay listens', async () => {
    const { engine, start } = fakeEngine();
    const socket = createInProcessSocket(start);
    engine.callbacks?.close(1011, 'internal error');
    const sink = collect();
    socket.listen(sink.handlers);
    expect(sink.closes).toEqual([]);
    await Promise.resolve();
    expect(sink.closes).toEqual([1011]);
    expect(sink.messages).toEqual([]);
  });

  it('reports what the engine holds for its session as heldBytes, 0 once closed', () => {
    let held = 12_345;
    const socket = createInProcessSocket(() => ({
      receive() {},
      close() {},
      get heldBytes() {
        return held;
      },
    }));
    socket.listen(collect().handlers);
    expect(socket.heldBytes).toBe(12_345);
    held = 99;
    expect(socket.heldBytes).toBe(99);
    socket.close(1000, 'done');
    expect(socket.heldBytes).toBe(0);
  });

  it('tells the engine to wait while the relay is paused, until its queue is delivered', async () => {
    const { engine, start } = fakeEngine();
    const socket = createInProcessSocket(start);
    const sink = collect();
    socket.listen(sink.handlers);
    await Promise.resolve();
    expect(engine.callbacks?.sendReady()).toBeUndefined();
    socket.pause?.();
    engine.callbacks?.send('queued');
    let ready = false;
    void engine.callbacks?.sendReady()?.then(() => {
      ready = true;
    });
    await Promise.resolve();
    expect(ready).toBe(false);
    socket.resume?.();
    await Promise.resolve();
    expect(ready).toBe(true);
    expect(sink.messages.at(-1)).toBe('queued');
    socket.pause?.();
    const waiting = engine.callbacks?.sendReady();
    socket.close(1000, 'client left');
    await expect(waiting).resolves.toBeUndefined();
  });
});
