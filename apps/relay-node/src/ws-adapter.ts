import type { Duplex } from 'node:stream';
import type { DuplexSocket, DuplexSocketHandlers } from '@rtwire/relay';
import { WebSocket } from 'ws';

const BINARY = { binary: true } as const;
const TEXT = { binary: false } as const;

/** How long a close handshake may take before the TCP connection is dropped. */
export const CLOSE_HANDSHAKE_TIMEOUT_MS = 1000;

/**
 * Adapts a `ws` WebSocket to the relay's {@link DuplexSocket}. `transport` is the TCP/TLS
 * socket under it, whose `drain` event says the send buffer emptied (`ws` has no such event).
 * Messages that arrive before `listen` are held, so none is lost between open and listen.
 *
 * @example
 * ```ts
 * wss.handleUpgrade(request, socket, head, (ws) => startRelaySession({ client: wsDuplexSocket(ws, socket), ... }));
 * ```
 */
export function wsDuplexSocket(ws: WebSocket, transport: Duplex): DuplexSocket {
  let handlers: DuplexSocketHandlers | undefined;
  const early: { data: Uint8Array; binary: boolean }[] = [];
  let earlyClose: { code: number; reason: string } | undefined;

  ws.on('message', (data, binary) => {
    const bytes = data as Buffer;
    if (handlers) handlers.message(bytes, binary);
    else early.push({ data: bytes, binary });
  });
  ws.on('close', (code, reason) => {
    if (handlers) handlers.close(code, reason.toString());
    else earlyClose = { code, reason: reason.toString() };
  });
  // Errors are followed by 'close', which is what the relay acts on.
  ws.on('error', () => {});
  transport.on('drain', () => handlers?.drain());

  return {
    send(data, binary) {
      if (ws.readyState !== WebSocket.OPEN) return;
      ws.send(data, binary ? BINARY : TEXT);
    },
    close(code, reason) {
      if (ws.readyState === WebSocket.CLOSING || ws.readyState === WebSocket.CLOSED) return;
      try {
        ws.close(code, reason);
      } catch {
        ws.terminate();
        return;
      }
      setTimeout(() => ws.terminate(), CLOSE_HANDSHAKE_TIMEOUT_MS).unref();
    },
    get bufferedAmount() {
      return ws.bufferedAmount;
    },
    pause: () => ws.pause(),
    resume: () => ws.resume(),
    listen(next) {
      handlers = next;
      for (const message of early.splice(0)) next.message(message.data, message.binary);
      if (earlyClose) next.close(earlyClose.code, earlyClose.reason);
    },
  };
}
