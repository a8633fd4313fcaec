import {
  type DecodeOptions,
  type DecodeResult,
  decodeWith,
  type EventTable,
} from './decode-event.ts';
import {
  TRANSLATION_CLIENT_EVENT_CHECKS,
  TRANSLATION_CLIENT_EVENT_SHAPES,
  TRANSLATION_SERVER_EVENT_CHECKS,
  TRANSLATION_SERVER_EVENT_SHAPES,
} from './generated/translation-event-shapes.ts';
import type {
  RealtimeTranslationClientEvent,
  RealtimeTranslationServerEvent,
} from './generated/translation-event-types.ts';
import type { FrameInput } from './read-frame.ts';

/**
 * Options of {@link decodeTranslationServerEvent} and {@link decodeTranslationClientEvent}: the
 * nesting bound of {@link DecodeOptions}. Translation sessions have no beta-era names.
 */
export type TranslationDecodeOptions = Pick<DecodeOptions, 'maxNesting'>;

// A translation session has its own events under names the realtime protocol also uses, so
// it is decoded against its own tables and never renames anything.
const SERVER_EVENTS: EventTable = {
  checks: TRANSLATION_SERVER_EVENT_CHECKS,
  shapes: TRANSLATION_SERVER_EVENT_SHAPES,
  legacyNames: {},
};
const CLIENT_EVENTS: EventTable = {
  checks: TRANSLATION_CLIENT_EVENT_CHECKS,
  shapes: TRANSLATION_CLIENT_EVENT_SHAPES,
  legacyNames: {},
};

/**
 * Decodes and validates a frame the server sent over a translation session
 * (`/v1/realtime/translations`). Never throws; the same contract as {@link decodeServerEvent}
 * (lossless, unknown types kept whole, nesting bounded, the refused frame's `event_id` in
 * `error.eventId`), against the translation events: `session.created` here carries a
 * translation session, not a realtime one.
 *
 * @example
 * ```ts
 * const result = decodeTranslationServerEvent(frame);
 * if (result.ok && result.known && result.event.type === 'session.output_transcript.delta') {
 *   subtitles.append(result.event.delta);
 * }
 * ```
 */
export function decodeTranslationServerEvent(
  input: FrameInput,
  options?: TranslationDecodeOptions,
): DecodeResult<RealtimeTranslationServerEvent> {
  return decodeWith(input, SERVER_EVENTS, options);
}

/**
 * Decodes and validates a frame a client sent over a translation session. Never throws. See
 * {@link decodeTranslationServerEvent}; run {@link translationClientEventProblem} on a known
 * event to refuse parameters as the live API does.
 *
 * @example
 * ```ts
 * const result = decodeTranslationClientEvent('{"type":"session.close"}');
 * // { ok: true, known: true, event: { type: 'session.close' } }
 * ```
 */
export function decodeTranslationClientEvent(
  input: FrameInput,
  options?: TranslationDecodeOptions,
): DecodeResult<RealtimeTranslationClientEvent> {
  return decodeWith(input, CLIENT_EVENTS, options);
}
