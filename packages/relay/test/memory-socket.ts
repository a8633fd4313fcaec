import type { DuplexSocket, DuplexSocketHandlers } from '../src/sockets/duplex-socket.ts';

/** An in-memory {@link DuplexSocket} the test drives from the peer's side. */
export class MemorySocket implements DuplexSocket {
  readonly sent: { data: string | Uint8Array; binary: boolean }[] = [];
  closedWith: { code: number; reason: string } | undefined;
  bufferedAmount = 0;
  paused = false;
  handlers: DuplexSocketHandlers | undefined;
  pause?: () => void;
  resume?: () => void;

  constructor(options: { pausable?: boolean } = {}) {
    if (options.pausable !== false) {
      this.pause = () => {
        this.paused = true;
      };
      this.resume = () => {
        this.paused = false;
      };
    }
  }

  send(data: string | Uint8Array, binary: boolean): void {
    this.sent.push({ data, binary });
  }

  close(code: number, reason: string): void {
    this.closedWith ??= { code, reason };
  }

  listen(handlers: DuplexSocketHandlers): void {
    this.handlers = handlers;
  }

  /** The peer sends a message. */
  deliver(data: string | Uint8Array, binary = false): void {
    this.handlers?.message(data, binary);
  }

  /** The peer closes. */
  peerClose(code: number): void {
    this.handlers?.close(code, '');
  }

  /** The network catches up. */
  drain(): void {
    this.bufferedAmount = 0;
    this.handlers?.drain();
  }

  /** Sent text frames, parsed. */
  events(): { type: string; [key: string]: unknown }[] {
    return this.sent.map(({ data }) =>
      JSON.parse(typeof data === 'string' ? data : new TextDecoder().decode(data)),
    );
  }
}
