import type { RealtimeClientEvent } from '@rtwire/types';
import { CloseCode } from '../session/close-codes.ts';
import type { DuplexSocket, DuplexSocketHandlers } from './duplex-socket.ts';

/**
 * A socket-free protocol engine, as `@rtwire/server`'s is: frames in, frames out through
 * callbacks.
 */
export interface InProcessEngine {
  /**
   * Takes one client frame. `decoded` is the frame already decoded by the relay, when it had
   * one: an engine that takes it skips decoding the frame again.
   */
  receive(frame: string | Uint8Array, decoded?: RealtimeClientEvent): void;
  close(): void;
  /** Bytes the engine holds for its session (conversation, input audio): a running count. */
  readonly heldBytes?: number;
}

/** The callbacks an engine is started with. */
export interface InProcessCallbacks {
  send(frame: string | Uint8Array): void;
  close(code: number, reason: string): void;
  /**
   * Whether `send` can take more now: `undefined` when it can, else a promise that resolves
   * when it can (the relay resumed reading and the queue emptied) or the socket closed. An
   * engine's model awaits it between chunks, so a source faster than the client reads (a
   * speech backend) is read no faster than the client reads.
   */
  sendReady(): Promise<void> | undefined;
}

/** What the socket closes with when the engine throws out of a call. */
const ENGINE_FAULT = { code: CloseCode.internalError, reason: 'internal error' } as const;

/**
 * Wraps an in-process engine (`@rtwire/server`'s) as a {@link DuplexSocket}, so a relay session
 * runs against it exactly as against a network upstream. Frames the engine sends before
 * `listen` or while paused are queued (an engine cannot be pushed back on); past
 * `maxQueuedBytes` (default 64 MiB; the relay apps pass the session's hard limit) the socket
 * closes with 1013. The queue counts as `incomingBytes` and what the engine holds for its
 * session (its conversation, input audio) as `heldBytes`, so the relay's session and
 * process-wide buffer budgets see both. An engine that throws out of `receive` or `close`
 * closes the socket with 1011, as an upstream that failed would, and its error goes nowhere:
 * it may carry the session's content.
 *
 * @example
 * ```ts
 * const socket = createInProcessSocket((callbacks) =>
 *   createRealtimeSession({ ...callbacks, model: createSimulatorModel() }),
 * );
 * ```
 */
export function createInProcessSocket(
  start: (callbacks: InProcessCallbacks) => InProcessEngine,
  options: { readonly maxQueuedBytes?: number } = {},
): DuplexSocket {
  const maxQueuedBytes = options.maxQueuedBytes ?? 64 * 1024 * 1024;
  let handlers: DuplexSocketHandlers | undefined;
  let engine: InProcessEngine | undefined;
  let paused = false;
  let closed = false;
  /** A close that came before `listen`, reported once the relay listens. */
  let closedWith: { code: number; reason: string } | undefined;
  const queue: (string | Uint8Array)[] = [];
  let queuedBytes = 0;
  /** Resolves `sendReady` promises once the queue is empty and the relay reads again. */
  let waiters: (() => void)[] = [];
  const sizeOf = (frame: string | Uint8Array) =>
    typeof frame === 'string' ? frame.length : frame.byteLength;

  const wake = () => {
    const woken = waiters;
    waiters = [];
    for (const resolve of woken) resolve();
  };
  const shutDown = () => {
    closed = true;
    queue.length = 0;
    queuedBytes = 0;
    wake();
    try {
      engine?.close();
    } catch {
      // Closed either way: nothing it does from here reaches the relay.
    }
  };
  const end = (code: number, reason: string) => {
    if (closed) return;
    shutDown();
    if (handlers === undefined) closedWith = { code, reason };
    else handlers.close(code, reason);
  };
  const flush = () => {
    while (handlers !== undefined && !paused && !closed && queue.length > 0) {
      const frame = queue.shift() as string | Uint8Array;
      queuedBytes -= sizeOf(frame);
      handlers.message(frame, false);
    }
    if (handlers !== undefined && !paused && queue.length === 0) wake();
  };
  engine = start({
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
    sendReady() {
      if (closed || (handlers !== undefined && !paused && queue.length === 0)) return undefined;
      return new Promise<void>((resolve) => waiters.push(resolve));
    },
  });
  return {
    send(data, _binary, decoded) {
      if (closed) return;
      try {
        // Only a frame forwarded unchanged comes with its decoded event; others are decoded.
        if (decoded === undefined) engine?.receive(data);
        else engine?.receive(data, decoded);
      } catch {
        end(ENGINE_FAULT.code, ENGINE_FAULT.reason);
      }
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
    get heldBytes() {
      if (closed) return 0;
      try {
        const held = engine?.heldBytes ?? 0;
        return Number.isFinite(held) && held > 0 ? held : 0;
      } catch {
        return 0;
      }
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
      const early = closedWith;
      if (early !== undefined) {
        // After `listen` returns, as a socket's close event would come.
        queueMicrotask(() => next.close(early.code, early.reason));
        return;
      }
      flush();
    },
  };
}
