import {
  type RealtimeConversationItem,
  type RealtimeResponseUsage,
  type RealtimeSessionCreateResponseGA,
  type RealtimeTranscriptionSessionCreateResponseGA,
  RtwireError,
} from '@rtwire/types';
import type { AudioFormatType } from './pcm.ts';

/** The session as the engine reports it: the GA `realtime` or `transcription` session shape. */
export type EngineSession =
  | RealtimeSessionCreateResponseGA
  | RealtimeTranscriptionSessionCreateResponseGA;

/** A function tool as sessions and `response.create` declare it. */
export interface FunctionTool {
  readonly type: 'function';
  readonly name: string;
  readonly description?: string;
  /** The JSON Schema of the arguments. */
  readonly parameters?: unknown;
}

/**
 * What a model is asked to answer: the items in context and the settings in effect for this
 * one response (the session's, overridden by `response.create`'s).
 */
export interface ResponseRequest {
  /** The response's id, as the client sees it. */
  readonly responseId: string;
  /**
   * The items the response answers: the conversation (oldest first), or the out-of-band
   * `input` of `response.create` with `conversation: "none"`. Frozen snapshots (the engine
   * replaces an item to change it), so a model may keep them without copying.
   */
  readonly items: readonly RealtimeConversationItem[];
  /** Whether the response stays out of the conversation (`conversation: "none"`). */
  readonly outOfBand: boolean;
  readonly instructions: string | undefined;
  /** Every tool in effect, as declared (function tools and any others). */
  readonly tools: readonly unknown[];
  readonly toolChoice: unknown;
  /** `audio` (audio with a transcript) or `text`. */
  readonly modality: 'audio' | 'text';
  readonly voice: string;
  readonly inputAudioFormat: AudioFormatType;
  readonly outputAudioFormat: AudioFormatType;
  readonly maxOutputTokens: number | 'inf';
  readonly metadata: Readonly<Record<string, string>> | null;
  /** Milliseconds of audio an item holds (user input, or assistant output as far as it was heard). */
  audioDurationMs(itemId: string): number;
  /**
   * The transcript of a user audio item, once its input transcription has finished (at once
   * when it has, or when there is none to wait for: `undefined` then). Input transcription
   * runs beside the response, as in the live API, so a response may start before it ends.
   */
  transcript(itemId: string): Promise<string | undefined>;
}

/**
 * Token counts a model may report. What it reports wins; what it leaves out is estimated
 * (output from the text and audio streamed, input as 0), and the details always add up to
 * the totals: a detail left out gets what its total leaves, and details that do not add up
 * to a reported total are scaled to it. A count that is not a whole number from 0 to 2^48
 * counts as left out.
 */
export interface ModelUsage {
  readonly input_tokens?: number;
  readonly output_tokens?: number;
  readonly input_token_details?: RealtimeResponseUsage['input_token_details'];
  readonly output_token_details?: RealtimeResponseUsage['output_token_details'];
}

/** One function call being streamed; see {@link ResponseOutput.functionCall}. */
export interface FunctionCallOutput {
  /** Streams a piece of the call's JSON arguments. */
  arguments(delta: string): void;
  /** Ends the call (`response.function_call_arguments.done` and the item's done events). */
  done(): void;
}

/**
 * Where a model writes its answer. The engine owns every id, index, item, content part and
 * event order, so nothing written here can break the protocol: calls after the response
 * ended (it was cancelled, the session closed) are ignored, and an item left open when
 * `respond` returns is finished by the engine.
 */
export interface ResponseOutput {
  /**
   * Streams the reply's words: text deltas in a text response, transcript deltas in an audio
   * one. Opens an assistant message when none is open. A delta longer than 16,384 characters
   * goes out as several delta events, so no one frame is large.
   */
  text(delta: string): void;
  /**
   * Streams audio in the session's output format (PCM16 24 kHz mono, little-endian, by
   * default), encoded straight into the frame. Audio responses only: ignored in a text one.
   * Deltas carry whole samples: with PCM16, an odd byte at the end of a chunk is held and
   * sent as the first byte of the next chunk; one still held when the message ends (the
   * response ends, or a function call starts) is dropped, as half a sample cannot be played.
   * A chunk over 32,768 bytes goes out as several deltas. The chunk is read at once and may
   * be reused when this returns.
   */
  audio(chunk: Uint8Array): void;
  /** Starts a function call item (finishing an open message first). */
  functionCall(call: { readonly name: string; readonly callId?: string }): FunctionCallOutput;
  /** Reports token usage for `response.done`; the last report counts (see {@link ModelUsage}). */
  usage(usage: ModelUsage): void;
  /**
   * Resolves when the session can take more output: at once, unless the frames already
   * written still wait in the session's send queue above its high-water mark (the client
   * reads slower than the model writes); then when that queue has drained, or the response
   * has ended. A model whose source is faster than real time (a speech backend, a file)
   * awaits it between chunks, so it reads its source no faster than the client reads. Never
   * rejects.
   *
   * @example
   * ```ts
   * for await (const pcm of speech) {
   *   output.audio(pcm);
   *   await output.ready();
   * }
   * ```
   */
  ready(): Promise<void>;
  /**
   * Ends the response now as `incomplete` for `reason` (the model ran out of output tokens,
   * or its content filter stopped it): the open item ends `incomplete`, and what comes after
   * is ignored.
   */
  incomplete(reason: 'max_output_tokens' | 'content_filter'): void;
}

/** What {@link RealtimeModel.transcribe} is given: one committed input audio item. */
export interface TranscriptionRequest {
  readonly itemId: string;
  /** The committed audio, in `format`. */
  readonly audio: Uint8Array;
  readonly format: AudioFormatType;
  readonly durationMs: number;
  /** The session's `audio.input.transcription` settings (model, language, prompt). */
  readonly settings: Readonly<Record<string, unknown>>;
}

/**
 * The model behind a session. Only {@link respond} is required; the engine does the rest of
 * the protocol.
 *
 * @example
 * ```ts
 * const model: RealtimeModel = {
 *   async respond(request, output, signal) {
 *     for await (const token of myLlm(request.items, { signal })) output.text(token);
 *     output.usage({ input_tokens: 12, output_tokens: 40 });
 *   },
 * };
 * ```
 */
export interface RealtimeModel {
  /**
   * Set when the model reads words, not audio (speech-to-text in front of a text model): the
   * engine then runs {@link transcribe} on every committed input audio item, so
   * `request.transcript(itemId)` has what was said even when the session did not ask for
   * input transcription. The transcription events (and the transcript in the item) still
   * reach the client only when it asked, as with the live API.
   */
  readonly readsTranscripts?: boolean;
  /**
   * The most bytes one response of this model holds in buffers of its own while it runs (a
   * backend event being parsed, sentences waiting for speech), beyond what it has written,
   * which the engine holds and counts. A host adds it to the session's buffer budget while a
   * response runs. Unset: the model holds nothing of note.
   */
  readonly maxHeldBytes?: number;
  /**
   * Produces one response. `signal` aborts when the response is cancelled (`response.cancel`,
   * a barge-in, `output_audio_buffer.clear`) or the session closes; the engine has then ended
   * the response already. A rejection ends it with status `failed`; the session goes on.
   */
  respond(
    request: ResponseRequest,
    output: ResponseOutput,
    signal: AbortSignal,
  ): Promise<void> | void;
  /**
   * Transcribes a committed input audio item when the session asks for input transcription
   * (`audio.input.transcription`). Return the whole transcript, or its deltas as they come.
   * Without it, sessions that ask get `…input_audio_transcription.failed`.
   */
  transcribe?(
    request: TranscriptionRequest,
    signal: AbortSignal,
  ): Promise<string> | AsyncIterable<string>;
}

/**
 * An error a model throws on purpose: its `code` (and, when `expose` is set, its message)
 * reaches the client. Any other error reaches the client as `model_error` with a fixed text,
 * since a model's errors can carry prompts, keys or upstream bodies.
 *
 * @example
 * ```ts
 * throw new RealtimeModelError('The backend is overloaded, try again shortly.', {
 *   code: 'model_overloaded',
 *   expose: true,
 * });
 * ```
 */
export class RealtimeModelError extends RtwireError {
  static override readonly brand: string = 'rtwire.RealtimeModelError';
  /** Whether the message is safe to show the client. */
  readonly expose: boolean;

  constructor(
    message: string,
    options: { readonly code?: string; readonly expose?: boolean; readonly cause?: unknown } = {},
  ) {
    // `code` is what the client hears (default `model_error`).
    super(options.code ?? 'model_error', message, { cause: options.cause });
    this.name = 'RealtimeModelError';
    this.expose = options.expose ?? false;
  }
}
