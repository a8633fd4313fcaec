import { TranslationServerEvents } from '@rtwire/builders';
import { deltaPieces } from '../session/response-stream.ts';
import { modelFailure } from './model-failure.ts';
import type { TranslationFrames } from './translation-frames.ts';
import type { TranslationOutput } from './translation-model.ts';

/** The most samples one `session.output_audio.delta` carries (683 ms at 24 kHz, 32 KiB). */
const MAX_AUDIO_DELTA_SAMPLES = 16_384;

const RESOLVED: Promise<void> = Promise.resolve();

/**
 * What a {@link TranslationOutputWriter} reads and tells of its session.
 *
 * @example
 * ```ts
 * const host: TranslationOutputHost = {
 *   frames, inputMs: () => inputMs, inputTranscription: () => settings.model.inputTranscription,
 *   sendReady: undefined, fault: () => boundary.fault(),
 * };
 * ```
 */
export interface TranslationOutputHost {
  readonly frames: TranslationFrames;
  /** The input audio received so far, in ms: no output is stamped past it. */
  inputMs(): number;
  /** Whether the client asked for the input transcript now. */
  inputTranscription(): boolean;
  /** Whether `send` can take more (see `TranslationSessionOptions.sendReady`). */
  readonly sendReady: (() => Promise<void> | undefined) | undefined;
  /** Ends the session after an unexpected throw on the way out (a broken `send`). */
  fault(): void;
}

/**
 * The {@link TranslationOutput} a model writes to: each call checks what it was given (a
 * careless model's non-string or empty delta is dropped), stamps `elapsed_ms` (within the
 * input received, never before the last one sent), cuts long deltas and audio into frames
 * of a bounded size and hands them to the session's frames; audio goes from PCM straight
 * into its frame. Once {@link end} was called everything is ignored and `ready()` resolves
 * at once. A throw on the way out (the host's `send`) ends the session rather than reaching
 * the model, which could swallow it and go on writing.
 *
 * @example
 * ```ts
 * const writer = new TranslationOutputWriter(host);
 * model.translate(request, writer.output, signal);
 * writer.end(); // the session ended: later calls do nothing
 * ```
 */
export class TranslationOutputWriter {
  readonly output: TranslationOutput;
  readonly #host: TranslationOutputHost;
  #ended = false;
  /** The last `elapsed_ms` sent, of any of the three deltas: the next is never before it. */
  #lastElapsedMs = 0;
  /** The `ready()` calls waiting on the host, each let go when it resolves. */
  readonly #waiting = new Set<() => void>();

  constructor(host: TranslationOutputHost) {
    this.#host = host;
    this.output = {
      inputTranscript: (delta, elapsedMs) =>
        this.#guard(() => {
          if (this.#host.inputTranscription()) this.#text('input', delta, elapsedMs);
        }),
      outputTranscript: (delta, elapsedMs) =>
        this.#guard(() => this.#text('output', delta, elapsedMs)),
      audio: (pcm, elapsedMs) => this.#guard(() => this.#audio(pcm, elapsedMs)),
      error: (error) => this.#guard(() => this.#error(error)),
      ready: () => this.#ready(),
    };
  }

  /** The session ended: nothing more goes out, and a model waiting on `ready()` goes on. */
  end(): void {
    this.#ended = true;
    for (const resolve of this.#waiting) resolve();
    this.#waiting.clear();
  }

  #guard(write: () => void): void {
    if (this.#ended) return;
    try {
      write();
    } catch {
      this.#host.fault();
    }
  }

  #text(stream: 'input' | 'output', delta: unknown, elapsedMs: unknown): void {
    if (typeof delta !== 'string' || delta === '') return;
    const elapsed = this.#stamp(elapsedMs);
    const { frames } = this.#host;
    for (const piece of deltaPieces(delta)) {
      if (this.#ended) return;
      if (stream === 'input') frames.inputTranscriptDelta(piece, elapsed);
      else frames.outputTranscriptDelta(piece, elapsed);
    }
  }

  #audio(pcm: unknown, elapsedMs: unknown): void {
    if (!(pcm instanceof Int16Array) || pcm.length === 0) return;
    const elapsed = this.#stamp(elapsedMs);
    const { frames } = this.#host;
    for (let offset = 0; offset < pcm.length; offset += MAX_AUDIO_DELTA_SAMPLES) {
      if (this.#ended) return;
      frames.outputAudioDelta(pcm.subarray(offset, offset + MAX_AUDIO_DELTA_SAMPLES), elapsed);
    }
  }

  /** A failure that cost output but not the session: one `error` event, nothing it carries. */
  #error(error: unknown): void {
    const { frames } = this.#host;
    frames.event(
      TranslationServerEvents.errorEvent(frames.nextEventId(), {
        ...modelFailure(error, 'The model failed to translate part of the audio.'),
        event_id: null,
      }),
    );
  }

  /**
   * `elapsed_ms`: whole ms within the input received so far (its end for a non-number), and
   * never before the last one sent. It is the session's one alignment clock, shared by the
   * input transcript, the output transcript and the audio, so a model that stamps a later
   * segment's words before an earlier segment's speech cannot make it run backwards. The
   * input only grows, so the last one sent is still within it.
   */
  #stamp(elapsedMs: unknown): number {
    const received = Math.floor(this.#host.inputMs());
    const asked =
      typeof elapsedMs === 'number' && Number.isFinite(elapsedMs)
        ? Math.min(received, Math.max(0, Math.floor(elapsedMs)))
        : received;
    this.#lastElapsedMs = Math.max(this.#lastElapsedMs, asked);
    return this.#lastElapsedMs;
  }

  #ready(): Promise<void> {
    const sendReady = this.#host.sendReady;
    if (this.#ended || sendReady === undefined) return RESOLVED;
    let waiting: Promise<void> | undefined;
    try {
      waiting = sendReady();
    } catch {
      return RESOLVED;
    }
    if (waiting === undefined) return RESOLVED;
    // Also when the session ends first: a model must not wait on a client that went away. Not
    // a race against one promise of the session's end: each wait would stay attached to it,
    // and a long session with a slow client would gather them without bound.
    return new Promise<void>((resolve) => {
      const done = () => {
        this.#waiting.delete(done);
        resolve();
      };
      this.#waiting.add(done);
      Promise.resolve(waiting).then(done, done);
    });
  }
}
