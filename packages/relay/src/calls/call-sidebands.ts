import type { DuplexSocket } from '../sockets/duplex-socket.ts';

/**
 * The server sidebands of one call (`/v1/realtime?call_id=…`): each sees every event the call's
 * client sees, what each sends goes to the call's session as the client's own events, and all
 * are closed with 1000 and `call ended: <why>` when the call ends. One piece for calls the
 * relay serves (`@rtwire/node`'s call socket) and calls it forwards upstream.
 *
 * @example
 * ```ts
 * const sidebands = new CallSidebands((text) => handlers.message(text, false));
 * sidebands.attach(serverSocket);
 * sidebands.send(eventText);
 * sidebands.end('hangup');
 * ```
 */
export class CallSidebands {
  readonly #sockets = new Set<DuplexSocket>();
  readonly #deliver: (data: string | Uint8Array) => void;
  #ended = false;

  /** `deliver` takes what a sideband sends (text frames only) to the call's session. */
  constructor(deliver: (data: string | Uint8Array) => void) {
    this.#deliver = deliver;
  }

  /** Attaches a server's socket; one attached after the call ended is closed at once. */
  attach(socket: DuplexSocket): void {
    if (this.#ended) {
      socket.close(1000, 'call ended');
      return;
    }
    this.#sockets.add(socket);
    socket.listen({
      message: (data, binary) => {
        if (binary) {
          socket.close(1003, 'binary frames are not events');
          return;
        }
        this.#deliver(data);
      },
      close: () => {
        this.#sockets.delete(socket);
      },
      drain: () => {},
    });
  }

  /** Sends an event the call's client sees to every sideband, as a text frame. */
  send(data: string | Uint8Array): void {
    for (const socket of this.#sockets) socket.send(data, false);
  }

  /** The call ended: every sideband is closed with 1000 and why; later ones are refused. */
  end(reason: string): void {
    if (this.#ended) return;
    this.#ended = true;
    for (const socket of this.#sockets) socket.close(1000, `call ended: ${reason}`.slice(0, 120));
    this.#sockets.clear();
  }
}
