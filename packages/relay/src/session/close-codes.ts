/**
 * Close codes the relay sends, per RFC 6455 §7.4.1.
 *
 * @example
 * ```ts
 * socket.close(CloseCode.goingAway, 'server shutting down');
 * ```
 */
export const CloseCode = {
  normal: 1000,
  goingAway: 1001,
  policyViolation: 1008,
  messageTooBig: 1009,
  internalError: 1011,
  tryAgainLater: 1013,
} as const;

/**
 * The close reasons the relay sends where what follows tells them apart (a forwarded call's
 * end, for one): the text of the close frame, kept in one place so a reader can match on it.
 *
 * @example
 * ```ts
 * session.close(CloseCode.goingAway, CloseReason.shuttingDown);
 * ```
 */
export const CloseReason = {
  /** The session's `maxSessionSeconds` ran out. */
  timeLimit: 'session time limit',
  /** The upstream closed the connection (a clean end, or a drop no resume survived). */
  upstreamClosed: 'upstream closed',
  /** No upstream could be reached. */
  upstreamUnavailable: 'upstream unavailable',
  /** The relay is draining. */
  shuttingDown: 'server shutting down',
  /** A forwarded call was hung up through the relay. */
  hangup: 'hangup',
} as const;

/**
 * Maps the code an upstream closed with to the code to close the client with. Codes that may
 * not be sent in a close frame (1005, 1006, 1015, out of range) become 1011; the rest pass on.
 *
 * @example
 * ```ts
 * clientCloseCode(1006); // 1011 (abnormal closure, no close frame)
 * clientCloseCode(4000); // 4000
 * ```
 */
export function clientCloseCode(upstreamCode: number): number {
  if (upstreamCode === 1000 || upstreamCode === 1001) return upstreamCode;
  if (
    upstreamCode >= 1002 &&
    upstreamCode <= 1014 &&
    upstreamCode !== 1004 &&
    upstreamCode !== 1005 &&
    upstreamCode !== 1006
  ) {
    return upstreamCode;
  }
  if (upstreamCode >= 3000 && upstreamCode <= 4999) return upstreamCode;
  return CloseCode.internalError;
}

/**
 * Whether an upstream close is abnormal, so the client should hear why in an `error` event.
 *
 * @example
 * ```ts
 * isAbnormalClose(1000); // false
 * isAbnormalClose(1006); // true
 * ```
 */
export function isAbnormalClose(code: number): boolean {
  return code !== 1000 && code !== 1001;
}

/** Upstream closes worth a resume: the connection or the server failed, not the session. */
const RESUMABLE_CLOSES: ReadonlySet<number> = new Set([1001, 1005, 1006, 1011, 1012, 1013, 1014]);

/**
 * Whether an upstream close is one a session can survive by reconnecting: the server went
 * away or failed, or the connection broke. A close for what the session did (1002, 1003,
 * 1007, 1008, 1009) or an application's own code (4xxx: quota, policy) would happen again.
 *
 * @example
 * ```ts
 * isResumableClose(1006); // true
 * isResumableClose(4001); // false
 * ```
 */
export function isResumableClose(code: number): boolean {
  return RESUMABLE_CLOSES.has(code);
}

/** Close codes RFC 6455 and the IANA registry define; each is its own metrics label. */
const DEFINED_CLOSE_CODES: ReadonlySet<number> = new Set([
  1000, 1001, 1002, 1003, 1005, 1006, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 1015,
]);

/**
 * The metrics label of a close code. A client picks the code it closes with, so codes outside
 * the registered range are folded into classes (`3xxx` registered by libraries, `4xxx` private
 * use, `other`) and a client cannot grow the label set.
 *
 * @example
 * ```ts
 * closeCodeLabel(1008); // '1008'
 * closeCodeLabel(4123); // '4xxx'
 * closeCodeLabel(2999); // 'other'
 * ```
 */
export function closeCodeLabel(code: number): string {
  if (DEFINED_CLOSE_CODES.has(code)) return String(code);
  if (code >= 3000 && code <= 3999) return '3xxx';
  if (code >= 4000 && code <= 4999) return '4xxx';
  return 'other';
}
