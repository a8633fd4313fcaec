import { describe, expect, it } from 'vitest';
import type { SpeechSegment } from '../src/translation/speech-segmenter.ts';
import { translateBySegment } from '../src/translation/translate-by-segment.ts';
import type {
  TranslationAudioChunk,
  TranslationSettings,
} from '../src/translation/translation-model.ts';

const settings: TranslationSettings = {
  language: 'es',
  inputTranscription: false,
  transcriptionModel: null,
  noiseReduction: null,
};

/** A chunk of `ms`-long audio at its place: `index` seconds in. */
const chunk = (index: number): TranslationAudioChunk => ({
  pcm: new Int16Array(24),
  startMs: index * 1000,
  endMs: index * 1000 + 1,
  settings,
});

/** A segmenter that makes every chunk a segment of its own. */
const everyChunk = {
  push: (heard: TranslationAudioChunk): SpeechSegment[] => [
    { startMs: heard.startMs, endMs: heard.endMs, pcm: undefined, settings: heard.settings },
  ],
  flush: () => undefined,
};

/** `count` chunks, counting how many were read; then, unless `open`, the end of the input. */
function source(count: number, open = false) {
  const read = { chunks: 0 };
  const audio: AsyncIterable<TranslationAudioChunk> = {
    async *[Symbol.asyncIterator]() {
      for (let index = 0; index < count; index++) {
        read.chunks++;
        yield chunk(index);
      }
      if (open) await new Promise(() => {});
    },
  };
  return { audio, read };
}

/** Lets every queued microtask and one macrotask run. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('translateBySegment', () => {
  it('reads no further than maxPending segments ahead of the one being said, and says them in order', async () => {
    const { audio, read } = source(6);
    const said: string[] = [];
    const releases: (() => void)[] = [];
    const done = translateBySegment({
      audio,
      segmenter: everyChunk,
      signal: new AbortController().signal,
      maxPending: 2,
      hear: (segment) => segment.startMs,
      say: (startMs, index) =>
        new Promise<void>((resolve) => {
          said.push(`${index}@${startMs}`);
          releases.push(resolve);
        }),
    });
    await settle();
    // One being said, one waiting: the input waits (in the session's bounded backlog).
    expect(read.chunks).toBe(2);
    expect(said).toEqual(['0@0']);
    for (let next = 1; next < 6; next++) {
      releases[next - 1]?.();
      await settle();
      expect(said).toHaveLength(next + 1);
      expect(read.chunks).toBe(Math.min(6, next + 2));
    }
    releases[5]?.();
    await done;
    expect(said).toEqual(['0@0', '1@1000', '2@2000', '3@3000', '4@4000', '5@5000']);
  });

  it("rejects with say's failure at once, though the input stays open", async () => {
    const { audio } = source(1, true);
    const failure = new Error('say failed');
    await expect(
      translateBySegment({
        audio,
        segmenter: everyChunk,
        signal: new AbortController().signal,
        maxPending: 2,
        hear: (segment) => segment,
        say: async () => {
          throw failure;
        },
      }),
    ).rejects.toBe(failure);
  });

  it('stops hearing and saying once the signal aborts, when the say under way returned', async () => {
    const { audio, read } = source(10);
    const controller = new AbortController();
    const said: number[] = [];
    const done = translateBySegment({
      audio,
      segmenter: everyChunk,
      signal: controller.signal,
      maxPending: 3,
      hear: (segment) => segment.startMs,
      say: (startMs) =>
        new Promise<void>((resolve) => {
          said.push(startMs);
          controller.signal.addEventListener('abort', () => resolve(), { once: true });
        }),
    });
    await settle();
    expect(read.chunks).toBe(3);
    controller.abort();
    await done;
    expect(said).toEqual([0]);
    expect(read.chunks).toBe(3);
  });
});
