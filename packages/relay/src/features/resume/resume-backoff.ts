import type { DuplexSocket } from '../../sockets/duplex-socket.ts';

/** The first reconnect waits up to this long (jitter), each later one up to four times more. */
export const RESUME_BACKOFF_BASE_MS = 100;

/** No reconnect waits longer than this (nor past the resume window). */
export const RESUME_BACKOFF_MAX_MS = 2000;

/**
 * How long to wait before reconnect number `attempt` (0 for the first) of drops close together:
 * exponential (4× each time from {@link RESUME_BACKOFF_BASE_MS}, bounded by
 * {@link RESUME_BACKOFF_MAX_MS}) with jitter, a random point in the upper half, so sessions
 * dropped together do not reconnect together. `random` is in [0, 1), as `Math.random`.
 *
 * @example
 * ```ts
 * await delay(resumeBackoffMs(budget.used, Math.random), signal);
 * ```
 */
export function resumeBackoffMs(attempt: number, random: () => number): number {
  const ceiling = Math.min(RESUME_BACKOFF_MAX_MS, RESUME_BACKOFF_BASE_MS * 4 ** attempt);
  const share = Math.min(Math.max(random(), 0), 1);
  return Math.floor(ceiling / 2 + (ceiling / 2) * share);
}

/**
 * Resolves after `ms`, or at once when `signal` aborts (the session ended).
 *
 * @example
 * ```ts
 * await delay(200, session.signal);
 * ```
 */
export function delay(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

/**
 * `connecting`, or a rejection once `ms` passed; a socket that opens later is closed.
 *
 * @example
 * ```ts
 * const socket = await withTimeout(session.upstream.connect(), windowLeftMs);
 * ```
 */
export function withTimeout(connecting: Promise<DuplexSocket>, ms: number): Promise<DuplexSocket> {
  return new Promise((resolve, reject) => {
    let late = false;
    const timer = setTimeout(
      () => {
        late = true;
        reject(new Error('resume window passed'));
      },
      Math.max(0, ms),
    );
    connecting.then(
      (socket) => {
        clearTimeout(timer);
        if (late) socket.close(1000, 'resume window passed');
        else resolve(socket);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
