import type { DuplexSocket } from './duplex-socket.ts';
import { createListenerGate } from './listener-gate.ts';

/** The part of a WHATWG `WebSocket` the adapter uses (Deno, Workers, browsers, undici). */
export interface WebSocketLike {
  readonly readyState: number;
  readonly bufferedAmount: number;
  binaryType: string;
  send(data: string | ArrayBufferView | ArrayBuffer): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
  addEventListener(
    type: 'close',
    listener: (event: { code: number; reason: string }) => void,
  ): void;
  addEventListener(type: 'open' | 'error', listener: () => void): void;
}

/** Options of {@link createWebSocketDuplex}. */
export interface WebSocketDuplexOptions {
  /** Buffered bytes above which the adapter polls for the buffer to drain (default 1 MiB). */
  readonly highWaterBytes?: number;
  /** Poll interval while draining, ms (default 10). */
  readonly drainPollMs?: number;
}

const CONNECTING = 0;
const OPEN = 1;
const utf8 = new TextDecoder();

/**
 * Adapts a web-standard `WebSocket` (Deno, Cloudflare Workers, undici) to {@link DuplexSocket}.
 * It has no `pause`: a web socket cannot stop reading, so backpressure stops at the other
 * side of the session. It has no drain event either, so once `bufferedAmount` passes
 * `highWaterBytes` the adapter polls it and reports `drain` when it falls to a quarter.
 * Close codes the API refuses (only 1000 and 3000–4999 may be sent) fall back to 1000. A
 * handler of the relay's that throws closes the connection (1011) instead of reaching the
 * runtime.
 *
 * @example
 * ```ts
 * const { socket, response } = Deno.upgradeWebSocket(request, { protocol: decision.protocol });
 * startRelaySession({ client: createWebSocketDuplex(socket), connectUpstream, model: decision.model, limits: config });
 * ```
 */
export function createWebSocketDuplex(
  socket: WebSocketLike,
  options: WebSocketDuplexOptions = {},
): DuplexSocket {
  const highWaterBytes = options.highWaterBytes ?? 1024 * 1024;
  const drainPollMs = options.drainPollMs ?? 10;
  const gate = createListenerGate();
  let polling = false;
  // A server socket may still be connecting while its 101 response is being sent (Deno);
  // what the relay sends meanwhile waits for `open` instead of being dropped.
  const pending: (string | ArrayBufferView)[] = [];
  socket.binaryType = 'arraybuffer';
  socket.addEventListener('open', () => {
    for (const data of pending.splice(0)) socket.send(data);
  });

  let closed = false;
  // The API takes 1000 and 3000–4999 only; any other code goes out as 1000.
  const closeSocket = (code: number, reason: string) => {
    try {
      socket.close(code, reason);
    } catch {
      socket.close(1000, reason);
    }
  };
  /**
   * Runs one of the relay's handlers. One that throws is the relay's bug and must not reach
   * the runtime's event dispatch (Deno ends the process on an uncaught error there): the
   * connection is closed with 1011 and reported closed.
   */
  const deliver = (handle: () => void) => {
    try {
      handle();
    } catch {
      if (closed) return;
      closed = true;
      try {
        closeSocket(1011, 'internal error');
      } catch {
        // Already closing: the report below is what matters.
      }
      try {
        gate.close(1011, 'internal error');
      } catch {
        // Nothing more can be told to a listener that throws on close too.
      }
    }
  };
  socket.addEventListener('message', ({ data }) => {
    const binary = typeof data !== 'string';
    const frame =
      typeof data === 'string'
        ? data
        : new Uint8Array(data instanceof ArrayBuffer ? data : new ArrayBuffer(0));
    deliver(() => gate.message(frame, binary));
  });
  socket.addEventListener('close', ({ code, reason }) => {
    // Deno fires a second close after it ends an unanswered heartbeat; the relay hears one.
    if (closed) return;
    closed = true;
    deliver(() => gate.close(code, reason));
  });

  // Workers' WebSocket has no bufferedAmount (undefined): counted as nothing buffered, since
  // NaN would fail every "under high water" test, and a refusal would never be answered.
  const buffered = () => (typeof socket.bufferedAmount === 'number' ? socket.bufferedAmount : 0);

  const poll = () => {
    if (socket.readyState !== OPEN) {
      polling = false;
      return;
    }
    if (buffered() > highWaterBytes / 4) {
      setTimeout(poll, drainPollMs);
      return;
    }
    polling = false;
    deliver(() => gate.drain());
  };

  return {
    send(data, binary) {
      // A Uint8Array is sent as a binary frame; text given as bytes goes back to a string.
      const frame = binary || typeof data === 'string' ? data : utf8.decode(data);
      if (socket.readyState === CONNECTING) {
        pending.push(frame);
        return;
      }
      if (socket.readyState !== OPEN) return;
      socket.send(frame);
      if (!polling && buffered() > highWaterBytes) {
        polling = true;
        setTimeout(poll, drainPollMs);
      }
    },
    close: closeSocket,
    get bufferedAmount() {
      let queued = 0;
      for (const data of pending)
        queued += typeof data === 'string' ? data.length : data.byteLength;
      return buffered() + queued;
    },
    listen: gate.listen,
  };
}
