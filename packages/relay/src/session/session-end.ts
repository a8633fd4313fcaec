import { CloseCode } from './close-codes.ts';
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
  context.abort.abort();
  state.early = [];
  state.earlyBytes = 0;
  if (!clientClosedFirst) {
    client.close(code, reason);
    // A client closed for what it did gets no further reading: its frames cost nothing more.
    if (POLICY_CLOSES.has(code)) client.pause?.();
  }
  state.upstream?.close(CloseCode.normal, 'client session ended');
  if (context.resume !== undefined) {
    context.resume.retiring?.close(CloseCode.normal, 'client session ended');
    if (context.resume.rolloverTimer !== undefined) clearTimeout(context.resume.rolloverTimer);
  }
  if (metrics) {
    metrics.sessionsActive--;
    if (state.paused.client || state.paused.upstream) metrics.sessionsPaused--;
    metrics.countClose(code);
  }
  context.logger.log('info', 'session.close', {
    session: context.id,
    code,
    reason,
    ...(state.refused > 0 ? { refused: state.refused } : {}),
  });
  context.settle(clientClosedFirst && (code === 1005 || code === 1006) ? CloseCode.normal : code);
}
