/**
 * Aborts `controller` when `signal` aborts (at once if it already has), with its reason;
 * returns what stops following it. The cascade's requests each follow their response's
 * signal, and a response follows the engine's.
 */
export function followSignal(signal: AbortSignal, controller: AbortController): () => void {
  const abort = () => controller.abort(signal.reason);
  if (signal.aborted) {
    abort();
    return () => {};
  }
  signal.addEventListener('abort', abort, { once: true });
  return () => signal.removeEventListener('abort', abort);
}

/**
 * Why the cascade aborts what is left of a finished response or a closed call: made once, as
 * `abort()` without a reason builds a `DOMException`, stack and all, every time.
 */
export const CALL_CLOSED: Readonly<{ name: string; message: string }> = Object.freeze({
  name: 'AbortError',
  message: 'the call was closed',
});
