/**
 * What the client set for a translation session with `session.update`, as a model reads it.
 * Replaced whole on each change, never changed in place, so a model tells a change by
 * identity (`chunk.settings !== last`).
 *
 * @example
 * ```ts
 * const settings: TranslationSettings = {
 *   language: 'es',
 *   inputTranscription: true,
 *   transcriptionModel: 'gpt-realtime-whisper',
 *   noiseReduction: null,
 * };
 * ```
 */
export interface TranslationSettings {
  /** `audio.output.language`: the language to translate into (`es`, `fr`, `pt-BR`, …). */
  readonly language: string;
  /**
   * Whether the client asked for the source-language transcript (`audio.input.transcription`
   * set): `session.input_transcript.delta` reaches it only then, so a model may skip the work.
   */
  readonly inputTranscription: boolean;
  /** The transcription model the client named, or `null` when input transcription is off. */
  readonly transcriptionModel: string | null;
  /** `audio.input.noise_reduction`: the microphone the client says it has, or `null` for none. */
  readonly noiseReduction: 'near_field' | 'far_field' | null;
}

/**
 * One appended chunk of input audio, as the engine hands it to a model.
 *
 * @example
 * ```ts
 * for await (const chunk of request.audio) {
 *   detector.push(chunk.pcm, chunk.startMs);
 *   if (chunk.settings.language !== language) language = chunk.settings.language;
 * }
 * ```
 */
export interface TranslationAudioChunk {
  /**
   * PCM16 samples, mono, 24 kHz, as the client sent them (whole samples only; an append
   * longer than a second comes as several chunks).
   */
  readonly pcm: Int16Array;
  /** Where the chunk starts in the session's input audio: ms since the first append. */
  readonly startMs: number;
  /** Where it ends: `startMs` plus its length (`pcm.length / 24` ms). */
  readonly endMs: number;
  /**
   * The settings in effect when the chunk was appended: a `session.update` between two chunks
   * shows as the later chunk's settings, in order with the audio.
   */
  readonly settings: TranslationSettings;
}

/**
 * What {@link TranslationModel.translate} is given: the session's input audio as it arrives,
 * and its settings.
 *
 * @example
 * ```ts
 * async translate(request, output, signal) {
 *   for await (const chunk of request.audio) mySegmenter.push(chunk);
 *   // The client sent `session.close`: say what is left, then return.
 * }
 * ```
 */
export interface TranslationRequest {
  /** The session's id, as `session.created` reported it. */
  readonly sessionId: string;
  /**
   * The input audio, chunk after chunk as the client appends it (clients keep silence
   * flowing, so chunks come in real time whether anyone speaks or not). It ends when the
   * client sends `session.close`: the model then finishes what it has and returns. Read it
   * once. What the model has not read yet is held by the engine up to the session's
   * `maxInputBacklogMs`; past that, new audio is dropped and the client told, so a model that
   * falls behind costs a bounded amount of memory.
   */
  readonly audio: AsyncIterable<TranslationAudioChunk>;
  /** The settings in effect now: the latest `session.update`'s (see {@link TranslationSettings}). */
  readonly settings: TranslationSettings;
}

/**
 * Where a translation model writes. The engine stamps each event (its id, its `elapsed_ms`),
 * encodes it, and drops what the client did not ask for (the input transcript while input
 * transcription is off); nothing written here can break the protocol, and calls after the
 * session ended are ignored.
 *
 * `elapsedMs` is the input-audio time the output corresponds to (ms since the first append,
 * as {@link TranslationAudioChunk.startMs}): the engine sends it as `elapsed_ms`, in whole
 * ms, never before 0 nor past the input received so far; a value that is not a finite
 * number is sent as the input received so far. `elapsed_ms` is one clock for the session's
 * three deltas (input transcript, output transcript, audio) and never goes back: a stamp
 * before the last one sent, of any of them, is sent as that one.
 *
 * @example
 * ```ts
 * output.inputTranscript('Hello there', segment.endMs);
 * output.outputTranscript('Hola', segment.endMs);
 * output.audio(speech, segment.endMs);
 * await output.ready();
 * ```
 */
export interface TranslationOutput {
  /**
   * The source-language transcript (`session.input_transcript.delta`); dropped while the
   * client has input transcription off. A delta over 16,384 characters goes out as several.
   */
  inputTranscript(delta: string, elapsedMs: number): void;
  /** The translated text (`session.output_transcript.delta`); long deltas split as above. */
  outputTranscript(delta: string, elapsedMs: number): void;
  /**
   * Translated speech, PCM16 mono 24 kHz (`session.output_audio.delta`), encoded straight into
   * the frame; a chunk over 16,384 samples goes out as several deltas. Read at once: the
   * array may be reused when this returns.
   */
  audio(pcm: Int16Array, elapsedMs: number): void;
  /**
   * A failure that cost some output but not the session (a backend that failed one segment):
   * the client hears an `error` event, with the code of a `RealtimeModelError` (and its
   * message when `expose` is set), else `model_error` and a fixed text. To end the session,
   * throw from `translate` instead.
   */
  error(error: unknown): void;
  /**
   * Resolves when the session can take more output: at once, unless the frames written still
   * wait in the host's send queue above its high-water mark; then when it drained or the
   * session ended. A model whose source is faster than real time (a speech backend) awaits it
   * between chunks. Never rejects.
   */
  ready(): Promise<void>;
}

/**
 * The model behind a translation session (`/v1/realtime/translations`): speech in, speech
 * and text in another language out. One call of {@link translate} serves the whole session;
 * the engine does the protocol (`session.created`, `session.update`, the events and their
 * ids, `session.close`).
 *
 * @example
 * ```ts
 * const model: TranslationModel = {
 *   async translate(request, output, signal) {
 *     for await (const segment of mySegments(request.audio)) {
 *       const { language } = request.settings;
 *       for await (const text of myTranslator(segment.pcm, language, signal)) {
 *         output.outputTranscript(text, segment.endMs);
 *       }
 *     }
 *   },
 * };
 * const session = createTranslationSession({ model, send: (frame) => ws.send(frame, { binary: false }) });
 * ```
 */
export interface TranslationModel {
  /**
   * The most bytes one translation session of this model holds in buffers of its own (audio
   * waiting to be transcribed, text waiting for speech). A host adds it to the session's
   * buffer budget. Unset: the model holds nothing of note.
   */
  readonly maxTranslationHeldBytes?: number;
  /**
   * Translates one session, from its first chunk of audio to its last. `signal` aborts when
   * the session ends without the client's `session.close` (the socket closed, a fault), or
   * when the model takes longer than the session's `closeTimeoutMs` to finish after it.
   * Returning ends the session (`session.closed`): return once `request.audio` has ended and
   * what it held was said. A rejection ends the session with an `error` event.
   */
  translate(
    request: TranslationRequest,
    output: TranslationOutput,
    signal: AbortSignal,
  ): Promise<void> | void;
}
