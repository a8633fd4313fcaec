import type { EngineSession, RealtimeModel } from '../model.ts';
import type { AudioFormatType } from '../pcm.ts';
import type { EngineContext } from './engine-context.ts';
import { transcriptionOf } from './session-config.ts';
import { runTranscription } from './transcription.ts';

/**
 * One committed input audio item, as {@link InputTranscriptions.start} takes it.
 *
 * @example
 * ```ts
 * transcriptions.start(session, { itemId: 'item_1', audio, format: 'audio/pcm', durationMs: 1200 });
 * ```
 */
export interface CommittedAudio {
  readonly itemId: string;
  readonly audio: Uint8Array;
  readonly format: AudioFormatType;
  readonly durationMs: number;
}

/**
 * The transcription concern: which committed items are transcribed (those of a session that
 * asks for input transcription, and every one for a model that `readsTranscripts`), whether
 * the client hears of it, and what a response waits on to read what the user said. Each runs
 * beside responses, as in the live API; `runTranscription` reports one.
 *
 * @example
 * ```ts
 * const transcriptions = new InputTranscriptions(context, model, {
 *   track: true,
 *   transcribed: (itemId, transcript, shown) => items.transcribed(itemId, transcript, shown),
 * });
 * transcriptions.start(settings.current, committed);
 * await transcriptions.finished(itemId);
 * ```
 */
export class InputTranscriptions {
  readonly #context: EngineContext;
  readonly #model: RealtimeModel;
  /** Whether responses may wait on a transcription (a conversation; not a transcription session). */
  readonly #track: boolean;
  readonly #transcribed: (itemId: string, transcript: string, shown: boolean) => void;
  /** Transcriptions in flight, by item: what {@link finished} waits on. */
  readonly #running = new Map<string, Promise<void>>();
  /**
   * Aborted when the session closes: transcriptions in flight end with it. Made with the first
   * transcription: most sessions run none, and an abort costs a reason object.
   */
  #lifetime: AbortController | undefined;
  #closed = false;

  constructor(
    context: EngineContext,
    model: RealtimeModel,
    options: {
      readonly track: boolean;
      /** A transcription finished (`shown`: the client asked for it and heard it). */
      readonly transcribed: (itemId: string, transcript: string, shown: boolean) => void;
    },
  ) {
    this.#context = context;
    this.#model = model;
    this.#track = options.track;
    this.#transcribed = options.transcribed;
  }

  /** Whether input audio must be kept between commits: a transcription may need it. */
  keepsAudio(session: EngineSession): boolean {
    return (
      this.#model.transcribe !== undefined &&
      (this.#model.readsTranscripts === true || transcriptionOf(session) !== undefined)
    );
  }

  /** Transcribes a committed item when the session or the model asks for it. */
  start(session: EngineSession, committed: CommittedAudio): void {
    const settings = transcriptionOf(session);
    if (settings !== undefined) {
      this.#run(committed, settings, true);
    } else if (this.#model.readsTranscripts === true && this.#model.transcribe !== undefined) {
      // The model needs the words even when the client did not ask to see them.
      this.#run(committed, {}, false);
    }
  }

  /** Resolves once the item's transcription (if one runs) has finished. */
  finished(itemId: string): Promise<void> | undefined {
    return this.#running.get(itemId);
  }

  /** Ends every transcription in flight; nothing is reported afterwards. */
  close(): void {
    this.#closed = true;
    this.#lifetime?.abort();
  }

  #run(
    committed: CommittedAudio,
    settings: Readonly<Record<string, unknown>>,
    shown: boolean,
  ): void {
    const context = this.#context;
    const { itemId } = committed;
    this.#lifetime ??= new AbortController();
    if (this.#closed) this.#lifetime.abort();
    const running = runTranscription(
      {
        model: this.#model,
        nextEventId: context.nextEventId,
        emit: (event) => {
          if (shown) context.emit(event);
        },
        signal: this.#lifetime.signal,
      },
      { ...committed, settings },
    ).then(
      (transcript) =>
        context.guard(() => {
          this.#running.delete(itemId);
          if (transcript !== undefined) this.#transcribed(itemId, transcript, shown);
        }),
      // It reports a model's errors itself; a rejection is the engine failing to.
      () => context.fault(),
    );
    if (this.#track) this.#running.set(itemId, running);
  }
}
