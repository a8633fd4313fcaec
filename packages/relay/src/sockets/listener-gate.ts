import type { DuplexSocketHandlers } from './duplex-socket.ts';

/** What a socket adapter reports to the relay through a {@link createListenerGate}. */
export interface ListenerGate extends DuplexSocketHandlers {
  /** Hands over what came before (messages in order, then the close if there was one). */
  listen(handlers: DuplexSocketHandlers): void;
}

/**
 * The one early-event buffer of the socket adapters: a socket may deliver messages, or even
 * close, between the upgrade and the relay's `listen`; the gate keeps them, hands them over in
 * order when the relay listens, and passes everything straight through afterwards.
 *
 * @example
 * ```ts
 * const gate = createListenerGate();
 * socket.onmessage = ({ data }) => gate.message(data, false);
 * socket.onclose = ({ code, reason }) => gate.close(code, reason);
 * return { listen: gate.listen, … };
 * ```
 */
export function createListenerGate(): ListenerGate {
  let handlers: DuplexSocketHandlers | undefined;
  let early: { data: string | Uint8Array; binary: boolean }[] = [];
  let ended: { code: number; reason: string } | undefined;
  return {
    message(data, binary) {
      if (handlers) handlers.message(data, binary);
      else if (ended === undefined) early.push({ data, binary });
    },
    close(code, reason) {
      if (handlers) handlers.close(code, reason);
      else ended ??= { code, reason };
    },
    drain() {
      handlers?.drain();
    },
    listen(next) {
      handlers = next;
      const messages = early;
      early = [];
      for (const message of messages) next.message(message.data, message.binary);
      if (ended !== undefined) next.close(ended.code, ended.reason);
    },
  };
}
