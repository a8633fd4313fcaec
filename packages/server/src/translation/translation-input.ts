import type { TranslationAudioChunk } from './translation-model.ts';

const DONE: IteratorReturnResult<undefined> = Object.freeze({ done: true, value: undefined });

/**
 * The input audio of a translation session on its way to the model: chunks queued in order
 * until the model reads them, at most `maxBytes` of them (what a model that falls behind
 * makes the session hold). A chunk that would pass the bound is refused, not queued, so the
 * model's view stays in order and the session can tell the client; {@link end} lets the
 * model read what is queued and then ends its loop, {@link abort} drops it all.
 *
 * @example
 * ```ts
 * const input = new TranslationInput(1_440_000);
 * if (!input.push(chunk)) tellClientAudioWasDropped();
 * for await (const chunk of input) model.hear(chunk); // in the model
 * input.end(); // session.close: the model's loop ends once it read the rest
 * ```
 */
export class TranslationInput implements AsyncIterable<TranslationAudioChunk> {
  readonly #maxBytes: number;
  readonly #queue: TranslationAudioChunk[] = [];
  /** Where the next chunk to read is in {@link #queue}: shifted in batches, not per read. */
  #head = 0;
  #bytes = 0;
  #ended = false;
  /** The model's pending `next()` calls, oldest first, while the queue is empty. */
  #waiting: ((result: IteratorResult<TranslationAudioChunk>) => void)[] = [];

  constructor(maxBytes: number) {
    this.#maxBytes = maxBytes;
  }

  /** Bytes of audio queued for the model. */
  get heldBytes(): number {
    return this.#bytes;
  }

  /** Whether {@link end} or {@link abort} was called: nothing more is taken. */
  get ended(): boolean {
    return this.#ended;
  }

  /** Queues a chunk; `false` (and nothing queued) when it would pass the bound or input ended. */
  push(chunk: TranslationAudioChunk): boolean {
    if (this.#ended) return false;
    const waiting = this.#waiting.shift();
    if (waiting !== undefined) {
      // The model waits on an empty queue: it gets the chunk now, nothing is held.
      waiting({ done: false, value: chunk });
      return true;
    }
    const size = chunk.pcm.byteLength;
    if (this.#bytes + size > this.#maxBytes) return false;
    this.#queue.push(chunk);
    this.#bytes += size;
    return true;
  }

  /** No more input: the model reads what is queued, then its loop ends. */
  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#wake();
  }

  /** No more input and nothing left to read: the queue is dropped. */
  abort(): void {
    this.#ended = true;
    this.#queue.length = 0;
    this.#head = 0;
    this.#bytes = 0;
    this.#wake();
  }

  [Symbol.asyncIterator](): AsyncIterator<TranslationAudioChunk> {
    return {
      next: () => this.#next(),
      return: async () => DONE,
    };
  }

  #next(): Promise<IteratorResult<TranslationAudioChunk>> {
    if (this.#head < this.#queue.length) {
      const chunk = this.#queue[this.#head++] as TranslationAudioChunk;
      this.#bytes -= chunk.pcm.byteLength;
      // Drop read chunks once they are half the array, so reads stay O(1) and nothing leaks.
      if (this.#head * 2 >= this.#queue.length) {
        this.#queue.splice(0, this.#head);
        this.#head = 0;
      }
      return Promise.resolve({ done: false, value: chunk });
    }
    if (this.#ended) return Promise.resolve(DONE);
    return new Promise((resolve) => {
      this.#waiting.push(resolve);
    });
  }

  /** Ends every `next()` that waits: there is nothing more to read. */
  #wake(): void {
    const waiting = this.#waiting;
    this.#waiting = [];
    for (const resolve of waiting) resolve(DONE);
  }
}
