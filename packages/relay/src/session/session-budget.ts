import type { DuplexSocket } from '../sockets/duplex-socket.ts';
import type { RelaySessionLimits, SessionContext } from './session-state.ts';

/**
 * The most a session may hold in all, in bytes: `limits.maxSessionBufferedBytes` when set,
 * else each of its buffers' own limits added up: the client's send buffer, the upstream's (or
 * the frames held for it while it connects) and an in-process engine's output queue at the
 * hard limit each, and one client message arriving (`3 × hardLimitBytes + maxFrameBytes`, 76
 * MiB with the relay's defaults). What an engine, the resume copy and server tool calls hold
 * is counted inside it, so none of them grows a session past it.
 *
 * @example
 * ```ts
 * sessionBudgetBytes(config); // 79_691_776 with the defaults
 * ```
 */
export function sessionBudgetBytes(limits: RelaySessionLimits): number {
  return limits.maxSessionBufferedBytes ?? 3 * limits.hardLimitBytes + limits.maxFrameBytes;
}

/**
 * Everything a session holds now, in bytes: the client's send buffer and the message it is
 * sending, the frames held for an upstream still connecting, each upstream's send buffer,
 * message arriving and what it holds for the session (an in-process engine's conversation and
 * queues), the one a switch is retiring, and what each feature holds (the conversation kept for
 * a resume, server tool calls in flight). 0 once the
 * session ended. Cheap: a dozen reads of running counts.
 *
 * @example
 * ```ts
 * if (sessionHeldBytes(context) > sessionBudgetBytes(context.limits)) close();
 * ```
 */
export function sessionHeldBytes(context: SessionContext): number {
  const { state, client } = context;
  if (state.closed) return 0;
  let held =
    client.bufferedAmount +
    (client.incomingBytes ?? 0) +
    state.earlyBytes +
    state.waitingBytes +
    socketBytes(state.upstream) +
    socketBytes(state.retiring);
  for (const feature of context.features) held += feature.heldBytes?.() ?? 0;
  return held;
}

function socketBytes(socket: DuplexSocket | undefined): number {
  if (socket === undefined) return 0;
  return socket.bufferedAmount + (socket.incomingBytes ?? 0) + (socket.heldBytes ?? 0);
}
