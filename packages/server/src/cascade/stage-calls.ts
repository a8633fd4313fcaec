import { BackendCall, type BackendCallOptions, type CascadeEndpoint } from './backend-call.ts';
import type { CascadeStage } from './backend-error.ts';
import type { CascadeSettings } from './cascade-options.ts';
import { CALL_CLOSED, followSignal } from './follow-signal.ts';

/** What the cascade's backend calls take from its settings. */
type CallSettings = Pick<CascadeSettings, 'fetch' | 'timeoutMs'>;

/**
 * The options of one backend call to `endpoint` under `signal`, with the cascade's fetch and
 * timeout: for a lone call on a signal the caller owns (an input transcription), which
 * closes itself when done and so leaves nothing on that signal.
 *
 * @example
 * ```ts
 * const text = await transcribeAudio(callOptions(settings, stage.endpoint, signal), request);
 * ```
 */
export function callOptions(
  settings: CallSettings,
  endpoint: CascadeEndpoint,
  signal: AbortSignal,
): Omit<BackendCallOptions, 'stage'> {
  return { endpoint, fetch: settings.fetch, timeoutMs: settings.timeoutMs, signal };
}

/**
 * The backend calls of one piece of work (a response, a segment's translation, a translation
 * session): they share one signal, which aborts when the caller's does or when the work
 * aborts itself (a failed stage stops the others), and {@link close} ends whatever is still
 * open (speech asked ahead, a body not read).
 *
 * @example
 * ```ts
 * const calls = stageCalls(settings, signal);
 * try {
 *   const chat = calls.call('chat', settings.chat.endpoint);
 *   spoken.onFailure = (error) => calls.abort(error);
 * } finally {
 *   calls.close();
 * }
 * ```
 */
export interface StageCalls {
  /** Aborts with the caller's signal, on {@link abort}, and on {@link close}. */
  readonly signal: AbortSignal;
  /** A call to one stage under {@link signal}. */
  call(stage: CascadeStage, endpoint: CascadeEndpoint): BackendCall;
  /** Stops every call of the work, with `reason`. */
  abort(reason: unknown): void;
  /** The work is over: every call still open stops, and the caller's signal is let go. */
  close(): void;
}

/**
 * Starts the calls of one piece of work under `signal`. Its one listener on `signal` goes at
 * {@link StageCalls.close}, so work done one piece after the other on a long-lived signal (a
 * session's) leaves nothing behind on it.
 *
 * @example
 * ```ts
 * const calls = stageCalls(settings, signal);
 * try {
 *   await calls.call('chat', settings.chat.endpoint).send('chat/completions', { body });
 * } finally {
 *   calls.close();
 * }
 * ```
 */
export function stageCalls(settings: CallSettings, signal: AbortSignal): StageCalls {
  const work = new AbortController();
  const unfollow = followSignal(signal, work);
  return {
    signal: work.signal,
    call: (stage, endpoint) =>
      new BackendCall({ ...callOptions(settings, endpoint, work.signal), stage }),
    abort: (reason) => work.abort(reason),
    close: () => {
      unfollow();
      work.abort(CALL_CLOSED);
    },
  };
}
