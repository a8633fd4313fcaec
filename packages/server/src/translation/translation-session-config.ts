import { translationSession } from '@rtwire/builders';
import type {
  RealtimeTranslationSession,
  RealtimeTranslationSessionUpdateRequest,
} from '@rtwire/types';
import { deepFreeze } from '../frozen.ts';
import type { Refusal } from '../session/refusals.ts';
import type { TranslationSettings } from './translation-model.ts';

/** How long a session's `expires_at` lies ahead, as the realtime engine's sessions. */
const SESSION_LIFETIME_SECONDS = 30 * 60;

/**
 * The longest `audio.output.language` taken: BCP 47 tags fit in 35 characters, and the
 * settings go out whole in every `session.updated`.
 */
const MAX_LANGUAGE_CHARS = 64;
/** The longest transcription model name taken. */
const MAX_MODEL_CHARS = 256;

/**
 * The session a translation connection starts with, shaped like the live API's
 * `session.created`: input transcription and noise reduction off, the output language given.
 *
 * @example
 * ```ts
 * const session = defaultTranslationSession('sess_1', 'gpt-realtime-translate', nowSeconds, 'es');
 * ```
 */
export function defaultTranslationSession(
  id: string,
  model: string,
  nowSeconds: number,
  language: string,
): RealtimeTranslationSession {
  return deepFreeze(
    translationSession({
      id,
      model,
      expiresAt: nowSeconds + SESSION_LIFETIME_SECONDS,
      outputLanguage: language,
    }),
  );
}

/**
 * A translation `session.update` applied to the settings in effect: a field given replaces
 * its value (`null` turns input transcription or noise reduction off; a `null` language, or
 * an `input` or `output` of `null`, leaves them as they are), one left out stays. The event
 * passed `translationClientEventProblem` first, so only the three fields the spec allows are
 * here, with their types; what the spec leaves open and a session cannot use (an empty
 * language, one past 64 characters, an empty model name) is refused, naming the field.
 * Returns the new settings, frozen, or the refusal.
 *
 * @example
 * ```ts
 * const next = mergeTranslationSession(current, { audio: { output: { language: 'fr' } } });
 * if ('refusal' in next) refuse(next.refusal, event.event_id);
 * ```
 */
export function mergeTranslationSession(
  current: RealtimeTranslationSession,
  update: RealtimeTranslationSessionUpdateRequest,
): { readonly session: RealtimeTranslationSession } | { readonly refusal: Refusal } {
  const input = update.audio?.input ?? undefined;
  const output = update.audio?.output ?? undefined;
  const language = output?.language ?? current.audio.output?.language ?? '';
  if (language.trim() === '' || language.length > MAX_LANGUAGE_CHARS) {
    return invalid(
      `language must be a language code of 1 to ${MAX_LANGUAGE_CHARS} characters, such as 'es' or 'pt-BR'.`,
      'session.audio.output.language',
    );
  }
  let transcription = current.audio.input?.transcription ?? null;
  if (input?.transcription !== undefined) {
    const model = input.transcription?.model;
    if (model !== undefined && (model.trim() === '' || model.length > MAX_MODEL_CHARS)) {
      return invalid(
        `model must be a model name of 1 to ${MAX_MODEL_CHARS} characters.`,
        'session.audio.input.transcription.model',
      );
    }
    transcription = model === undefined ? null : { model };
  }
  let noiseReduction = current.audio.input?.noise_reduction ?? null;
  if (input?.noise_reduction !== undefined) {
    const type = input.noise_reduction?.type;
    noiseReduction = type === undefined ? null : { type };
  }
  return {
    session: deepFreeze({
      ...current,
      audio: {
        input: { transcription, noise_reduction: noiseReduction },
        output: { language },
      },
    }),
  };
}

/**
 * What a model reads of the session's settings: {@link TranslationSettings}, frozen.
 *
 * @example
 * ```ts
 * translationSettingsOf(session).language; // 'es'
 * ```
 */
export function translationSettingsOf(session: RealtimeTranslationSession): TranslationSettings {
  const transcription = session.audio.input?.transcription ?? null;
  return Object.freeze({
    language: session.audio.output?.language ?? '',
    inputTranscription: transcription !== null,
    transcriptionModel: transcription?.model ?? null,
    noiseReduction: session.audio.input?.noise_reduction?.type ?? null,
  });
}

function invalid(message: string, param: string): { readonly refusal: Refusal } {
  return { refusal: { type: 'invalid_request_error', code: 'invalid_value', message, param } };
}
