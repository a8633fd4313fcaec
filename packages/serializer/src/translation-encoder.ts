import {
  type RealtimeTranslationSession,
  TRANSLATION_AUDIO,
  type TranslationServerEventOf,
} from '@rtwire/types';
import type { IntoTwins } from './encoder-context.ts';
import { numberToJson } from './engine/encode-number.ts';
import { copyFrameInto } from './engine/frame-into.ts';
import { fragment, pcmFrameBytes } from './engine/frame-writer.ts';
import { pcm16Bytes } from './engine/pcm16-bytes.ts';
import type { EventId } from './event-id-sequence.ts';
import { head, methodsOf } from './event-methods.ts';
import type { ContextEvent, ContextEventField } from './generated/context-events.ts';

type ErrorDetails = TranslationServerEventOf<'error'>['error'];

/**
 * The frame methods of a translation session's server events, the same names and arguments as
 * `@rtwire/builders`' `TranslationServerEvents`: each returns the JSON text of the event the
 * builder returns, and its `Bytes` twin the UTF-8 bytes (never written again by this package,
 * safe to queue by reference). Parsed, every frame deep-equals `JSON.stringify` of the
 * builder's event.
 */
export interface TranslationEventFrames {
  /** `session.created`. */
  sessionCreated(eventId: EventId, session: RealtimeTranslationSession): string;
  /** `session.created`, as UTF-8 bytes. */
  sessionCreatedBytes(eventId: EventId, session: RealtimeTranslationSession): Uint8Array;
  /** `session.updated`. */
  sessionUpdated(eventId: EventId, session: RealtimeTranslationSession): string;
  /** `session.updated`, as UTF-8 bytes. */
  sessionUpdatedBytes(eventId: EventId, session: RealtimeTranslationSession): Uint8Array;
  /** `session.closed`. */
  sessionClosed(eventId: EventId): string;
  /** `session.closed`, as UTF-8 bytes. */
  sessionClosedBytes(eventId: EventId): Uint8Array;
  /** `session.input_transcript.delta`; `elapsedMs` `null` is written, `undefined` omitted. */
  inputTranscriptDelta(eventId: EventId, delta: string, elapsedMs?: number | null): string;
  /** `session.input_transcript.delta`, as UTF-8 bytes. */
  inputTranscriptDeltaBytes(eventId: EventId, delta: string, elapsedMs?: number | null): Uint8Array;
  /** `session.output_transcript.delta`; `elapsedMs` `null` is written, `undefined` omitted. */
  outputTranscriptDelta(eventId: EventId, delta: string, elapsedMs?: number | null): string;
  /** `session.output_transcript.delta`, as UTF-8 bytes. */
  outputTranscriptDeltaBytes(
    eventId: EventId,
    delta: string,
    elapsedMs?: number | null,
  ): Uint8Array;
  /** `session.output_audio.delta` of base64 audio, with the layout of `TRANSLATION_AUDIO`. */
  outputAudioDelta(eventId: EventId, delta: string, elapsedMs?: number | null): string;
  /** `session.output_audio.delta` of base64 audio, as UTF-8 bytes. */
  outputAudioDeltaBytes(eventId: EventId, delta: string, elapsedMs?: number | null): Uint8Array;
  /**
   * `session.output_audio.delta` of raw PCM16 (24 kHz mono, little-endian): the base64 is
   * written straight into the frame, never built as a string, scanned or copied twice. An
   * `Int16Array` is read in place.
   */
  outputAudioDeltaFromPcm(
    eventId: EventId,
    pcm: Uint8Array | Int16Array,
    elapsedMs?: number | null,
  ): Uint8Array;
  /** `error`. Never put client input (audio, transcripts, keys) in `error.message`. */
  errorEvent(eventId: EventId, error: ErrorDetails): string;
  /** `error`, as UTF-8 bytes. */
  errorEventBytes(eventId: EventId, error: ErrorDetails): Uint8Array;
}

/** {@link TranslationEventFrames} and the `Into` twin of each byte method (see {@link IntoTwins}). */
export type TranslationEventEncoder = TranslationEventFrames & IntoTwins<TranslationEventFrames>;

const value = (key: string): ContextEventField => ({
  key,
  name: key,
  kind: 'value',
  optional: false,
});
const DELTA: ContextEventField = { key: 'delta', name: 'delta', kind: 'string', optional: false };
const ELAPSED: ContextEventField = {
  key: 'elapsed_ms',
  name: 'elapsedMs',
  kind: 'value',
  optional: true,
};
const event = (type: string, method: string, payload: ContextEventField[]): ContextEvent => ({
  type,
  method,
  context: [],
  payload,
});

/** Each event in wire order after its `event_id`, as `TranslationServerEvents` builds it. */
const EVENTS: readonly ContextEvent[] = [
  event('session.created', 'sessionCreated', [value('session')]),
  event('session.updated', 'sessionUpdated', [value('session')]),
  event('session.closed', 'sessionClosed', []),
  event('session.input_transcript.delta', 'inputTranscriptDelta', [DELTA, ELAPSED]),
  event('session.output_transcript.delta', 'outputTranscriptDelta', [DELTA, ELAPSED]),
  event('session.output_audio.delta', 'outputAudioDelta', [DELTA, ELAPSED]),
  event('error', 'errorEvent', [value('error')]),
];

/** The constant fields of every audio delta, written between its `event_id` and `delta`. */
const AUDIO_LAYOUT = `,"format":${JSON.stringify(TRANSLATION_AUDIO.format)},"sample_rate":${TRANSLATION_AUDIO.sample_rate},"channels":${TRANSLATION_AUDIO.channels}`;

const WHERE = 'translationEncoder.outputAudioDeltaFromPcm';

/** The JSON written after the audio: `elapsed_ms` when given (ASCII by construction). */
function elapsedTrailer(elapsedMs: number | null | undefined): string {
  if (elapsedMs === undefined) return '';
  if (elapsedMs === null) return ',"elapsed_ms":null';
  if (typeof elapsedMs !== 'number') {
    throw new TypeError(`${WHERE}: elapsedMs must be a number when given`);
  }
  return `,"elapsed_ms":${numberToJson(elapsedMs)}`;
}

function createTranslationEncoder(): TranslationEventEncoder {
  const encoder: Record<string, unknown> = {};
  for (const entry of EVENTS) {
    const scope = entry.type === 'session.output_audio.delta' ? AUDIO_LAYOUT : '';
    const { text, bytes, into } = methodsOf(entry, scope);
    encoder[entry.method] = text;
    encoder[`${entry.method}Bytes`] = bytes;
    encoder[`${entry.method}Into`] = into;
  }
  const audioHead = head('session.output_audio.delta');
  const audioMiddle = fragment(`${AUDIO_LAYOUT},"delta":"`);
  const fromPcm = (eventId: EventId, pcm: Uint8Array | Int16Array, elapsedMs?: number | null) =>
    pcmFrameBytes(
      audioHead,
      eventId,
      audioMiddle,
      pcm16Bytes(pcm, WHERE),
      elapsedTrailer(elapsedMs),
    );
  encoder.outputAudioDeltaFromPcm = fromPcm;
  encoder.outputAudioDeltaFromPcmInto = (
    eventId: EventId,
    pcm: Uint8Array | Int16Array,
    elapsedMs: number | null | undefined,
    target: Uint8Array,
    offset = 0,
  ) => copyFrameInto(fromPcm(eventId, pcm, elapsedMs), target, offset);
  return Object.freeze(encoder) as unknown as TranslationEventEncoder;
}

/**
 * The encoder of a translation session's server events (`/v1/realtime/translations`), apart
 * from {@link encoderFor}'s: the two protocols share type strings but not shapes. The constant
 * JSON of each event is made once; each call writes only what varies, and the audio delta can
 * be written straight from PCM.
 *
 * @example
 * ```ts
 * import { translationEncoder } from '@rtwire/serializer';
 *
 * ws.send(translationEncoder.outputTranscriptDeltaBytes('event_1', ' hola', 1200), { binary: false });
 * // 200 ms of 24 kHz PCM16 from the model, base64 written into the frame in place:
 * ws.send(translationEncoder.outputAudioDeltaFromPcm('event_2', pcm16, 1200), { binary: false });
 * // A web-standard WebSocket sends a Uint8Array as binary: give it the string.
 * webSocket.send(translationEncoder.sessionClosed('event_3'));
 * ```
 */
export const translationEncoder: TranslationEventEncoder =
  /* @__PURE__ */ createTranslationEncoder();
