import { describe, expect, it, vi } from 'vitest';
import { createWebSocketDuplex, type WebSocketLike } from './web-socket-duplex.ts';

class FakeWebSocket implements WebSocketLike {
  readyState = 1;
  bufferedAmount = 0;
  binaryType = 'blob';
  sent: unknown[] = [];
  closedWith: [number | undefined, string | undefined] | undefined;
  listeners: Record<string, ((event: never) => void)[]> = {};
  send(data: unknown) {
    this.sent.push(data);
  }
  close(code?: number, reason?: string) {
    if (code !== undefined && code !== 1000 && (code < 3000 || code > 4999))
      throw new Error('InvalidAccessError');
    this.closedWith = [code, reason];
  }
  addEventListener(type: string, listener: (event: never) => void) {
    this.listeners[type] = [...(this.listeners[type] ?? []), listener];
  }
  emit(type: string, event: unknown) {
    for (const listener of this.listeners[type] ?? []) listener(event as never);
  }
}

const handlers = () => {
  const log: unknown[] = [];
  return {
    log,
    value: {
      message: (data: unknown, binary: boolean) => log.push(['message', data, binary]),
      close: (code: number) => log.push(['close', code]),
      drain: () => log.push(['drain']),
    },
  };
};

describe('createWebSocketDuplex', () => {
  it("counts a socket without bufferedAmount (Workers') as holding nothing, not NaN", () => {
    const socket = new FakeWebSocket();
    (socket as { bufferedAmount: unknown }).bufferedAmount = undefined;
    const duplex = createWebSocketDuplex(socket, { highWaterBytes: 1024 });
    duplex.send('x'.repeat(4096), false);
    expect(duplex.bufferedAmount).toBe(0);
  });

  it('holds early messages, passes text and bytes, and sets arraybuffer', () => {
    const socket = new FakeWebSocket();
    const duplex = createWebSocketDuplex(socket);
    expect(socket.binaryType).toBe('arraybuffer');
    socket.emit('message', { data: '{"type":"a"}' });
    const sink = handlers();
    duplex.listen(sink.value);
    socket.emit('message', { data: new Uint8Array([1, 2]).buffer });
    expect(sink.log).toEqual([
      ['message', '{"type":"a"}', false],
      ['message', new Uint8Array([1, 2]), true],
    ]);
    expect(duplex.pause).toBeUndefined();
  });

  it('sends text given as bytes as text, and falls back to 1000 for refused close codes', () => {
    const socket = new FakeWebSocket();
    const duplex = createWebSocketDuplex(socket);
    duplex.send(new TextEncoder().encode('{"type":"b"}'), false);
    duplex.send(new Uint8Array([9]), true);
    expect(socket.sent).toEqual(['{"type":"b"}', new Uint8Array([9])]);
    duplex.close(1011, 'upstream closed');
    expect(socket.closedWith).toEqual([1000, 'upstream closed']);
  });

  it('polls a full buffer and reports drain once it empties', () => {
    vi.useFakeTimers();
    try {
      const socket = new FakeWebSocket();
      const duplex = createWebSocketDuplex(socket, { highWaterBytes: 100, drainPollMs: 5 });
      const sink = handlers();
      duplex.listen(sink.value);
      socket.bufferedAmount = 500;
      duplex.send('x', false);
      vi.advanceTimersByTime(20);
      expect(sink.log).toEqual([]);
      socket.bufferedAmount = 10;
      vi.advanceTimersByTime(5);
      expect(sink.log).toEqual([['drain']]);
    } finally {
      vi.useRealTimers();
    }
  });
});
