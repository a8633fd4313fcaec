/**
 * The Realtime session engine: everything the OpenAI Realtime API does on its side of the
 * socket (session, conversation, input audio and turn detection, input transcription,
 * responses, transcription sessions), and translation sessions (`createTranslationSession`),
 * with the model and the turn detector pluggable. The engine owns the protocol, so a model
 * only writes text, audio and function calls (or, translating, transcripts and speech); the
 * embedded simulator and the cascade are such models, of both kinds.
 *
 * @example
 * ```ts
 * import { createRealtimeSession, type RealtimeModel, releaseFrame } from '@rtwire/server';
 *
 * const model: RealtimeModel = {
 *   async respond(request, output, signal) {
 *     for await (const token of myLlm(request, signal)) output.text(token);
 *   },
 * };
 * const session = createRealtimeSession({
 *   model,
 *   // Once ws has written a frame, its memory takes the next ones (see releaseFrame).
 *   send: (frame) => ws.send(frame, { binary: false }, () => releaseFrame(frame)),
 * });
 * ws.on('message', (data) => session.receive(data as Buffer));
 * ws.on('close', () => session.close());
 * ```
 *
 * @module
 */

export { releaseFrame } from '@rtwire/serializer';
export type { CascadeEndpoint } from './cascade/backend-call.ts';
export {
  CascadeBackendError,
  type CascadeBackendErrorDetails,
  type CascadeFailure,
  type CascadeStage,
} from './cascade/backend-error.ts';
export { type CascadeModelOptions, createCascadeModel } from './cascade/cascade-model.ts';
export type { ImageUrlPolicy } from './cascade/image-urls.ts';
export { createFrameSink, type FrameFormat, type FrameOf, type FrameSink } from './frame-sink.ts';
export {
  type EngineSession,
  type FunctionCallOutput,
  type FunctionTool,
  type ModelUsage,
  type RealtimeModel,
  RealtimeModelError,
  type ResponseOutput,
  type ResponseRequest,
  type TranscriptionRequest,
} from './model.ts';
export type { AudioFormatType } from './pcm.ts';
export {
  createRealtimeSession,
  type IdKind,
  type RateLimit,
  type RealtimeSession,
  type RealtimeSessionOptions,
} from './realtime-session.ts';
export type { SessionType } from './session/session-config.ts';
export { argumentsFromSchema } from './simulator/arguments-from-schema.ts';
export { AUDIO_CHUNK_MS } from './simulator/pacing.ts';
export {
  createSimulatorModel,
  type SimulatorModelOptions,
} from './simulator/simulator-model.ts';
export {
  createSimulatorRateLimits,
  type SimulatorRateLimitsOptions,
} from './simulator/simulator-rate-limits.ts';
export type {
  TranslationAudioChunk,
  TranslationModel,
  TranslationOutput,
  TranslationRequest,
  TranslationSettings,
} from './translation/translation-model.ts';
export { createTranslationSession } from './translation/translation-session.ts';
export type {
  TranslationSession,
  TranslationSessionOptions,
} from './translation/translation-session-options.ts';
export {
  type AudioSpan,
  createEnergyTurnDetector,
  type TurnDetector,
  type TurnDetectorContext,
  type TurnDetectorFactory,
  type TurnEvent,
} from './turn-detection.ts';
