import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { CloseCode, createListenerGate, type DuplexSocket } from '@rtwire/relay';
import { WebSocket } from 'ws';
import { createMessageTracker } from './message-tracker.ts';

const BINARY = { binary: true } as const;
const TEXT = { binary: false } as const;

/**
 * How long a close handshake may take before the TCP connection is dropped.
 *
 * @example
 * ```ts
 * setTimeout(() => ws.terminate(), CLOSE_HANDSHAKE_TIMEOUT_MS).unref();
 * ```
 */
export const CLOSE_HANDSHAKE_TIMEOUT_MS = 1000;

/** Reported for a connection dropped without a close frame (RFC 6455 §7.1.5); never sent. */
const ABNORMAL_CLOSURE = 1006;

/** Options of {@link createWsDuplexSocket}: the liveness checks a client connection gets. */
export interface WsDuplexOptions {
  /**
   * Pings the peer this often (ms); a peer that has answered neither with a pong nor with any
   * frame by the next ping is taken for gone and dropped. 0 or absent: no heartbeat.
   */
  readonly heartbeatIntervalMs?: number;
  /**
   * How long one incoming message may take from its first byte to its last (ms); a peer that
   * takes longer is closed with 1008. Absent: no deadline.
   */
  readonly messageTimeoutMs?: number;
}

/**
 * Adapts a `ws` WebSocket to the relay's {@link DuplexSocket}. `transport` is the TCP/TLS
 * socket under it, whose `drain` event says the send buffer emptied (`ws` has no such event).
 * Messages that arrive before `listen` are held, so none is lost between open and listen.
 *
 * With `heartbeatIntervalMs` it pings the peer and drops one that stopped answering (a
 * connection a proxy dropped silently looks open forever otherwise), reporting close code
 * 1006. A peer still draining a backlog counts as answering: its pong is queued behind the
 * backlog, and the kernel accepting more of it shows the peer is reading. It follows the
 * incoming frame headers, so the bytes of a message still arriving count as `incomingBytes`;
 * with `messageTimeoutMs` it closes a peer whose message does not complete in time with 1008.
 * Both checks pause while the relay has paused reading, since pongs and the rest of a message
 * then wait unread through no fault of the peer.
 *
 * A handler of the relay's that throws does not reach `ws` (where it would be an uncaught
 * exception, and the process's end): the connection is closed with 1011 and reported closed.
 *
 * @example
 * ```ts
 * wss.handleUpgrade(request, socket, head, (ws) =>
 *   host.admit(request).open(createWsDuplexSocket(ws, socket, { heartbeatIntervalMs: 30_000, messageTimeoutMs: 20_000 })),
 * );
 * ```
 */
export function createWsDuplexSocket(
  ws: WebSocket,
  transport: Duplex,
  options: WsDuplexOptions = {},
): DuplexSocket {
  const gate = createListenerGate();
  let ended: { code: number; reason: string } | undefined;
  let paused = false;
  let answered = true;
  let heartbeat: ReturnType<typeof setInterval> | undefined;
  let deadline: ReturnType<typeof setTimeout> | undefined;
  // Always followed, so the bytes of a message still arriving are counted; timed only with
  // `messageTimeoutMs`.
  const tracker = createMessageTracker();

  /** Tells the relay once that the connection is over, whoever ended it. */
  const report = (code: number, reason: string) => {
    if (ended !== undefined) return;
    ended = { code, reason };
    clearInterval(heartbeat);
    clearTimeout(deadline);
    deliver(() => gate.close(code, reason));
  };

  /**
   * Runs one of the relay's handlers. One that throws is the relay's bug, and must not reach
   * ws's event handling, where it would be an uncaught exception that ends the process: the
   * connection is ended with 1011 instead, and reported closed.
   */
  const deliver = (handle: () => void) => {
    try {
      handle();
    } catch {
      if (ended !== undefined) return;
      close(CloseCode.internalError, 'internal error');
      report(CloseCode.internalError, 'internal error');
    }
  };

  const close = (code: number, reason: string) => {
    if (ws.readyState === WebSocket.CLOSING || ws.readyState === WebSocket.CLOSED) return;
    try {
      ws.close(code, reason);
    } catch {
      ws.terminate();
      return;
    }
    setTimeout(() => ws.terminate(), CLOSE_HANDSHAKE_TIMEOUT_MS).unref();
  };

  ws.on('message', (data, binary) => {
    answered = true;
    deliver(() => gate.message(data as Buffer, binary));
  });
  ws.on('close', (code, reason) => report(code, reason.toString()));
  // Errors are followed by 'close', which is what the relay acts on.
  ws.on('error', () => {});
  transport.on('drain', () => deliver(() => gate.drain()));

  const heartbeatIntervalMs = options.heartbeatIntervalMs ?? 0;
  if (heartbeatIntervalMs > 0) {
    ws.on('pong', () => {
      answered = true;
    });
    // A slow reader's pong waits behind everything queued for it, so it may not come in time;
    // the kernel taking more of a backlog it had refused means the peer is reading, though.
    let accepted = 0;
    let backlogged = false;
    heartbeat = setInterval(() => {
      if (paused) return;
      const acceptedNow = bytesHandedToKernel(transport);
      const reading = backlogged && acceptedNow > accepted;
      accepted = acceptedNow;
      backlogged = transport.writableLength > 0;
      if (!answered && !reading) {
        report(ABNORMAL_CLOSURE, 'no answer to a ping');
        ws.terminate();
        return;
      }
      answered = false;
      ws.ping();
    }, heartbeatIntervalMs);
    heartbeat.unref();
  }

  /** Starts the clock on a message that has begun, unless it is running or reading is paused. */
  const armDeadline = () => {
    if (options.messageTimeoutMs === undefined) return;
    if (!tracker.inMessage || deadline !== undefined) return;
    if (paused || ended !== undefined) return;
    deadline = setTimeout(() => {
      report(CloseCode.policyViolation, 'message not completed in time');
      close(CloseCode.policyViolation, 'message not completed in time');
      ws.pause();
    }, options.messageTimeoutMs);
    deadline.unref();
  };
  // Registered after ws's own listener, so ws has taken each chunk in before this looks at it.
  transport.on('data', (chunk: Buffer) => {
    if (tracker.feed(chunk) && deadline !== undefined) {
      clearTimeout(deadline);
      deadline = undefined;
    }
    armDeadline();
  });

  // The frames sent in one turn of the event loop leave in one write: the transport is corked
  // at the first and uncorked when the turn's own work is done. `ws` alone writes each frame
  // with a syscall of its own, and an upstream read of many deltas became as many syscalls: a
  // quarter to a third of the relay's CPU per audio delta (bench:metering's open tenant).
  let corked = false;
  const uncork = () => {
    corked = false;
    transport.uncork();
  };

  return {
    send(data, binary) {
      if (ws.readyState !== WebSocket.OPEN) return;
      if (!corked) {
        corked = true;
        transport.cork();
        process.nextTick(uncork);
      }
      ws.send(data, binary ? BINARY : TEXT);
    },
    close,
    get bufferedAmount() {
      return ws.bufferedAmount;
    },
    get incomingBytes() {
      return tracker.messageBytes;
    },
    pause: () => {
      paused = true;
      // A paused message cannot complete: its deadline starts again once reading resumes.
      clearTimeout(deadline);
      deadline = undefined;
      ws.pause();
    },
    resume: () => {
      paused = false;
      answered = true;
      ws.resume();
      armDeadline();
    },
    listen: gate.listen,
  };
}

/**
 * Bytes the TCP (or TLS) socket has passed on to the kernel: what it counts as written, less
 * what it still holds. 0 for a transport that does not count (never taken as progress then).
 */
function bytesHandedToKernel(transport: Duplex): number {
  const written = (transport as Partial<Socket>).bytesWritten;
  return typeof written === 'number' ? written - transport.writableLength : 0;
}
