import { encodeServerEvent } from '@rtwire/serializer';
import type { RealtimeClientEvent } from '@rtwire/types';
import type { DuplexSocket } from '../sockets/duplex-socket.ts';
import { CloseCode } from './close-codes.ts';
import { type RelayErrorDetails, relayErrorEvent } from './error-event.ts';
import { frameSize } from './frame-size.ts';
import { sessionBudgetBytes, sessionHeldBytes } from './session-budget.ts';
import { finishSession } from './session-end.ts';
import type { SessionContext, Side } from './session-state.ts';

const otherSide = (side: Side): Side => (side === 'client' ? 'upstream' : 'client');

const socketOf = (context: SessionContext, side: Side): DuplexSocket | undefined =>
  side === 'client' ? context.client : context.state.upstream;

/**
 * The one way anything reaches either side. A send to an upstream still connecting is held
 * (its bytes count as the upstream's buffer); every send is then held to the buffer limits.
 * `decoded` is the client event `data` holds, when the relay decoded it: an engine in process
 * takes it and does not decode the frame again.
 *
 * @example
 * ```ts
 * sendTo(context, 'client', frame, false);
 * ```
 */
export function sendTo(
  context: SessionContext,
  side: Side,
  data: string | Uint8Array,
  binary: boolean,
  bytes?: number,
  decoded?: RealtimeClientEvent,
): void {
  const { state } = context;
  if (state.closed) return;
  const socket = socketOf(context, side);
  if (socket === undefined) {
    state.early.push({ data, binary, decoded });
    state.earlyBytes += bytes ?? frameSize(data);
    holdToLimits(context, side, state.earlyBytes);
    return;
  }
  socket.send(data, binary, decoded);
  holdToLimits(context, side, socket.bufferedAmount);
}

/**
 * Sends the relay's own `error` event to the client (counted in the metrics by its code).
 *
 * @example
 * ```ts
 * sendRelayError(context, { type: 'server_error', code: 'upstream_closed', message: 'the upstream closed' });
 * ```
 */
export function sendRelayError(context: SessionContext, details: RelayErrorDetails): void {
  context.metrics?.countError(details.code);
  sendTo(context, 'client', encodeServerEvent(relayErrorEvent(details)), false);
}

/**
 * Holds `side`'s send buffer to the limits: past the high-water mark the other side stops
 * being read (when it can pause), past the hard limit the session ends with 1013. Then the
 * session as a whole: past its budget (`sessionBudgetBytes`: its buffers, what an in-process
 * engine holds for it, the resume copy, tool calls) it ends with 1013 too. Called after every
 * send, so what a frame makes the session hold is checked as it passes.
 *
 * @example
 * ```ts
 * holdToLimits(context, 'upstream', upstream.bufferedAmount);
 * ```
 */
export function holdToLimits(context: SessionContext, side: Side, buffered: number): void {
  const { limits, state } = context;
  const source = otherSide(side);
  if (
    buffered > limits.highWaterBytes &&
    !state.paused[source] &&
    socketOf(context, source)?.pause !== undefined
  ) {
    setPaused(context, source, true);
  }
  if (buffered > limits.hardLimitBytes) {
    tooSlow(context, side);
    return;
  }
  checkSessionBudget(context);
}

/**
 * Ends the session with 1013 when all it holds passes its budget (`sessionBudgetBytes`). Run
 * after every send; a step that makes the session hold more without sending (a tool call's
 * output coming in) runs it too.
 *
 * @example
 * ```ts
 * context.state.toolBytes += output.length;
 * checkSessionBudget(context);
 * ```
 */
export function checkSessionBudget(context: SessionContext): void {
  if (context.state.closed) return;
  const held = sessionHeldBytes(context);
  const budget = sessionBudgetBytes(context.limits);
  if (held <= budget) return;
  context.logger.log('warn', 'session.over_budget', { session: context.id, held, budget });
  context.metrics?.countError('session_budget_exceeded');
  finishSession(context, CloseCode.tryAgainLater, 'session buffer budget exceeded', false);
}

/**
 * `side`'s send buffer went down: the other side is read again once it is under the
 * high-water mark.
 *
 * @example
 * ```ts
 * client.listen({ …, drain: () => drained(context, 'client', client.bufferedAmount) });
 * ```
 */
export function drained(context: SessionContext, side: Side, buffered: number): void {
  const source = otherSide(side);
  if (context.state.paused[source] && buffered <= context.limits.highWaterBytes) {
    setPaused(context, source, false);
  }
}

function setPaused(context: SessionContext, side: Side, paused: boolean): void {
  const { state, metrics } = context;
  const wasPaused = state.paused.client || state.paused.upstream;
  state.paused[side] = paused;
  const isPaused = state.paused.client || state.paused.upstream;
  if (metrics && wasPaused !== isPaused) metrics.sessionsPaused += isPaused ? 1 : -1;
  // Last: resuming an in-process socket delivers its queue synchronously, which can pause again.
  const socket = socketOf(context, side);
  if (paused) socket?.pause?.();
  else socket?.resume?.();
}

function tooSlow(context: SessionContext, side: Side): void {
  context.logger.log('warn', 'session.too_slow', { session: context.id, side });
  if (side === 'client') {
    context.metrics?.countError('client_too_slow');
    finishSession(context, CloseCode.tryAgainLater, 'client too slow', false);
    return;
  }
  sendRelayError(context, {
    type: 'server_error',
    code: 'upstream_closed',
    message: 'the upstream is not keeping up',
  });
  finishSession(context, CloseCode.tryAgainLater, 'upstream too slow', false);
}
