import type { SessionContext } from './session-state.ts';

/** Class and code names that may be logged: identifiers, nothing a peer could have written. */
const NAME = /^[A-Za-z_$][\w$.:-]{0,63}$/;

/**
 * What a log line may say about something thrown: its class (`RangeError`, `RtwireError`) and
 * its code when it has an identifier-shaped one, never its message, which may quote a frame.
 *
 * @example
 * ```ts
 * describeFault(new RangeError('Maximum call stack size exceeded')); // { error: 'RangeError' }
 * ```
 */
export function describeFault(error: unknown): { error: string; code?: string } {
  try {
    if (typeof error !== 'object' || error === null) return { error: typeof error };
    const constructorName: unknown = (error as { constructor?: { name?: unknown } }).constructor
      ?.name;
    const name =
      typeof constructorName === 'string' && NAME.test(constructorName)
        ? constructorName
        : 'Object';
    const code: unknown = (error as { code?: unknown }).code;
    const ownName: unknown = (error as { name?: unknown }).name;
    if (typeof code === 'string' && NAME.test(code)) return { error: name, code };
    if (typeof ownName === 'string' && ownName !== name && NAME.test(ownName)) {
      return { error: name, code: ownName };
    }
    return { error: name };
  } catch {
    // A proxy or a getter that throws: nothing of it can be read safely.
    return { error: 'unreadable' };
  }
}

/**
 * Writes the one log line of a session's fault (`session.fault`: the session, where its code
 * was entered, the error's class and code) and marks the session faulted. Returns false, and
 * writes nothing, when the session had faulted already: a throw while failing is no news.
 *
 * @example
 * ```ts
 * if (logFault(context, 'client.message', error)) finishSession(context, 1011, 'internal error', false);
 * ```
 */
export function logFault(context: SessionContext, where: string, error: unknown): boolean {
  if (context.state.faulted) return false;
  context.state.faulted = true;
  context.logger.log('error', 'session.fault', {
    session: context.id,
    where,
    ...describeFault(error),
  });
  return true;
}
