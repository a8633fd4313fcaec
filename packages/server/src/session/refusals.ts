import {
  type ClientEventProblem,
  type DecodeError,
  errorCodeOf,
  errorParamOf,
  type RealtimeServerEvent,
} from '@rtwire/types';

/**
 * The `error` of an `error` event, without the client event id it answers.
 *
 * @example
 * ```ts
 * context.refuse(refusals.itemNotFound(), event.event_id);
 * ```
 */
export type Refusal = Omit<Extract<RealtimeServerEvent, { type: 'error' }>['error'], 'event_id'>;

const invalid = (code: string, message: string, param: string | null): Refusal => ({
  type: 'invalid_request_error',
  code,
  message,
  param,
});

/**
 * Every way the engine refuses a client event, in one place, worded and coded as the live
 * API answers them where it is known. No message carries what the client sent (audio,
 * text and ids stay out of errors, and so out of the client's logs).
 *
 * @example
 * ```ts
 * emit(ServerEvents.errorEvent(nextEventId(), { ...refusals.cancelNotActive(), event_id: null }));
 * ```
 */
export const refusals = {
  /** A frame the decoder refused: not JSON, or not a valid event (the field named). */
  undecodable: (error: DecodeError) =>
    errorCodeOf(error) === 'invalid_json'
      ? invalid('invalid_json', error.message, errorParamOf(error.path))
      : invalid('invalid_event', error.message, errorParamOf(error.path)),
  unknownEvent: () => invalid('invalid_value', 'Unsupported client event type.', 'type'),
  /** A parameter the spec does not allow, named and worded by `clientEventProblem`. */
  invalidParameter: ({ code, message, param }: ClientEventProblem) => invalid(code, message, param),
  notInTranscriptionSession: (type: string) =>
    invalid(
      'invalid_value',
      `${type} is not supported in a transcription session: it has no conversation and no responses.`,
      'type',
    ),
  notInTranslationSession: (type: string) =>
    invalid(
      'invalid_value',
      `${type} is not supported in a translation session: it takes session.update, session.input_audio_buffer.append and session.close only.`,
      'type',
    ),
  /** A translation model that fell `backlogMs` behind: appended audio is dropped, not queued. */
  inputAudioDropped: (backlogMs: number): Refusal => ({
    type: 'server_error',
    code: 'input_audio_dropped',
    message: `The translation is ${backlogMs} ms of audio behind: audio appended past that is dropped until it catches up.`,
    param: null,
  }),
  itemExists: () =>
    invalid('invalid_value', 'An item with this id already exists in the conversation.', 'item.id'),
  previousItemNotFound: () =>
    invalid(
      'item_not_found',
      'previous_item_id names no item of the conversation.',
      'previous_item_id',
    ),
  itemNotFound: () => invalid('item_not_found', 'No conversation item with this id.', 'item_id'),
  itemTooLarge: (budgetBytes: number) =>
    invalid(
      'item_too_large',
      `The item alone is larger than the conversation's budget of ${budgetBytes} bytes.`,
      'item',
    ),
  truncateNotAudio: () =>
    invalid('invalid_value', 'Only assistant audio content can be truncated.', 'content_index'),
  truncateOutOfRange: (audioMs: number) =>
    invalid(
      'invalid_value',
      `audio_end_ms must be between 0 and the item's audio length (${audioMs} ms).`,
      'audio_end_ms',
    ),
  audioNotBase64: () =>
    invalid(
      'invalid_value',
      'audio must be base64-encoded audio in the session input format.',
      'audio',
    ),
  commitTooShort: (minimumMs: number, durationMs: number) =>
    invalid(
      'input_audio_buffer_commit_empty',
      `Buffer too small. Expected at least ${minimumMs}ms of audio, but buffer only has ${durationMs}ms of audio.`,
      null,
    ),
  responseActive: (responseId: string) =>
    invalid(
      'conversation_already_has_active_response',
      `Conversation already has an active response in progress: ${responseId}. Wait until the response is finished before creating a new one.`,
      null,
    ),
  badModalities: (param: string) =>
    invalid('invalid_value', "output_modalities must be ['text'] or ['audio'].", param),
  cancelNotActive: () =>
    invalid('response_cancel_not_active', 'Cancellation failed: no active response found.', null),
  noOutputAudio: () => invalid('invalid_value', 'There is no output audio to clear.', null),
} as const;
