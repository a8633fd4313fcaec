import type { FrameFormat } from '../frame-sink.ts';
import { TranslationSessionEngine } from './translation-session-engine.ts';
import type {
  TranslationSession,
  TranslationSessionOptions,
} from './translation-session-options.ts';

/**
 * Starts a translation session (`/v1/realtime/translations`, model `gpt-realtime-translate`)
 * with `model` translating: `session.created` (in a microtask, so the caller can finish
 * wiring first), `session.update` (output language, input transcription, noise reduction)
 * answered with `session.updated`, `session.input_audio_buffer.append` handed to the model
 * as PCM16 with its place in the session's audio time, the model's input transcript,
 * translated transcript and speech sent as `session.input_transcript.delta`,
 * `session.output_transcript.delta` and `session.output_audio.delta` with their
 * `elapsed_ms`, and `session.close` answered with `session.closed` once the model has said
 * what it had. Realtime events and unknown or invalid parameters get their `error` event.
 * The same outward shape as `createRealtimeSession`, so a host serves either the same way.
 *
 * @example
 * ```ts
 * const session = createTranslationSession({
 *   model: createSimulatorModel(),
 *   send: (frame) => ws.send(frame, { binary: false }),
 *   close: (code, reason) => ws.close(code, reason),
 * });
 * ws.on('message', (data) => session.receive(data as Buffer));
 * ws.on('close', () => session.close());
 * ```
 */
export function createTranslationSession<F extends FrameFormat = 'bytes'>(
  options: TranslationSessionOptions<F>,
): TranslationSession {
  return new TranslationSessionEngine(options as TranslationSessionOptions<FrameFormat>);
}
