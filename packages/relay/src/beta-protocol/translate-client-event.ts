import { isJsonObject, type JsonObject } from '../json-object.ts';
import { TRANSCRIPTION_EVENTS } from './beta-fields.ts';
import {
  type BodyTranslation,
  ITEM_BODY,
  RESPONSE_CREATE_BODY,
  SESSION_BODY,
  sessionToBeta,
  sessionToGa,
  withBody,
} from './translate-bodies.ts';

/** Client events whose body differs between the protocols, by type (the same in both). */
const CLIENT_BODIES: Readonly<Record<string, BodyTranslation>> = {
  'session.update': SESSION_BODY,
  'response.create': RESPONSE_CREATE_BODY,
  'conversation.item.create': ITEM_BODY,
};

/**
 * The client event types a beta client's frame may need translating for; frames of every other
 * type (`input_audio_buffer.append` above all) pass as they came.
 *
 * @example
 * ```ts
 * if (!BETA_CLIENT_TYPES.has(peekEventType(frame) ?? '')) forward(frame);
 * ```
 */
export const BETA_CLIENT_TYPES: ReadonlySet<string> = new Set([
  ...Object.keys(CLIENT_BODIES),
  TRANSCRIPTION_EVENTS.update,
]);

/**
 * A beta client event as GA has it: `session.update`'s session fields moved and `type:
 * 'realtime'` added, `transcription_session.update` as a `session.update` of a transcription
 * session, `response.create`'s `response` fields moved, an assistant item's `text` / `audio`
 * parts renamed. Returns `event` itself when nothing changes (every other event: `append`,
 * `commit`, `conversation.item.retrieve` / `truncate` / `delete` are alike in both).
 *
 * @example
 * ```ts
 * betaClientEventToGa({ type: 'session.update', session: { modalities: ['text'] } });
 * // { type: 'session.update', session: { type: 'realtime', output_modalities: ['text'] } }
 * ```
 */
export function betaClientEventToGa(event: JsonObject): JsonObject {
  if (event.type === TRANSCRIPTION_EVENTS.update) {
    const { session } = event;
    return {
      ...event,
      type: 'session.update',
      session: isJsonObject(session) ? sessionToGa(session, 'transcription') : session,
    };
  }
  const body = typeof event.type === 'string' ? CLIENT_BODIES[event.type] : undefined;
  return body === undefined ? event : withBody(event, body, body.toGa);
}

/**
 * A GA client event as a beta client would have sent it: the inverse of
 * {@link betaClientEventToGa} on what both protocols can say (a session's `type` is left out,
 * a transcription session's update is `transcription_session.update`).
 *
 * @example
 * ```ts
 * gaClientEventToBeta({ type: 'response.create', response: { output_modalities: ['audio'] } });
 * // { type: 'response.create', response: { modalities: ['text', 'audio'] } }
 * ```
 */
export function gaClientEventToBeta(event: JsonObject): JsonObject {
  const { session } = event;
  if (event.type === 'session.update' && isJsonObject(session)) {
    const { type, ...fields } = session;
    return {
      ...event,
      ...(type === 'transcription' ? { type: TRANSCRIPTION_EVENTS.update } : {}),
      session: sessionToBeta(fields),
    };
  }
  const body = typeof event.type === 'string' ? CLIENT_BODIES[event.type] : undefined;
  return body === undefined ? event : withBody(event, body, body.toBeta);
}
