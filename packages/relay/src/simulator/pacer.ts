/**
 * Runs the steps of a response one after another, each after its own delay, on timers that
 * can all be dropped at once (a cancel, a closed session). With `fast` pacing every delay is
 * zero and steps run in small batches per macrotask, so client events (a `response.cancel`)
 * can still arrive between them.
 */
export interface Pacer {
  /** Queues `step` to run `delayMs` after the previous step (zero under `fast` pacing). */
  push(step: () => void, delayMs?: number): void;
  /** Drops every queued step. */
  clear(): void;
  /** Whether steps are queued or running. */
  readonly busy: boolean;
}

const FAST_BATCH = 16;

/** Creates a {@link Pacer}: `realtime` honours delays, `fast` ignores them. */
export function createPacer(pace: 'realtime' | 'fast'): Pacer {
  const queue: { step: () => void; delayMs: number }[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;

  const schedule = () => {
    if (timer !== undefined || queue.length === 0) return;
    const delay = pace === 'fast' ? 0 : (queue[0]?.delayMs ?? 0);
    timer = setTimeout(run, delay);
  };

  const run = () => {
    timer = undefined;
    let ran = 0;
    do {
      const next = queue.shift();
      if (next === undefined) break;
      next.step();
      ran++;
      // Under realtime pacing a step with a delay waits for its own timer.
    } while (queue.length > 0 && (pace === 'fast' ? ran < FAST_BATCH : queue[0]?.delayMs === 0));
    schedule();
  };

  return {
    push(step, delayMs = 0) {
      queue.push({ step, delayMs });
      schedule();
    },
    clear() {
      queue.length = 0;
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
    },
    get busy() {
      return timer !== undefined || queue.length > 0;
    },
  };
}
