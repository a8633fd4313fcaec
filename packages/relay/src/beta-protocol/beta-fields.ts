import { AUDIO_FORMAT, MODALITIES, type ValueMapping } from './beta-values.ts';

// The differences between the beta Realtime protocol and GA, as data. Read from the beta
// definitions (`openai@4`'s `resources/beta/realtime/realtime.d.ts` and `sessions.d.ts`,
// Python `openai`'s `types/beta/realtime/`, `openai-realtime-api@1.0.8`) against the GA
// spec (`spec/realtime-schemas.json`). Everything not named here is the same in both.

/**
 * A field that moved: its flat beta name, its GA path, and how its value changed (when it did).
 *
 * @example
 * ```ts
 * const voice: FieldMove = { beta: 'voice', ga: ['audio', 'output', 'voice'] };
 * ```
 */
export interface FieldMove {
  readonly beta: string;
  readonly ga: readonly string[];
  readonly value?: ValueMapping;
}

/**
 * A session's fields (`session.update`, the session of `session.created` / `.updated`, and the
 * `audio.input` fields of a transcription session), beta ↔ GA.
 *
 * @example
 * ```ts
 * SESSION_MOVES.find((move) => move.beta === 'voice')?.ga; // ['audio', 'output', 'voice']
 * ```
 */
export const SESSION_MOVES: readonly FieldMove[] = [
  { beta: 'modalities', ga: ['output_modalities'], value: MODALITIES },
  { beta: 'voice', ga: ['audio', 'output', 'voice'] },
  { beta: 'input_audio_format', ga: ['audio', 'input', 'format'], value: AUDIO_FORMAT },
  { beta: 'output_audio_format', ga: ['audio', 'output', 'format'], value: AUDIO_FORMAT },
  { beta: 'input_audio_transcription', ga: ['audio', 'input', 'transcription'] },
  { beta: 'turn_detection', ga: ['audio', 'input', 'turn_detection'] },
  { beta: 'input_audio_noise_reduction', ga: ['audio', 'input', 'noise_reduction'] },
  { beta: 'max_response_output_tokens', ga: ['max_output_tokens'] },
  { beta: 'speed', ga: ['audio', 'output', 'speed'] },
];

/**
 * Beta session fields GA has no place for, left out on the way to GA: `temperature` (GA has
 * none) and `client_secret` (GA sets a secret's expiry when minting it, not in a session).
 *
 * @example
 * ```ts
 * SESSION_DROPPED.includes('temperature'); // true
 * ```
 */
export const SESSION_DROPPED: readonly string[] = ['temperature', 'client_secret'];

/**
 * What a beta `transcription_session.update` carries that a GA transcription session has no
 * place for, besides {@link SESSION_DROPPED}: GA transcription sessions have no output.
 *
 * @example
 * ```ts
 * TRANSCRIPTION_DROPPED.includes('modalities'); // true
 * ```
 */
export const TRANSCRIPTION_DROPPED: readonly string[] = [...SESSION_DROPPED, 'modalities'];

/**
 * `response.create`'s `response` (beta `ResponseCreateEvent.Response`, GA
 * `RealtimeResponseCreateParams`), beta ↔ GA. Mastra's voice package sends `response.voice`.
 *
 * @example
 * ```ts
 * RESPONSE_CREATE_MOVES.map((move) => move.beta); // ['modalities', 'voice', …]
 * ```
 */
export const RESPONSE_CREATE_MOVES: readonly FieldMove[] = [
  { beta: 'modalities', ga: ['output_modalities'], value: MODALITIES },
  { beta: 'voice', ga: ['audio', 'output', 'voice'] },
  { beta: 'output_audio_format', ga: ['audio', 'output', 'format'], value: AUDIO_FORMAT },
  { beta: 'max_response_output_tokens', ga: ['max_output_tokens'] },
];

/**
 * Beta `response.create` fields GA has no place for.
 *
 * @example
 * ```ts
 * RESPONSE_CREATE_DROPPED; // ['temperature']
 * ```
 */
export const RESPONSE_CREATE_DROPPED: readonly string[] = ['temperature'];

/**
 * A response object (`response.created`, `response.done`; beta `RealtimeResponse`, GA
 * `RealtimeResponse`), beta ↔ GA. `max_output_tokens` has that name in both.
 *
 * @example
 * ```ts
 * RESPONSE_MOVES.map((move) => move.beta); // ['modalities', 'voice', 'output_audio_format']
 * ```
 */
export const RESPONSE_MOVES: readonly FieldMove[] = RESPONSE_CREATE_MOVES.filter(
  (move) => move.beta !== 'max_response_output_tokens',
);

/**
 * Server event types GA renamed, GA → beta. Beta's `conversation.item.created` is GA's
 * `conversation.item.added` (GA still lists `.created`, which a beta client gets as it is).
 *
 * @example
 * ```ts
 * SERVER_EVENT_NAMES['response.output_audio.delta']; // 'response.audio.delta'
 * ```
 */
export const SERVER_EVENT_NAMES: Readonly<Record<string, string>> = {
  'response.output_text.delta': 'response.text.delta',
  'response.output_text.done': 'response.text.done',
  'response.output_audio.delta': 'response.audio.delta',
  'response.output_audio.done': 'response.audio.done',
  'response.output_audio_transcript.delta': 'response.audio_transcript.delta',
  'response.output_audio_transcript.done': 'response.audio_transcript.done',
  'conversation.item.added': 'conversation.item.created',
};

/**
 * GA server events with no beta twin that a beta client never gets: `conversation.item.done`
 * (the beta protocol announced an item once; an output item's end is its
 * `response.output_item.done`, a transcript's its `…input_audio_transcription.completed`).
 *
 * @example
 * ```ts
 * WITHHELD_FROM_BETA.has('conversation.item.done'); // true
 * ```
 */
export const WITHHELD_FROM_BETA: ReadonlySet<string> = new Set(['conversation.item.done']);

/**
 * An assistant message's content types, GA → beta (`output_text` was `text`, `output_audio`
 * was `audio`). A user's and a system's (`input_text`, `input_audio`, `input_image`) are alike.
 *
 * @example
 * ```ts
 * ASSISTANT_CONTENT_TYPES.output_audio; // 'audio'
 * ```
 */
export const ASSISTANT_CONTENT_TYPES: Readonly<Record<string, string>> = {
  output_text: 'text',
  output_audio: 'audio',
};

/**
 * The beta client event GA folded into `session.update` (`session.type: 'transcription'`), and
 * the server event that answers it.
 *
 * @example
 * ```ts
 * TRANSCRIPTION_EVENTS.update; // 'transcription_session.update'
 * ```
 */
export const TRANSCRIPTION_EVENTS = {
  update: 'transcription_session.update',
  updated: 'transcription_session.updated',
} as const;
