import { decodeClientEvent, decodeServerEvent } from './decode-event.ts';
import {
  CONTENT_SCOPED_EVENT_TYPES,
  ITEM_SCOPED_EVENT_TYPES,
  RESPONSE_SCOPED_EVENT_TYPES,
  type RealtimeClientEvent,
  type RealtimeServerEvent,
} from './generated/event-types.ts';

/**
 * Whether a parsed value is a valid known server event (the full decoder check, without
 * parsing: strings and bytes are not frames here).
 *
 * @example
 * ```ts
 * if (isServerEvent(message)) handle(message); // message: RealtimeServerEvent
 * ```
 */
export function isServerEvent(value: unknown): value is RealtimeServerEvent {
  if (typeof value !== 'object' || value === null || ArrayBuffer.isView(value)) return false;
  if (value instanceof ArrayBuffer) return false;
  const result = decodeServerEvent(value);
  return result.ok && result.known;
}

/**
 * Whether a parsed value is a valid known client event. See {@link isServerEvent}.
 *
 * @example
 * ```ts
 * if (isClientEvent(message)) forward(message); // message: RealtimeClientEvent
 * ```
 */
export function isClientEvent(value: unknown): value is RealtimeClientEvent {
  if (typeof value !== 'object' || value === null || ArrayBuffer.isView(value)) return false;
  if (value instanceof ArrayBuffer) return false;
  const result = decodeClientEvent(value);
  return result.ok && result.known;
}

/**
 * Narrows an event to the member of its union with the given `type`.
 *
 * @example
 * ```ts
 * if (isEventType(event, 'response.output_audio.delta')) play(event.delta);
 * ```
 */
export function isEventType<E extends { readonly type: string }, T extends E['type']>(
  event: E,
  type: T,
): event is Extract<E, { type: T }> {
  return event.type === type;
}

/** Server events tied to one response (they carry `response_id`). */
export type ResponseScopedServerEvent = Extract<
  RealtimeServerEvent,
  { type: (typeof RESPONSE_SCOPED_EVENT_TYPES)[number] }
>;

/** Server events tied to one output item of a response (`response_id`, `item_id`, `output_index`). */
export type ItemScopedServerEvent = Extract<
  RealtimeServerEvent,
  { type: (typeof ITEM_SCOPED_EVENT_TYPES)[number] }
>;

/** Server events tied to one content part of an output item (adds `content_index`). */
export type ContentScopedServerEvent = Extract<
  RealtimeServerEvent,
  { type: (typeof CONTENT_SCOPED_EVENT_TYPES)[number] }
>;

const responseScoped: ReadonlySet<string> = new Set(RESPONSE_SCOPED_EVENT_TYPES);
const itemScoped: ReadonlySet<string> = new Set(ITEM_SCOPED_EVENT_TYPES);
const contentScoped: ReadonlySet<string> = new Set(CONTENT_SCOPED_EVENT_TYPES);

/**
 * Whether a server event belongs to a response (carries `response_id`).
 *
 * @example
 * ```ts
 * if (isResponseScopedEvent(event)) byResponse.get(event.response_id)?.push(event);
 * ```
 */
export function isResponseScopedEvent(
  event: RealtimeServerEvent,
): event is ResponseScopedServerEvent {
  return responseScoped.has(event.type);
}

/**
 * Whether a server event belongs to one output item of a response.
 *
 * @example
 * ```ts
 * if (isItemScopedEvent(event)) console.log(event.item_id, event.output_index);
 * ```
 */
export function isItemScopedEvent(event: RealtimeServerEvent): event is ItemScopedServerEvent {
  return itemScoped.has(event.type);
}

/**
 * Whether a server event belongs to one content part of an output item.
 *
 * @example
 * ```ts
 * if (isContentScopedEvent(event)) console.log(event.content_index);
 * ```
 */
export function isContentScopedEvent(
  event: RealtimeServerEvent,
): event is ContentScopedServerEvent {
  return contentScoped.has(event.type);
}
