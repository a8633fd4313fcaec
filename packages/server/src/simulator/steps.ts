/** Runs before each step of a simulated response: waits its turn, or says the response is over. */
export type StepClock = (delayMs: number) => Promise<boolean>;

/** Steps run back to back under `fast` pacing before one macrotask goes to other events. */
const FAST_BATCH = 16;

/**
 * The simulator's clock. Under `realtime` each step waits its delay (audio at playback
 * speed); under `fast` delays are dropped, but every sixteenth step yields a macrotask, so
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
  return async (delayMs) => {
    if (signal.aborted) return false;
    const wait = pace === 'realtime' ? delayMs : ++sinceYield % FAST_BATCH === 0 ? 0 : -1;
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
