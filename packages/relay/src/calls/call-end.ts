import { CloseReason } from '../session/close-codes.ts';

/**
 * Why a forwarded call ended, one of a fixed set (a metrics label):
 * - `hangup`: hung up through the relay (`POST /v1/realtime/calls/{id}/hangup`);
 * - `upstream_ended`: the upstream ended the call and closed the sideband cleanly (the
 *   browser left, or the call was hung up upstream);
 * - `upstream_lost`: the sideband to the upstream dropped or could not be opened;
 * - `time_limit`: the tenant's `maxSessionSeconds` ran out (the relay hangs up upstream);
 * - `shutdown`: the relay is draining;
 * - `relay_closed`: the relay closed the session for any other reason (idle, a limit, a fault).
 */
export type CallEndReason =
  | 'hangup'
  | 'upstream_ended'
  | 'upstream_lost'
  | 'time_limit'
  | 'shutdown'
  | 'relay_closed';

/** A forwarded call that ended, as `RelayHostOptions.onCallEnd` is told of it. */
export interface CallEnd {
  /** The relay's call id (`rtc_…`, as in its `Location`). */
  readonly callId: string;
  readonly tenant: string | undefined;
  /** Why the call ended. */
  readonly reason: CallEndReason;
  /** The close code the relay's session for the call ended with (1000 after a hangup). */
  readonly code: number;
  /** How long the call lasted, in ms. */
  readonly durationMs: number;
}

/**
 * The {@link CallEndReason} of a forwarded call's relay session that closed with `code` and
 * `reason`.
 *
 * @example
 * ```ts
 * callEndReason(1000, 'upstream closed'); // 'upstream_ended'
 * callEndReason(1011, 'upstream closed'); // 'upstream_lost'
 * ```
 */
export function callEndReason(code: number, reason: string): CallEndReason {
  switch (reason) {
    case CloseReason.hangup:
      return 'hangup';
    case CloseReason.timeLimit:
      return 'time_limit';
    case CloseReason.shuttingDown:
      return 'shutdown';
    case CloseReason.upstreamUnavailable:
      return 'upstream_lost';
    case CloseReason.upstreamClosed:
      return code === 1000 || code === 1001 ? 'upstream_ended' : 'upstream_lost';
    default:
      return 'relay_closed';
  }
}
