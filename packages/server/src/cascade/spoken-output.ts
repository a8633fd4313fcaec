import type { ResponseOutput } from '../model.ts';
import type { AudioFormatType } from '../pcm.ts';
import { createSpeechConverter } from './audio-convert.ts';

/** A sentence's speech, once the backend answered: PCM16 24 kHz chunks as they come. */
export type SpeechStream = AsyncIterable<Uint8Array>;

/** What {@link SpokenOutput} is made with. */
export interface SpokenOutputOptions {
  /** Where the transcript and audio go: a response's output, or a translation's. */
  readonly output: Pick<ResponseOutput, 'text' | 'audio' | 'ready'>;
  /** The session's output audio format. */
  readonly format: AudioFormatType;
  /** Starts the speech request of one sentence. */
  readonly speak: (sentence: string) => Promise<SpeechStream>;
  /** Sentences whose speech is requested ahead of the one playing (default 1). */
  readonly lookahead?: number;
}

type Job =
  | { readonly kind: 'speech'; readonly text: string; stream?: Promise<SpeechStream> }
  | { readonly kind: 'write'; readonly write: () => void };

/** Whether a piece of text has anything in it to say. */
const SPEAKABLE = /[\p{L}\p{N}]/u;

/**
 * The output of an audio response in protocol order: each sentence's transcript, then its
 * audio as the speech endpoint streams it, sentence after sentence, and whatever the model
 * writes after a sentence (a function call) only once that sentence has been said. The
 * speech of the next `lookahead` sentences is requested while one plays, so there is no gap
 * between them; their bodies are read only in turn, so what waits stays in the socket. A
 * speech body is read no faster than the session sends: after each chunk this waits for
 * `output.ready()`, so a backend faster than real time is held back by the socket, not queued.
 */
export class SpokenOutput {
  readonly #options: SpokenOutputOptions;
  readonly #jobs: Job[] = [];
  #draining: Promise<void> | undefined;
  #failure: { error: unknown } | undefined;

  constructor(options: SpokenOutputOptions) {
    this.#options = options;
  }

  /** Queues a sentence: its transcript and its speech. */
  say(text: string): void {
    if (this.#failure !== undefined) return;
    this.#jobs.push({ kind: 'speech', text });
    this.#prefetch();
    this.#drain();
  }

  /** Runs `write` after what is queued, at once when nothing is. */
  after(write: () => void): void {
    if (this.#failure !== undefined) return;
    if (this.#draining === undefined) {
      write();
      return;
    }
    this.#jobs.push({ kind: 'write', write });
  }

  /** Resolves when everything queued was said; rejects with the first speech failure. */
  async finished(): Promise<void> {
    while (this.#draining !== undefined) await this.#draining;
    if (this.#failure !== undefined) throw this.#failure.error;
  }

  /** Called with the failure that stopped the output, so the caller can stop the rest. */
  onFailure: (error: unknown) => void = () => {};

  #drain(): void {
    if (this.#draining !== undefined) return;
    this.#draining = this.#run().then(
      () => {
        this.#draining = undefined;
        // Queued between the loop's end and this callback: run it too.
        if (this.#jobs.length > 0) this.#drain();
      },
      (error: unknown) => {
        this.#draining = undefined;
        this.#jobs.length = 0;
        this.#failure ??= { error };
        this.onFailure(error);
      },
    );
  }

  async #run(): Promise<void> {
    const { output } = this.#options;
    for (let job = this.#jobs.shift(); job !== undefined; job = this.#jobs.shift()) {
      if (job.kind === 'write') {
        job.write();
        continue;
      }
      const speech = await this.#start(job);
      this.#prefetch();
      output.text(job.text);
      const convert = createSpeechConverter(this.#options.format);
      for await (const chunk of speech) {
        const audio = convert(chunk);
        if (audio.length === 0) continue;
        output.audio(audio);
        await output.ready();
      }
    }
  }

  /** Requests the speech of the queued sentences up to the lookahead. */
  #prefetch(): void {
    // While one plays, `lookahead` more; before, the first too.
    let ahead = (this.#options.lookahead ?? 1) + (this.#draining === undefined ? 1 : 0);
    for (const job of this.#jobs) {
      if (ahead <= 0) break;
      if (job.kind !== 'speech') continue;
      ahead--;
      this.#start(job);
    }
  }

  #start(job: Job & { kind: 'speech' }): Promise<SpeechStream> {
    if (job.stream === undefined) {
      job.stream = SPEAKABLE.test(job.text)
        ? this.#options.speak(job.text.trim())
        : Promise.resolve(silent);
      // Awaited in turn; until then a failure must not surface as unhandled.
      job.stream.catch(() => {});
    }
    return job.stream;
  }
}

/** A sentence with nothing to say (`…`, a line break): its transcript, no audio. */
const silent: SpeechStream = {
  [Symbol.asyncIterator]: () => ({ next: async () => ({ done: true, value: undefined }) }),
};
