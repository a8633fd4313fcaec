import type { DuplexSocket, DuplexSocketHandlers } from '../sockets/duplex-socket.ts';
import { CallSidebands } from './call-sidebands.ts';

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
  readonly #sidebands = new CallSidebands((data) => this.#handlers?.message(data, false));
  #handlers: DuplexSocketHandlers | undefined;
  #closedWith: { readonly code: number; readonly reason: string } | undefined;

  /** The code and reason the session closed the call with; `undefined` while it is open. */
  get closedWith(): { readonly code: number; readonly reason: string } | undefined {
    return this.#closedWith;
  }

  listen(handlers: DuplexSocketHandlers): void {
    this.#handlers = handlers;
  }

  send(data: string | Uint8Array): void {
    this.#sidebands.send(data);
  }

  close(code: number, reason: string): void {
    if (this.#closedWith !== undefined) return;
    this.#closedWith = { code, reason };
    this.#sidebands.end(reason);
    this.#handlers?.close(code, reason);
  }

  /** Attaches a server's WebSocket: it sees the call's events, and drives the session. */
  attachSideband(socket: DuplexSocket): void {
    this.#sidebands.attach(socket);
  }
}
