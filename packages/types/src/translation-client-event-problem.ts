import { type ClientEventProblem, eventProblem } from './client-event-problem.ts';
import { TRANSLATION_CLIENT_EVENT_SCHEMAS } from './generated/translation-client-event-schemas.ts';

/**
 * Checks a decoded client event of a translation session against its schema in the spec, as
 * the live API checks its parameters: the contract of {@link clientEventProblem}, against the
 * translation events. A translation `session.update` may set only `audio.output.language`,
 * `audio.input.transcription` and `audio.input.noise_reduction`; any other field, at any
 * depth, is an `unknown_parameter` named by its path (`session.audio.output.voice`).
 *
 * Returns the first problem found, or `undefined` when the event is valid or of a type this
 * version does not know. Never throws. Run it after {@link decodeTranslationClientEvent},
 * which bounds nesting.
 *
 * @example
 * ```ts
 * translationClientEventProblem({
 *   type: 'session.update',
 *   session: { audio: { output: { language: 'es', voice: 'alloy' } } },
 * });
 * // { code: 'unknown_parameter', param: 'session.audio.output.voice',
 * //   message: "Unknown parameter: 'session.audio.output.voice'." }
 * ```
 */
export function translationClientEventProblem(event: {
  readonly type: string;
}): ClientEventProblem | undefined {
  return eventProblem(event, TRANSLATION_CLIENT_EVENT_SCHEMAS);
}
