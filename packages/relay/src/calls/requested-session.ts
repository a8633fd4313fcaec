import { decodeClientEvent, type RealtimeClientEventSessionUpdate } from '@rtwire/types';

/** A realtime session, as a `session.update` carries it. */
export type RealtimeSessionRequest = Extract<
  RealtimeClientEventSessionUpdate['session'],
  { type: 'realtime' }
>;

/**
 * Checks a session a request asks for (a call's form field, a client secret's body) against
 * the spec, as a `session.update` would carry it: the session, or the field that is wrong
 * (`session.audio.output.voice`, say) and what was expected, with nothing of the input.
 *
 * @example
 * ```ts
 * const checked = checkRequestedSession(JSON.parse(field));
 * if (!checked.ok) return badRequest(checked.param, checked.message);
 * ```
 */
export function checkRequestedSession(
  session: unknown,
):
  | { readonly ok: true; readonly session: RealtimeSessionRequest }
  | { readonly ok: false; readonly param: string; readonly message: string } {
  const decoded = decodeClientEvent({ type: 'session.update', session });
  if (!decoded.ok || !decoded.known || decoded.event.type !== 'session.update') {
    // The decoder's path is a JSON pointer into the wrapping event; its message has no input.
    const pointer = decoded.ok ? '' : decoded.error.path.replace(/^\/session\/?/, '');
    const param = pointer === '' ? 'session' : `session.${pointer.split('/').join('.')}`;
    const reason = decoded.ok ? 'the session field is not a session' : decoded.error.message;
    return { ok: false, param, message: `Invalid session: ${reason}` };
  }
  const { session: checked } = decoded.event;
  if (checked.type !== 'realtime') {
    return {
      ok: false,
      param: 'session.type',
      message: "Invalid session: expected a session of type 'realtime'",
    };
  }
  return { ok: true, session: checked };
}
