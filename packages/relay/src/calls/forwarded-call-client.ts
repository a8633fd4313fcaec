import type { DuplexSocket, DuplexSocketHandlers } from '../sockets/duplex-socket.ts';

/**
 * The client side of a relay session for a call the upstream holds (forwarded to a real
 * Realtime API): the browser talks to the upstream over its own data channel, so the relay
 * has no client to send to. What the session would send the client goes to the server
 * sidebands attached to the call (`/v1/realtime?call_id=` on the relay), and what they send
 * goes upstream as the client's events. Ends with the session; its sidebands are then closed
 * with 1000 and `call ended: <why>`.
 *
 * @example
 * ```ts
 * const client = new ForwardedCallClient();
 * const session = admission.open(client, { upstreamCallId });
 * client.attachSideband(serverSocket);
 * ```
 */
export class ForwardedCallClient implements DuplexSocket {
  readonly bufferedAmount = 0;
  readonly #sidebands = new Set<DuplexSocket>();
  #handlers: DuplexSocketHandlers | undefined;
  #closed = false;

  listen(handlers: DuplexSocketHandlers): void {
    this.#handlers = handlers;
  }

  send(data: string | Uint8Array): void {
    for (const sideband of this.#sidebands) sideband.send(data, false);
  }

  close(code: number, reason: string): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const sideband of this.#sidebands) {
      sideband.close(1000, `call ended: ${reason}`.slice(0, 120));
    }
    this.#sidebands.clear();
    this.#handlers?.close(code, reason);
  }

  /** Attaches a server's WebSocket: it sees the call's events, and drives the session. */
  attachSideband(socket: DuplexSocket): void {
    if (this.#closed) {
      socket.close(1000, 'call ended');
      return;
    }
    this.#sidebands.add(socket);
    socket.listen({
      message: (data, binary) => {
        if (binary) {
          socket.close(1003, 'binary frames are not events');
          return;
        }
        this.#handlers?.message(data, false);
      },
      close: () => {
        this.#sidebands.delete(socket);
      },
      drain: () => {},
    });
  }
}
