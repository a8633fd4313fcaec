import { isJsonObject, type JsonObject } from '../json-object.ts';
import { SERVER_EVENT_NAMES, TRANSCRIPTION_EVENTS, WITHHELD_FROM_BETA } from './beta-fields.ts';
import {
  type BodyTranslation,
  ITEM_BODY,
  RESPONSE_BODY,
  SESSION_BODY,
  sessionToGa,
  withBody,
} from './translate-bodies.ts';
import { partToBeta } from './translate-items.ts';

/** A content part's body: named alike in both protocols by the spec (see `partToBeta`). */
const PART_BODY: BodyTranslation = {
  field: 'part',
  toGa: (part) => part,
  toBeta: partToBeta,
};

/** Server events whose body differs between the protocols, by GA type. */
const SERVER_BODIES: Readonly<Record<string, BodyTranslation>> = {
  'session.created': SESSION_BODY,
  'session.updated': SESSION_BODY,
  'response.created': RESPONSE_BODY,
  'response.done': RESPONSE_BODY,
  'conversation.item.added': ITEM_BODY,
  'conversation.item.created': ITEM_BODY,
  'conversation.item.retrieved': ITEM_BODY,
  'response.output_item.added': ITEM_BODY,
  'response.output_item.done': ITEM_BODY,
  'response.content_part.added': PART_BODY,
  'response.content_part.done': PART_BODY,
};

const GA_NAMES: Readonly<Record<string, string>> = Object.fromEntries([
  ...Object.entries(SERVER_EVENT_NAMES).map(([ga, beta]) => [beta, ga]),
  [TRANSCRIPTION_EVENTS.updated, 'session.updated'],
]);

/**
 * The GA server event types a beta client's copy may differ in: renamed, withheld, or with a
 * body to translate. Frames of every other type pass as they came.
 *
 * @example
 * ```ts
 * if (!BETA_SERVER_TYPES.has(peekEventType(frame) ?? '')) client.send(frame);
 * ```
 */
export const BETA_SERVER_TYPES: ReadonlySet<string> = new Set([
  ...Object.keys(SERVER_EVENT_NAMES),
  ...Object.keys(SERVER_BODIES),
  ...WITHHELD_FROM_BETA,
]);

/**
 * A GA server event as a beta client expects it: renamed (`response.output_text.delta` →
 * `response.text.delta`, `conversation.item.added` → `conversation.item.created`, …), its
 * session, response, item or part translated, a transcription session's `session.updated` as
 * `transcription_session.updated`. `undefined` for an event a beta client never gets
 * (`conversation.item.done`). Returns `event` itself when nothing changes.
 *
 * @example
 * ```ts
 * gaServerEventToBeta({ type: 'response.output_audio.delta', event_id: 'e1', delta: 'AAAA' });
 * // { type: 'response.audio.delta', event_id: 'e1', delta: 'AAAA' }
 * ```
 */
export function gaServerEventToBeta(event: JsonObject): JsonObject | undefined {
  const type = event.type;
  if (typeof type !== 'string') return event;
  if (WITHHELD_FROM_BETA.has(type)) return undefined;
  const body = SERVER_BODIES[type];
  const translated = body === undefined ? event : withBody(event, body, body.toBeta);
  const name = Object.hasOwn(SERVER_EVENT_NAMES, type)
    ? SERVER_EVENT_NAMES[type]
    : type === 'session.updated' && isTranscription(event)
      ? TRANSCRIPTION_EVENTS.updated
      : undefined;
  return name === undefined ? translated : { ...translated, type: name };
}

/**
 * A beta server event as GA names and shapes it: the inverse of {@link gaServerEventToBeta}
 * on what both protocols can say (`conversation.item.created` is GA's `.added`).
 *
 * @example
 * ```ts
 * betaServerEventToGa({ type: 'response.text.delta', event_id: 'e1', delta: 'Hi' });
 * // { type: 'response.output_text.delta', event_id: 'e1', delta: 'Hi' }
 * ```
 */
export function betaServerEventToGa(event: JsonObject): JsonObject {
  const betaType = event.type;
  if (typeof betaType !== 'string') return event;
  const type = Object.hasOwn(GA_NAMES, betaType) ? (GA_NAMES[betaType] as string) : betaType;
  const renamed = type === betaType ? event : { ...event, type };
  if (betaType === TRANSCRIPTION_EVENTS.updated) {
    const { session } = renamed;
    return isJsonObject(session)
      ? { ...renamed, session: sessionToGa(session, 'transcription') }
      : renamed;
  }
  const body = SERVER_BODIES[type];
  return body === undefined ? renamed : withBody(renamed, body, body.toGa);
}

function isTranscription(event: JsonObject): boolean {
  const { session } = event;
  return isJsonObject(session) && session.type === 'transcription';
}
