import { CloseCode } from './close-codes.ts';
import { logFault } from './fault-log.ts';
import type { SessionContext } from './session-state.ts';

/** Closes the relay starts because of what the client did; it is not read any further. */
const POLICY_CLOSES: ReadonlySet<number> = new Set([
  CloseCode.policyViolation,
  CloseCode.messageTooBig,
  CloseCode.tryAgainLater,
]);

/**
 * Ends the session once. `code` is sent to the client unless the client closed first, in
 * which case `code` is what it closed with (counted as such) and `done` says 1000 for the
 * codes no close frame carries.
 *
 * @example
 * ```ts
 * finishSession(context, CloseCode.messageTooBig, 'message too big', false);
 * ```
 */
export function finishSession(
  context: SessionContext,
  code: number,
  reason: string,
  clientClosedFirst: boolean,
): void {
  const { state, client, metrics } = context;
  if (state.closed) return;
  state.closed = true;
  state.early = [];
  state.earlyBytes = 0;
  state.waiting = undefined;
  state.waitingBytes = 0;
  // An abort listener that throws is reported by the runtime, not here: listeners on this
  // signal must not throw (the relay's own only clear timers and abort calls).
  context.abort.abort();
  // The sockets are behind the fault boundary and cannot throw; metrics is on its own, so a
  // throw there leaves the session closed and settled.
  if (!clientClosedFirst) {
    client.close(code, reason);
    // A client closed for what it did gets no further reading: its frames cost nothing more.
    if (POLICY_CLOSES.has(code)) client.pause?.();
  }
  state.upstream?.close(CloseCode.normal, 'client session ended');
  state.retiring?.close(CloseCode.normal, 'client session ended');
  for (const feature of context.features) {
    try {
      feature.onEnd?.(code);
    } catch (error) {
      logFault(context, `${feature.name}.end`, error);
    }
  }
  if (metrics) {
    try {
      metrics.sessionsActive--;
      if (state.paused.client || state.paused.upstream) metrics.sessionsPaused--;
      metrics.countClose(code);
    } catch (error) {
      logFault(context, 'end.metrics', error);
    }
  }
  context.logger.log('info', 'session.close', {
    session: context.id,
    code,
    reason,
    ...(state.refused > 0 ? { refused: state.refused } : {}),
  });
  context.resolveDone(
    clientClosedFirst && (code === 1005 || code === 1006) ? CloseCode.normal : code,
  );
}
