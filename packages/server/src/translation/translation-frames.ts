import {
  type EventId,
  encodeTranslationServerEvent,
  encodeTranslationServerEventBytes,
  translationEncoder,
} from '@rtwire/serializer';
import type { RealtimeTranslationServerEvent } from '@rtwire/types';
import type { FrameFormat } from '../frame-sink.ts';

/**
 * Where a translation session's events go, encoded by `@rtwire/serializer` in the session's
 * frame form: events whole through the general encoder, and the three deltas, the hot path,
 * through `translationEncoder` (their constant JSON made once, the event id written in
 * place, audio from PCM straight into the frame).
 *
 * @example
 * ```ts
 * frames.event(TranslationServerEvents.sessionClosed(frames.nextEventId()));
 * frames.outputAudioDelta(pcm, 1200);
 * ```
 */
export interface TranslationFrames {
  /** The next event id, as a string (the events built whole). */
  readonly nextEventId: () => string;
  /** Encodes and sends one event (the session events, `error`). */
  event(event: RealtimeTranslationServerEvent): void;
  inputTranscriptDelta(delta: string, elapsedMs: number): void;
  outputTranscriptDelta(delta: string, elapsedMs: number): void;
  /** PCM16 24 kHz samples. */
  outputAudioDelta(pcm: Int16Array, elapsedMs: number): void;
}

const utf8 = new TextDecoder();

/**
 * {@link TranslationFrames} over a send function, in the session's frame form. `frameEventId`
 * gives a delta frame its id: the session's sequence, whose next id the encoder writes in
 * place, or a host's own id as a string.
 *
 * @example
 * ```ts
 * const ids = createEventIdSequence();
 * const frames = createTranslationFrames('bytes', (frame) => ws.send(frame, { binary: false }), {
 *   nextEventId: () => ids.next(),
 *   frameEventId: () => ids,
 * });
 * ```
 */
export function createTranslationFrames(
  format: FrameFormat,
  send: (frame: string | Uint8Array) => void,
  ids: { readonly nextEventId: () => string; readonly frameEventId: () => EventId },
): TranslationFrames {
  const { nextEventId, frameEventId } = ids;
  const encoder = translationEncoder;
  if (format === 'string') {
    return {
      nextEventId,
      event: (event) => send(encodeTranslationServerEvent(event)),
      inputTranscriptDelta: (delta, elapsedMs) =>
        send(encoder.inputTranscriptDelta(frameEventId(), delta, elapsedMs)),
      outputTranscriptDelta: (delta, elapsedMs) =>
        send(encoder.outputTranscriptDelta(frameEventId(), delta, elapsedMs)),
      // Audio frames are made as bytes, from PCM: the string form decodes them back to text.
      outputAudioDelta: (pcm, elapsedMs) =>
        send(utf8.decode(encoder.outputAudioDeltaFromPcm(frameEventId(), pcm, elapsedMs))),
    };
  }
  return {
    nextEventId,
    event: (event) => send(encodeTranslationServerEventBytes(event)),
    inputTranscriptDelta: (delta, elapsedMs) =>
      send(encoder.inputTranscriptDeltaBytes(frameEventId(), delta, elapsedMs)),
    outputTranscriptDelta: (delta, elapsedMs) =>
      send(encoder.outputTranscriptDeltaBytes(frameEventId(), delta, elapsedMs)),
    outputAudioDelta: (pcm, elapsedMs) =>
      send(encoder.outputAudioDeltaFromPcm(frameEventId(), pcm, elapsedMs)),
  };
}
