import type { FrameFormat } from './frame-sink.ts';
import { RealtimeSessionEngine } from './session/realtime-session-engine.ts';
import type { RealtimeSession, RealtimeSessionOptions } from './session/session-options.ts';

export type { IdKind } from './session/session-ids.ts';
export type {
  RateLimit,
  RealtimeSession,
  RealtimeSessionOptions,
} from './session/session-options.ts';

/**
 * Starts a Realtime session on the GA protocol with `model` answering: `session.created`
 * (in a microtask, so the caller can finish wiring first), `session.update` merged and
 * checked as the live API does, conversation items, the input audio buffer with turn
 * detection (server VAD built in, pluggable) and its idle timeout, input transcription,
 * responses (in the conversation or out of band, one at a time, cancelled by
 * `response.cancel`, a barge-in or `output_audio_buffer.clear`) and `rate_limits.updated`.
 * A transcription session (`type: 'transcription'`) has the input side only. Every client
 * event the live API refuses gets its `error` event. Frames are encoded by
 * `@rtwire/serializer`, deltas with precomputed prefixes and audio straight from PCM.
 *
 * @example
 * ```ts
 * const session = createRealtimeSession({ model, send: (frame) => ws.send(frame, { binary: false }) });
 * ws.on('message', (data) => session.receive(data as Buffer));
 * ws.on('close', () => session.close());
 * ```
 */
export function createRealtimeSession<F extends FrameFormat = 'bytes'>(
  options: RealtimeSessionOptions<F>,
): RealtimeSession {
  return new RealtimeSessionEngine(options as RealtimeSessionOptions<FrameFormat>);
}
