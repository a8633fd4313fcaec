import type { RealtimeClientEvent } from '@rtwire/types';

/**
 * What a socket tells the relay. Handlers run synchronously from the socket's own events.
 */
export interface DuplexSocketHandlers {
  /** A whole message arrived. `binary` is false for text frames (given as a string or UTF-8 bytes). */
  message(data: string | Uint8Array, binary: boolean): void;
  /**
   * The socket closed (either side started it); called once. An adapter that ends a
   * connection itself (a peer that stopped answering pings, a message that never completed)
   * reports the code it closed with and why.
   */
  close(code: number, reason: string): void;
  /** The send buffer emptied (or fell well under the high-water mark) after being full. */
  drain(): void;
}

/**
 * The one socket interface the relay core talks to, for both the client and the upstream side.
 * An adapter for `ws`, Deno's `WebSocket` or a Workers `WebSocketPair` is a few dozen lines.
 *
 * `pause` and `resume` are optional: web-standard WebSockets cannot stop reading. When the
 * socket to read from cannot pause, the relay cannot push back on its peer, so it bounds
 * memory by closing a session whose buffer passes the hard limit instead (`1013`); when
 * the side that cannot pause is the one being written to, reading stops at the other side.
 *
 * @example
 * ```ts
 * const socket: DuplexSocket = {
 *   send: (data) => ws.send(data),
 *   close: (code, reason) => ws.close(code, reason),
 *   get bufferedAmount() { return ws.bufferedAmount; },
 *   listen: (handlers) => { ws.onmessage = (e) => handlers.message(e.data, typeof e.data !== 'string'); },
 * };
 * ```
 */
export interface DuplexSocket {
  /**
   * Sends one message; `binary` false sends a text frame (bytes are UTF-8 text then).
   * `decoded` is that frame already decoded, given when the relay forwards a client event it
   * had to read and did not change: a network socket ignores it, an in-process engine takes
   * it instead of decoding the frame a second time.
   */
  send(data: string | Uint8Array, binary: boolean, decoded?: RealtimeClientEvent): void;
  /** Starts the close handshake; idempotent. */
  close(code: number, reason: string): void;
  /** Bytes accepted by `send` and not yet written to the network. */
  readonly bufferedAmount: number;
  /**
   * Bytes received and held but not yet delivered as messages: a message still arriving, or
   * messages queued while paused. Counted against the relay's process-wide buffer budget;
   * absent when the socket cannot tell.
   */
  readonly incomingBytes?: number;
  /**
   * Bytes the far end holds for this session in this process, beyond the socket's own
   * buffers: for an in-process engine, its conversation, input audio, output not yet handed
   * over and what its model has read from a backend. Counted against the session's and the
   * process-wide buffer budgets. Read after every frame the session passes, so it must be a
   * running count, not a walk. Absent when the far end is in another process.
   */
  readonly heldBytes?: number;
  /** Stops delivering messages until `resume`; absent when the socket cannot pause. */
  pause?(): void;
  /** Resumes delivering messages after `pause`. */
  resume?(): void;
  /** Attaches the relay's handlers; called once, before any message is expected. */
  listen(handlers: DuplexSocketHandlers): void;
}
