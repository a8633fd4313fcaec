import type { RealtimeTranslationSession } from '@rtwire/types';
import { argumentError } from './argument-error.ts';

type TranslationInput = NonNullable<RealtimeTranslationSession['audio']['input']>;

/** What {@link translationSession} needs: the session's identity and its output language. */
export interface TranslationSessionOptions {
  /** The session id (`sess_…`). */
  readonly id: string;
  /** When the session expires, in seconds since the epoch. */
  readonly expiresAt: number;
  /** The language the input is translated into (`audio.output.language`), such as `es`. */
  readonly outputLanguage: string;
  /** The translation model (default `gpt-realtime-translate`). */
  readonly model?: string;
  /** Source-language transcription (default `null`: no `session.input_transcript.delta`). */
  readonly transcription?: TranslationInput['transcription'];
  /** Input noise reduction (default `null`: off). */
  readonly noiseReduction?: TranslationInput['noise_reduction'];
}

/** The model of a translation session when none is named. */
const DEFAULT_MODEL = 'gpt-realtime-translate';

const WHERE = 'translationSession';

const isObjectOrNull = (value: unknown) =>
  value === null || (typeof value === 'object' && !Array.isArray(value));

/**
 * A `RealtimeTranslationSession`, as `session.created` and `session.updated` report it, with
 * the live API's defaults for what is not given: model `gpt-realtime-translate`, no
 * transcription, no noise reduction (`null`, as the live API writes them). In plain
 * JavaScript a wrong option is a `TypeError` naming it, never showing its value.
 *
 * @example
 * ```ts
 * const session = translationSession({ id: 'sess_1', expiresAt: 1756324625, outputLanguage: 'es' });
 * // { id: 'sess_1', type: 'translation', model: 'gpt-realtime-translate', expires_at: 1756324625,
 * //   audio: { input: { noise_reduction: null, transcription: null }, output: { language: 'es' } } }
 * ```
 */
export function translationSession(options: TranslationSessionOptions): RealtimeTranslationSession {
  if (typeof options !== 'object' || options === null) {
    throw argumentError(WHERE, 'options', 'an object');
  }
  const { id, expiresAt, outputLanguage, model = DEFAULT_MODEL } = options;
  const { transcription = null, noiseReduction = null } = options;
  if (typeof id !== 'string') throw argumentError(WHERE, 'options.id', 'a string');
  if (typeof expiresAt !== 'number') throw argumentError(WHERE, 'options.expiresAt', 'a number');
  if (typeof outputLanguage !== 'string') {
    throw argumentError(WHERE, 'options.outputLanguage', 'a string');
  }
  if (typeof model !== 'string') throw argumentError(WHERE, 'options.model', 'a string');
  if (!isObjectOrNull(transcription)) {
    throw argumentError(WHERE, 'options.transcription', 'an object or null');
  }
  if (!isObjectOrNull(noiseReduction)) {
    throw argumentError(WHERE, 'options.noiseReduction', 'an object or null');
  }
  return {
    id,
    type: 'translation',
    model,
    expires_at: expiresAt,
    audio: {
      input: { noise_reduction: noiseReduction, transcription },
      output: { language: outputLanguage },
    },
  };
}
