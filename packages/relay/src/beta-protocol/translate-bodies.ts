import { isJsonObject, type JsonObject } from '../json-object.ts';
import {
  RESPONSE_CREATE_DROPPED,
  RESPONSE_CREATE_MOVES,
  RESPONSE_MOVES,
  SESSION_DROPPED,
  SESSION_MOVES,
  TRANSCRIPTION_DROPPED,
} from './beta-fields.ts';
import { movedToBeta, movedToGa } from './move-fields.ts';
import { itemsWith, itemToBeta, itemToGa } from './translate-items.ts';

/**
 * How the object in one field of an event (its `session`, `response`, `item` or `part`)
 * crosses between the protocols, each way. A value that is not an object is left as it is.
 */
export interface BodyTranslation {
  /** The event's field that holds it. */
  readonly field: string;
  toGa(value: unknown): unknown;
  toBeta(value: unknown): unknown;
}

/** `translate` on an object; anything else as it is. */
const onObject =
  (translate: (object: JsonObject) => JsonObject) =>
  (value: unknown): unknown =>
    isJsonObject(value) ? translate(value) : value;

/**
 * A session (beta `Session`, GA `RealtimeSessionCreateRequestGA` / `…ResponseGA`) as GA has it:
 * its fields moved, `type` set to `kind` unless it names one (GA requires it). A session that
 * names its `type` and has nothing to move is returned itself.
 *
 * @example
 * ```ts
 * sessionToGa({ modalities: ['text'] }); // { type: 'realtime', output_modalities: ['text'] }
 * ```
 */
export function sessionToGa(
  session: JsonObject,
  kind: 'realtime' | 'transcription' = 'realtime',
): JsonObject {
  const dropped = kind === 'transcription' ? TRANSCRIPTION_DROPPED : SESSION_DROPPED;
  const moved = movedToGa(session, SESSION_MOVES, dropped);
  return moved === session && Object.hasOwn(session, 'type') ? session : { type: kind, ...moved };
}

/**
 * A GA session as beta has it. Its `type` stays (a beta client reads past a field it does not
 * know), so the way back is exact.
 *
 * @example
 * ```ts
 * sessionToBeta({ type: 'realtime', output_modalities: ['audio'] }); // { type: 'realtime', modalities: ['text', 'audio'] }
 * ```
 */
export function sessionToBeta(session: JsonObject): JsonObject {
  return movedToBeta(session, SESSION_MOVES);
}

/**
 * A session's body, both ways (`session.update`, `session.created`, `session.updated`).
 *
 * @example
 * ```ts
 * SESSION_BODY.toBeta(event.session);
 * ```
 */
export const SESSION_BODY: BodyTranslation = {
  field: 'session',
  toGa: onObject((session) => sessionToGa(session)),
  toBeta: onObject(sessionToBeta),
};

/**
 * `response.create`'s `response`, both ways: its fields moved, its `input` items translated.
 *
 * @example
 * ```ts
 * RESPONSE_CREATE_BODY.toGa({ voice: 'verse' }); // { audio: { output: { voice: 'verse' } } }
 * ```
 */
export const RESPONSE_CREATE_BODY: BodyTranslation = {
  field: 'response',
  toGa: onObject((response) =>
    withItems(
      movedToGa(response, RESPONSE_CREATE_MOVES, RESPONSE_CREATE_DROPPED),
      'input',
      itemToGa,
    ),
  ),
  toBeta: onObject((response) =>
    withItems(movedToBeta(response, RESPONSE_CREATE_MOVES), 'input', itemToBeta),
  ),
};

/**
 * A response object (`response.created`, `response.done`), both ways: its fields moved, its
 * `output` items translated.
 *
 * @example
 * ```ts
 * RESPONSE_BODY.toBeta({ output_modalities: ['text'], output: [] }); // { modalities: ['text'], output: [] }
 * ```
 */
export const RESPONSE_BODY: BodyTranslation = {
  field: 'response',
  toGa: onObject((response) =>
    withItems(movedToGa(response, RESPONSE_MOVES, RESPONSE_CREATE_DROPPED), 'output', itemToGa),
  ),
  toBeta: onObject((response) =>
    withItems(movedToBeta(response, RESPONSE_MOVES), 'output', itemToBeta),
  ),
};

/**
 * An event's `item`, both ways.
 *
 * @example
 * ```ts
 * ITEM_BODY.toBeta(event.item);
 * ```
 */
export const ITEM_BODY: BodyTranslation = { field: 'item', toGa: itemToGa, toBeta: itemToBeta };

/** `object` with the items of its list `field` translated, or `object` itself when none changed. */
function withItems(
  object: JsonObject,
  field: string,
  translate: (item: unknown) => unknown,
): JsonObject {
  if (!Object.hasOwn(object, field)) return object;
  const items = itemsWith(object[field], translate);
  return items === object[field] ? object : { ...object, [field]: items };
}

/**
 * `event` with the object in `body.field` translated by `translate`, or `event` itself when
 * it has none.
 *
 * @example
 * ```ts
 * withBody(event, SESSION_BODY, SESSION_BODY.toBeta);
 * ```
 */
export function withBody(
  event: JsonObject,
  body: BodyTranslation,
  translate: (value: unknown) => unknown,
): JsonObject {
  if (!Object.hasOwn(event, body.field)) return event;
  const value = event[body.field];
  const translated = translate(value);
  return translated === value ? event : { ...event, [body.field]: translated };
}
