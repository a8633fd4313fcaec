import { RealtimeModelError } from '../model.ts';
import type { Refusal } from '../session/refusals.ts';

/**
 * The `error` a translation model's failure is told to the client as: the code of a
 * `RealtimeModelError` (its message only when `expose` is set), else `model_error` and
 * `fallback`, since a model's errors may carry the session's words, keys or upstream bodies.
 * Read by brand, not prototype (a model may import another installed copy of this package);
 * a value that throws when looked at is no model error of ours.
 *
 * @example
 * ```ts
 * frames.event(TranslationServerEvents.errorEvent(id, { ...modelFailure(error, 'It failed.'), event_id: null }));
 * ```
 */
export function modelFailure(error: unknown, fallback: string): Refusal {
  let known: RealtimeModelError | undefined;
  try {
    known = RealtimeModelError.isInstance(error) ? error : undefined;
  } catch {
    known = undefined;
  }
  return {
    type: 'server_error',
    code: known?.code ?? 'model_error',
    message: known?.expose === true ? known.message : fallback,
    param: null,
  };
}
