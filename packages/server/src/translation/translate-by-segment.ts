import type { SpeechSegment, SpeechSegmenter } from './speech-segmenter.ts';
import type { TranslationAudioChunk } from './translation-model.ts';

/**
 * What {@link translateBySegment} runs.
 *
 * @example
 * ```ts
 * const options: TranslateBySegmentOptions<SpeechSegment> = {
 *   audio: request.audio,
 *   segmenter: new SpeechSegmenter({ keepAudio: false, maxSegmentMs: 4000 }),
 *   signal,
 *   maxPending: 4,
 *   hear: (segment) => segment,
 *   say: (segment, index) => speak(segment, index),
 * };
 * ```
 */
export interface TranslateBySegmentOptions<Heard> {
  /** The session's input audio (`request.audio`). */
  readonly audio: AsyncIterable<TranslationAudioChunk>;
  /** What cuts it into segments of speech. */
  readonly segmenter: Pick<SpeechSegmenter, 'push' | 'flush'>;
  /** The session ended: both loops stop, nothing more is heard or said. */
  readonly signal: AbortSignal;
  /**
   * Segments heard and not yet said, the one being said included: at that many the input is
   * not read until one is said, so audio waits in the session's bounded backlog, not here.
   */
  readonly maxPending: number;
  /** Called as each segment ends, in order: what starts at once (a transcription). */
  hear(segment: SpeechSegment): Heard;
  /** Says one heard segment (`index` counts from 0); the next waits until it settles. */
  say(heard: Heard, index: number): Promise<void>;
}

/**
 * The loop of a model that translates by segment: the input read chunk by chunk and cut into
 * segments, each `hear`d as soon as it ends, while the segments heard are `say`d one after
 * the other; at `maxPending` the input waits. Resolves once the input ended (`session.close`)
 * and every segment was said, or, after `signal` aborts, once the `say` under way returned
 * and the input ended; rejects at once with the first failure of `hear` or `say` (the
 * reading loop stops at its next chunk, or when the session's end ends the input).
 *
 * @example
 * ```ts
 * await translateBySegment({ audio: request.audio, segmenter, signal, maxPending: 3, hear, say });
 * ```
 */
export async function translateBySegment<Heard>(
  options: TranslateBySegmentOptions<Heard>,
): Promise<void> {
  const { signal, segmenter, maxPending } = options;
  const pending: Heard[] = [];
  const speakerTurn = new Turn();
  const readerTurn = new Turn();
  let inputEnded = false;
  /** The speaker stopped (the session ended, or `say` failed): the reader stops too. */
  let speakerStopped = false;
  const wake = () => {
    speakerTurn.wake();
    readerTurn.wake();
  };
  signal.addEventListener('abort', wake, { once: true });
  const hear = (segment: SpeechSegment) => {
    pending.push(options.hear(segment));
    speakerTurn.wake();
  };
  const speaker = (async () => {
    try {
      for (let index = 0; !signal.aborted; ) {
        const next = pending[0];
        if (next === undefined) {
          if (inputEnded) return;
          await speakerTurn.wait();
          continue;
        }
        await options.say(next, index++);
        pending.shift();
        readerTurn.wake();
      }
    } finally {
      speakerStopped = true;
      readerTurn.wake();
    }
  })();
  const stopped = () => signal.aborted || speakerStopped;
  const reader = (async () => {
    try {
      for await (const chunk of options.audio) {
        if (stopped()) break;
        for (const segment of segmenter.push(chunk)) hear(segment);
        while (pending.length >= maxPending && !stopped()) await readerTurn.wait();
        // Not one more chunk read for nothing.
        if (stopped()) break;
      }
      const last = segmenter.flush();
      if (last !== undefined && !stopped()) hear(last);
    } finally {
      inputEnded = true;
      speakerTurn.wake();
    }
  })();
  try {
    // Settles at the first failure: a reader waiting on input that never comes does not hold it.
    await Promise.all([reader, speaker]);
  } finally {
    signal.removeEventListener('abort', wake);
  }
}

/** One loop's turn: it waits until the other loop (or the end) wakes it. */
class Turn {
  #resolve: (() => void) | undefined;

  wait(): Promise<void> {
    return new Promise((resolve) => {
      this.#resolve = resolve;
    });
  }

  wake(): void {
    const resolve = this.#resolve;
    this.#resolve = undefined;
    resolve?.();
  }
}
