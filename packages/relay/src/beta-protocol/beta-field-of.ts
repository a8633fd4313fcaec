import { isJsonObject, type JsonObject } from '../json-object.ts';
import {
  ASSISTANT_CONTENT_TYPES,
  type FieldMove,
  RESPONSE_CREATE_DROPPED,
  RESPONSE_CREATE_MOVES,
  SESSION_DROPPED,
  SESSION_MOVES,
  TRANSCRIPTION_EVENTS,
} from './beta-fields.ts';

/** Where a client event shows it is the beta protocol's, and what GA calls that, if anything. */
export interface BetaField {
  /** The beta field's path (`session.modalities`, `item.content[0].type`), or `type` for an event. */
  readonly param: string;
  /** What GA has in its place (`session.output_modalities`), `undefined` when nothing. */
  readonly ga: string | undefined;
}

const BETA_PART_TYPES: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(ASSISTANT_CONTENT_TYPES).map(([ga, beta]) => [beta, ga]),
);

/**
 * The first thing in a client event that only the beta protocol has: a beta event type
 * (`transcription_session.update`), a beta session field (`session.voice`), a beta
 * `response.create` field (`response.modalities`), or an assistant part typed `text` / `audio`.
 * `undefined` for an event GA would read as it is. Reads only field names and part types, so
 * what it reports never carries a value.
 *
 * @example
 * ```ts
 * betaFieldOf({ type: 'session.update', session: { modalities: ['text'] } });
 * // { param: 'session.modalities', ga: 'session.output_modalities' }
 * ```
 */
export function betaFieldOf(event: JsonObject): BetaField | undefined {
  switch (event.type) {
    case TRANSCRIPTION_EVENTS.update:
      return { param: 'type', ga: "session.update with session.type 'transcription'" };
    case 'session.update':
      return movedField(event.session, 'session', SESSION_MOVES, SESSION_DROPPED);
    case 'response.create': {
      const { response } = event;
      return (
        movedField(response, 'response', RESPONSE_CREATE_MOVES, RESPONSE_CREATE_DROPPED) ??
        (isJsonObject(response) ? itemsField(response.input, 'response.input') : undefined)
      );
    }
    case 'conversation.item.create':
      return itemField(event.item, 'item');
    default:
      return undefined;
  }
}

function movedField(
  body: unknown,
  at: string,
  moves: readonly FieldMove[],
  dropped: readonly string[],
): BetaField | undefined {
  if (!isJsonObject(body)) return undefined;
  for (const move of moves) {
    if (Object.hasOwn(body, move.beta)) {
      return { param: `${at}.${move.beta}`, ga: `${at}.${move.ga.join('.')}` };
    }
  }
  const field = dropped.find((name) => Object.hasOwn(body, name));
  return field === undefined ? undefined : { param: `${at}.${field}`, ga: undefined };
}

function itemsField(items: unknown, at: string): BetaField | undefined {
  if (!Array.isArray(items)) return undefined;
  for (const [index, item] of items.entries()) {
    const found = itemField(item, `${at}[${index}]`);
    if (found !== undefined) return found;
  }
  return undefined;
}

function itemField(item: unknown, at: string): BetaField | undefined {
  if (!isJsonObject(item) || item.role !== 'assistant' || !Array.isArray(item.content)) {
    return undefined;
  }
  for (const [index, part] of item.content.entries()) {
    if (!isJsonObject(part) || typeof part.type !== 'string') continue;
    const ga = Object.hasOwn(BETA_PART_TYPES, part.type) ? BETA_PART_TYPES[part.type] : undefined;
    if (ga !== undefined) {
      return { param: `${at}.content[${index}].type`, ga: `'${ga}'` };
    }
  }
  return undefined;
}
