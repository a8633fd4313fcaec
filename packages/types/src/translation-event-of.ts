import type {
  RealtimeTranslationClientEvent,
  RealtimeTranslationServerEvent,
} from './generated/translation-event-types.ts';

/** The `type` string of any server event of a translation session. */
export type TranslationServerEventType = RealtimeTranslationServerEvent['type'];

/** The `type` string of any client event of a translation session. */
export type TranslationClientEventType = RealtimeTranslationClientEvent['type'];

/**
 * The translation server event interface for a `type` string. Kept apart from
 * {@link ServerEventOf}: `session.created` names another event in each protocol.
 *
 * @example
 * ```ts
 * type Audio = TranslationServerEventOf<'session.output_audio.delta'>;
 * // RealtimeTranslationServerEventSessionOutputAudioDelta
 * ```
 */
export type TranslationServerEventOf<T extends TranslationServerEventType> = Extract<
  RealtimeTranslationServerEvent,
  { type: T }
>;

/**
 * The translation client event interface for a `type` string.
 *
 * @example
 * ```ts
 * type Update = TranslationClientEventOf<'session.update'>;
 * // RealtimeTranslationClientEventSessionUpdate
 * ```
 */
export type TranslationClientEventOf<T extends TranslationClientEventType> = Extract<
  RealtimeTranslationClientEvent,
  { type: T }
>;
