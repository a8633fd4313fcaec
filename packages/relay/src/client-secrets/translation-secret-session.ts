import { decodeTranslationClientEvent, translationClientEventProblem } from '@rtwire/types';
import { isJsonObject, type JsonObject } from '../json-object.ts';
import type { TenantPolicy } from '../policy/relay-policy.ts';

/**
 * The path translation client secrets are minted at, as the live API's.
 *
 * @example
 * ```ts
 * await fetch(new URL(TRANSLATION_CLIENT_SECRETS_PATH, relayUrl), { method: 'POST', headers, body });
 * ```
 */
export const TRANSLATION_CLIENT_SECRETS_PATH = '/v1/realtime/translations/client_secrets';

/** What a translation secret seals: the session it opens, marked as a translation one. */
export interface SealedTranslationSession extends JsonObject {
  readonly type: 'translation';
  readonly model: string;
}

/**
 * Checks the `session` of a translation client secret request
 * (`RealtimeTranslationSessionCreateRequest`: a `model`, and the `audio` a translation
 * `session.update` may set) against the spec and the tenant's output languages. Returns what
 * to seal, or the field that is wrong and why, with nothing of the input in the message.
 *
 * @example
 * ```ts
 * const checked = checkTranslationSecretSession({ model: 'gpt-realtime-translate', audio: { output: { language: 'es' } } }, rules);
 * if (!checked.ok) return refuse(400, checked.code, checked.param, checked.message);
 * ```
 */
export function checkTranslationSecretSession(
  requested: unknown,
  rules: TenantPolicy | undefined,
):
  | { readonly ok: true; readonly session: SealedTranslationSession }
  | {
      readonly ok: false;
      readonly code: string;
      readonly param: string;
      readonly message: string;
    } {
  if (!isJsonObject(requested)) {
    return invalid('invalid_type', 'session', 'Invalid session: expected an object');
  }
  const { model, audio, ...rest } = requested;
  const unknown = Object.keys(rest)[0];
  if (unknown !== undefined) {
    return invalid(
      'unknown_parameter',
      `session.${unknown}`,
      `Unknown parameter: 'session.${unknown}'.`,
    );
  }
  if (typeof model !== 'string' || model.length === 0 || model.length > 128) {
    return invalid('invalid_value', 'session.model', 'Invalid session: expected a model name');
  }
  if (rules?.models !== undefined && !rules.models.includes(model)) {
    return invalid(
      'policy_violation',
      'session.model',
      'the model is not allowed for this credential',
    );
  }
  // The audio is what a translation session.update carries: checked as one.
  const update = { type: 'session.update', session: audio === undefined ? {} : { audio } };
  const decoded = decodeTranslationClientEvent(update);
  if (!decoded.ok) {
    const pointer = decoded.error.path.replace(/^\/session\/?/, '');
    return invalid(
      'invalid_value',
      pointer === '' ? 'session' : `session.${pointer.split('/').join('.')}`,
      `Invalid session: ${decoded.error.message}`,
    );
  }
  const problem = translationClientEventProblem(update);
  if (problem !== undefined) {
    return invalid(problem.code, problem.param ?? 'session', problem.message);
  }
  const language =
    isJsonObject(audio) && isJsonObject(audio.output) ? audio.output.language : undefined;
  if (
    rules?.outputLanguages !== undefined &&
    typeof language === 'string' &&
    !rules.outputLanguages.includes(language)
  ) {
    return invalid(
      'policy_violation',
      'session.audio.output.language',
      `the output language is not allowed (allowed: ${rules.outputLanguages.join(', ')})`,
    );
  }
  return {
    ok: true,
    session: { type: 'translation', model, ...(audio === undefined ? {} : { audio }) },
  };
}

/**
 * A sealed translation session as its `session.created`-style object shows it
 * (`RealtimeTranslationSession`): the parts not asked for at their defaults.
 *
 * @example
 * ```ts
 * const shown = translationSessionObject(sealed, 'sess_1', expiresAt);
 * ```
 */
export function translationSessionObject(
  sealed: SealedTranslationSession,
  id: string,
  expiresAt: number,
): JsonObject {
  const audio = isJsonObject(sealed.audio) ? sealed.audio : {};
  const input = isJsonObject(audio.input) ? audio.input : {};
  const output = isJsonObject(audio.output) ? audio.output : {};
  return {
    id,
    type: 'translation',
    model: sealed.model,
    expires_at: expiresAt,
    audio: {
      input: {
        transcription: input.transcription ?? null,
        noise_reduction: input.noise_reduction ?? null,
      },
      output,
    },
  };
}

/**
 * Whether a sealed session opens a translation session.
 *
 * @example
 * ```ts
 * if (isSealedTranslationSession(credential.session) !== (kind === 'translation')) refuse();
 * ```
 */
export function isSealedTranslationSession(
  session: JsonObject | undefined,
): session is SealedTranslationSession {
  return session?.type === 'translation';
}

function invalid(code: string, param: string, message: string) {
  return { ok: false as const, code, param, message };
}
