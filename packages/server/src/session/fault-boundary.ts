/**
 * What the host's `close` hears when an unexpected throw ends the session.
 *
 * @example
 * ```ts
 * closeHost(FAULT_CLOSE.code, FAULT_CLOSE.reason); // 1011, 'internal error'
 * ```
 */
export const FAULT_CLOSE = { code: 1011, reason: 'internal error' } as const;

/**
 * A session's fault boundary: every way into a session (a client frame, a timer, a model's
 * promise or output, a detector's report, the host's `send`) runs through {@link guard}, so an
 * unexpected throw closes that session and its host hears 1011 once the current call has
 * returned, as a socket's close would come. The error is not kept or passed on: it may carry
 * anything a model or a callback put in it.
 *
 * @example
 * ```ts
 * const boundary = new FaultBoundary({
 *   close: () => session.close(),
 *   isClosed: () => session.closed,
 *   closeHost: options.close?.bind(options),
 * });
 * boundary.guard(() => handle(frame));
 * ```
 */
export class FaultBoundary {
  readonly #close: () => void;
  readonly #isClosed: () => boolean;
  readonly #closeHost: ((code: number, reason: string) => void) | undefined;

  constructor(session: {
    /** Ends the session. */
    readonly close: () => void;
    /** Whether it has ended: a throw after a close has nothing left to stop. */
    readonly isClosed: () => boolean;
    /** The host's `close`, told once after a fault. */
    readonly closeHost: ((code: number, reason: string) => void) | undefined;
  }) {
    this.#close = session.close;
    this.#isClosed = session.isClosed;
    this.#closeHost = session.closeHost;
  }

  /** Runs `run`; a throw ends the session (see {@link fault}). */
  guard(run: () => void): void {
    try {
      run();
    } catch {
      this.fault();
    }
  }

  /** Ends the session: it closes now, and the host hears 1011 after the current call. */
  fault(): void {
    if (this.#isClosed()) return;
    try {
      this.#close();
    } catch {
      // Closed already; what failed on the way out has nothing left to stop.
    }
    const closeHost = this.#closeHost;
    if (closeHost === undefined) return;
    queueMicrotask(() => {
      try {
        closeHost(FAULT_CLOSE.code, FAULT_CLOSE.reason);
      } catch {
        // The host's own close failed; the session is closed either way.
      }
    });
  }
}
