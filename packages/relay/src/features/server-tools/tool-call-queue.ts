/**
 * How many of a session's server tool calls run at once, and how many more may wait: what one
 * response of the model (which may call a tool thousands of times) can make the relay start.
 * A call past both is answered with an error output and its handler never runs. A call that
 * timed out or was cancelled frees its slot when its error output is given, even if an
 * in-process handler that ignores its abort signal is still running.
 *
 * @example
 * ```ts
 * const queue = createToolCallQueue(DEFAULT_TOOL_CALL_LIMITS);
 * ```
 */
export interface ToolCallLimits {
  /** Handlers running at once, per session. */
  readonly concurrent: number;
  /** Calls waiting for one of those slots, per session. */
  readonly queued: number;
}

/**
 * The limits every session gets: 4 handlers at once, 16 more waiting.
 *
 * @example
 * ```ts
 * createToolCallQueue(DEFAULT_TOOL_CALL_LIMITS);
 * ```
 */
export const DEFAULT_TOOL_CALL_LIMITS: ToolCallLimits = { concurrent: 4, queued: 16 };

/** A session's server tool calls, run a few at a time. */
export interface ToolCallQueue {
  /**
   * Runs `task` once a slot is free. `undefined` when every slot is taken and the queue is
   * full: the caller answers the call itself.
   */
  schedule(task: () => Promise<string>): Promise<string> | undefined;
  /** Handlers running now. */
  readonly running: number;
  /** Calls waiting for a slot. */
  readonly waiting: number;
}

/**
 * A queue of tool calls that runs at most `limits.concurrent` at once and holds at most
 * `limits.queued` more. A task that rejects frees its slot like one that resolves (the
 * rejection is the caller's, through the promise `schedule` returned).
 *
 * @example
 * ```ts
 * const output = queue.schedule(() => runServerTool(tool, handler, call, signal)) ?? Promise.resolve(errorOutput('busy'));
 * ```
 */
export function createToolCallQueue(
  limits: ToolCallLimits = DEFAULT_TOOL_CALL_LIMITS,
): ToolCallQueue {
  let running = 0;
  const waiting: (() => void)[] = [];
  const next = () => {
    running--;
    waiting.shift()?.();
  };
  const start = (task: () => Promise<string>): Promise<string> => {
    running++;
    let started: Promise<string>;
    try {
      started = task();
    } catch (error) {
      started = Promise.reject(error);
    }
    return started.finally(next);
  };
  return {
    schedule(task) {
      if (running < limits.concurrent) return start(task);
      if (waiting.length >= limits.queued) return undefined;
      return new Promise<string>((resolve, reject) => {
        waiting.push(() => start(task).then(resolve, reject));
      });
    },
    get running() {
      return running;
    },
    get waiting() {
      return waiting.length;
    },
  };
}
