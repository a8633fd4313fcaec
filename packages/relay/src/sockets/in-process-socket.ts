import { CloseCode } from '../session/close-codes.ts';
import type { DuplexSocket, DuplexSocketHandlers } from './duplex-socket.ts';

/** A socket-free protocol engine, as the simulator is: frames in, frames out through callbacks. */
export interface InProcessEngine {
  receive(frame: string | Uint8Array): void;
  close(): void;
}

/** The callbacks an engine is started with. */
export interface InProcessCallbacks {
  send(frame: string | Uint8Array): void;
  close(code: number, reason: string): void;
}

/**
 * Wraps an in-process engine (the simulator) as a {@link DuplexSocket}, so a relay session
 * runs against it exactly as against a network upstream. Frames the engine sends before
 * `listen` or while paused are queued (an engine cannot be pushed back on); past
 * `maxQueuedBytes` (default 64 MiB; the relay apps pass the session's hard limit) the socket
 * closes with 1013. The queue counts as `incomingBytes`, so the relay's process-wide buffer
 * budget sees it.
 *
 * @example
 * ```ts
 * const socket = createInProcessSocket((callbacks) => createSimulatorSession({ ...callbacks, model }));
 * ```
 */
export function createInProcessSocket(
  start: (callbacks: InProcessCallbacks) => InProcessEngine,
  options: { readonly maxQueuedBytes?: number } = {},
): DuplexSocket {
  const maxQueuedBytes = options.maxQueuedBytes ?? 64 * 1024 * 1024;
  let handlers: DuplexSocketHandlers | undefined;
  let paused = false;
  let closed = false;
  const queue: (string | Uint8Array)[] = [];
  let queuedBytes = 0;
  const sizeOf = (frame: string | Uint8Array) =>
    typeof frame === 'string' ? frame.length : frame.byteLength;

  const shutDown = () => {
    closed = true;
    queue.length = 0;
    queuedBytes = 0;
    engine.close();
  };
  const end = (code: number, reason: string) => {
    if (closed) return;
    shutDown();
    handlers?.close(code, reason);
  };
  const flush = () => {
    while (handlers !== undefined && !paused && !closed && queue.length > 0) {
      const frame = queue.shift() as string | Uint8Array;
      queuedBytes -= sizeOf(frame);
      handlers.message(frame, false);
    }
  };
  const engine = start({
    send(frame) {
      if (closed) return;
      if (handlers !== undefined && !paused && queue.length === 0) {
        handlers.message(frame, false);
        return;
      }
      queue.push(frame);
      queuedBytes += sizeOf(frame);
      if (queuedBytes > maxQueuedBytes) end(CloseCode.tryAgainLater, 'client too slow');
    },
    close: end,
  });
  return {
    send(data) {
      if (!closed) engine.receive(data);
    },
    close() {
      if (!closed) shutDown();
    },
    get bufferedAmount() {
      return 0;
    },
    get incomingBytes() {
      return queuedBytes;
    },
    pause() {
      paused = true;
    },
    resume() {
      paused = false;
      flush();
    },
    listen(next) {
      handlers = next;
      flush();
    },
  };
}
