/** Runs before each step of a simulated response: waits its turn, or says the response is over. */
export type StepClock = (delayMs: number) => Promise<boolean>;

/** Steps run back to back under `fast` pacing before one macrotask goes to other events. */
const FAST_BATCH = 16;

/** How far behind its schedule a realtime clock catches up; further, it starts again from now. */
const MAX_BEHIND_MS = 250;

/**
 * The simulator's clock. Under `realtime` each step waits its delay (audio at playback
 * speed), counted from the first step, so a timer that fires late shortens the next wait
 * instead of slowing the stream; under `fast` delays are dropped, but every sixteenth step yields a macrotask, so
 * client events (a `response.cancel`) still arrive between steps. Resolves `false` once
 * `signal` aborted; no timer outlives an abort.
 *
 * @example
 * ```ts
 * const step = createStepClock('realtime', signal);
 * for (const chunk of chunks) {
 *   if (!(await step(100))) return;
 *   output.audio(chunk);
 * }
 * ```
 */
export function createStepClock(pace: 'realtime' | 'fast', signal: AbortSignal): StepClock {
  let sinceYield = 0;
  /** When the next realtime step is due: the sum of the delays, so late timers do not add up. */
  let due: number | undefined;
  const realtimeWait = (delayMs: number) => {
    const now = performance.now();
    // Far behind (the process stalled): start again from now rather than burst to catch up.
    if (due === undefined || due < now - MAX_BEHIND_MS) due = now;
    due += delayMs;
    return Math.max(0, due - now);
  };
  return async (delayMs) => {
    if (signal.aborted) return false;
    const wait =
      pace === 'realtime' ? realtimeWait(delayMs) : ++sinceYield % FAST_BATCH === 0 ? 0 : -1;
    if (wait < 0) return true;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, wait);
      function done() {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      }
      signal.addEventListener('abort', done, { once: true });
    });
    return !signal.aborted;
  };
}
