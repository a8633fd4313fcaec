import {
  decodeTranslationClientEvent,
  decodeTranslationServerEvent,
} from './decode-translation-event.ts';
import type {
  RealtimeTranslationClientEvent,
  RealtimeTranslationServerEvent,
} from './generated/translation-event-types.ts';

/** A value a decoder reads as a parsed event: not text, not bytes. */
const isParsed = (value: unknown): value is object =>
  typeof value === 'object' &&
  value !== null &&
  !ArrayBuffer.isView(value) &&
  !(value instanceof ArrayBuffer);

/**
 * Whether a parsed value is a valid known server event of a translation session (the full
 * decoder check, without parsing: strings and bytes are not frames here).
 *
 * @example
 * ```ts
 * if (isTranslationServerEvent(message)) handle(message); // RealtimeTranslationServerEvent
 * ```
 */
export function isTranslationServerEvent(value: unknown): value is RealtimeTranslationServerEvent {
  if (!isParsed(value)) return false;
  const result = decodeTranslationServerEvent(value);
  return result.ok && result.known;
}

/**
 * Whether a parsed value is a valid known client event of a translation session. See
 * {@link isTranslationServerEvent}.
 *
 * @example
 * ```ts
 * if (isTranslationClientEvent(message)) forward(message); // RealtimeTranslationClientEvent
 * ```
 */
export function isTranslationClientEvent(value: unknown): value is RealtimeTranslationClientEvent {
  if (!isParsed(value)) return false;
  const result = decodeTranslationClientEvent(value);
  return result.ok && result.known;
}
