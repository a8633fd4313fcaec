import { delegatingSocket } from './delegating-socket.ts';
import type { DuplexSocket } from './duplex-socket.ts';

/**
 * A client socket whose first message is `text`, as if the client had sent it before
 * anything else: how a session opened with a client secret starts with the session the
 * secret seals. Everything else passes to `socket` untouched.
 *
 * @example
 * ```ts
 * admission.open(withFirstClientEvent(client, JSON.stringify({ type: 'session.update', session })));
 * ```
 */
export function withFirstClientEvent(socket: DuplexSocket, text: string): DuplexSocket {
  return delegatingSocket(socket, {
    listen(handlers) {
      socket.listen(handlers);
      // After the session has wired itself (listen is called while it starts), before any
      // frame of the client's: those arrive in later tasks.
      queueMicrotask(() => handlers.message(text, false));
    },
  });
}
