import { createEnergyTurnDetector, type TurnDetector, type TurnEvent } from '../turn-detection.ts';
import type { TranslationAudioChunk, TranslationSettings } from './translation-model.ts';

/** PCM16 samples per ms at 24 kHz. */
const SAMPLES_PER_MS = 24;
/** Audio kept before speech starts, as the built-in detector's prefix padding. */
const PREFIX_MS = 300;

/**
 * One stretch of speech the segmenter found, in the session's input audio time.
 *
 * @example
 * ```ts
 * const segment: SpeechSegment = { startMs: 1200, endMs: 3400, pcm: undefined, settings };
 * ```
 */
export interface SpeechSegment {
  readonly startMs: number;
  /** Where it ends: after the pause that ended it, or where it was cut. */
  readonly endMs: number;
  /** Its audio (PCM16 24 kHz), when the segmenter keeps audio. */
  readonly pcm: Int16Array | undefined;
  /** The settings in effect for its last chunk: what it is translated with. */
  readonly settings: TranslationSettings;
}

/**
 * Options of {@link SpeechSegmenter}.
 *
 * @example
 * ```ts
 * const options: SpeechSegmenterOptions = { keepAudio: true, maxSegmentMs: 15_000 };
 * ```
 */
export interface SpeechSegmenterOptions {
  /** Whether each segment carries its audio (a model that transcribes it). */
  readonly keepAudio: boolean;
  /** A segment of speech this long is cut there, so one that never pauses is still heard. */
  readonly maxSegmentMs: number;
  /** The pause that ends a segment (default 500 ms). */
  readonly silenceMs?: number;
}

/**
 * Cuts a translation session's input into segments of speech by energy, with the engine's
 * built-in turn detector (server VAD: threshold 0.5, 300 ms of audio kept before speech, a
 * pause of `silenceMs` ends a segment): a segment ends at a pause, or once it is
 * `maxSegmentMs` long. Silence makes no segment. What it holds is bounded: the audio of one
 * segment (when kept) and 300 ms before it.
 *
 * @example
 * ```ts
 * const segmenter = new SpeechSegmenter({ keepAudio: true, maxSegmentMs: 15_000 });
 * for await (const chunk of request.audio) {
 *   for (const segment of segmenter.push(chunk)) translate(segment);
 * }
 * const last = segmenter.flush(); // speech still going when the input ended
 * ```
 */
export class SpeechSegmenter {
  readonly #options: SpeechSegmenterOptions;
  readonly #detector: TurnDetector;
  /** What the detector reported during the current `push`. */
  #reported: TurnEvent[] = [];
  /** The chunks of the segment in progress (or, before speech, the last 300 ms of them). */
  #chunks: TranslationAudioChunk[] = [];
  #startMs: number | undefined;
  #speaking = false;
  /** The last chunk heard: where a segment the input's end cuts off ends. */
  #last: TranslationAudioChunk | undefined;
  /** Where the last segment ended: the next never starts before it. */
  #lastEndMs = 0;

  constructor(options: SpeechSegmenterOptions) {
    this.#options = options;
    this.#detector = createEnergyTurnDetector({
      settings: {
        type: 'server_vad',
        threshold: 0.5,
        prefix_padding_ms: PREFIX_MS,
        silence_duration_ms: options.silenceMs ?? 500,
      },
      format: 'audio/pcm',
      report: (event) => this.#reported.push(event),
    });
  }

  /** Hears one chunk; returns the segments it ended (at most two: a cut, then a pause). */
  push(chunk: TranslationAudioChunk): SpeechSegment[] {
    const bytes = new Uint8Array(chunk.pcm.buffer, chunk.pcm.byteOffset, chunk.pcm.byteLength);
    this.#reported = [];
    this.#detector.append(bytes, { startMs: chunk.startMs, endMs: chunk.endMs });
    const ended: SpeechSegment[] = [];
    this.#last = chunk;
    if (this.#options.keepAudio) this.#chunks.push(chunk);
    for (const event of this.#reported) {
      if (event.type === 'speech_started') {
        const startMs = Math.max(event.audioStartMs, this.#lastEndMs);
        this.#speaking = true;
        this.#startMs = startMs;
        // Keep what lies within the prefix, nothing older.
        this.#chunks = this.#chunks.filter((kept) => kept.endMs > startMs);
      } else if (this.#speaking) {
        ended.push(this.#end(event.audioEndMs, chunk.settings));
      }
    }
    if (this.#speaking) {
      const startMs = this.#startMs ?? chunk.startMs;
      if (chunk.endMs - startMs >= this.#options.maxSegmentMs) {
        ended.push(this.#end(chunk.endMs, chunk.settings));
        // Speech goes on: the next loud chunk starts the next segment.
        this.#detector.reset();
      }
    } else {
      // Before speech: only the prefix a segment may start with is kept.
      while (this.#chunks.length > 0 && chunk.endMs - (this.#chunks[0]?.endMs ?? 0) >= PREFIX_MS) {
        this.#chunks.shift();
      }
    }
    return ended;
  }

  /** The segment in progress when the input ended, if speech was going on. */
  flush(): SpeechSegment | undefined {
    const last = this.#last;
    if (!this.#speaking || last === undefined) return undefined;
    const segment = this.#end(last.endMs, last.settings);
    this.#detector.reset();
    return segment;
  }

  #end(endMs: number, settings: TranslationSettings): SpeechSegment {
    const startMs = Math.min(this.#startMs ?? endMs, endMs);
    const chunks = this.#chunks;
    this.#speaking = false;
    this.#startMs = undefined;
    this.#chunks = [];
    this.#lastEndMs = endMs;
    return {
      startMs,
      endMs,
      pcm: this.#options.keepAudio ? joined(chunks, startMs, endMs) : undefined,
      settings,
    };
  }
}

/**
 * The samples of `chunks` between `startMs` and `endMs`, joined into a buffer of their own:
 * not a view into all the chunks kept, which would hold the audio before the segment's start
 * too, for as long as the segment is held.
 */
function joined(
  chunks: readonly TranslationAudioChunk[],
  startMs: number,
  endMs: number,
): Int16Array {
  let length = 0;
  for (const chunk of chunks) length += chunk.pcm.length;
  const firstMs = chunks[0]?.startMs ?? startMs;
  const from = Math.max(0, Math.round((startMs - firstMs) * SAMPLES_PER_MS));
  const to = Math.max(from, Math.min(length, Math.round((endMs - firstMs) * SAMPLES_PER_MS)));
  const segment = new Int16Array(to - from);
  /** Where the chunk starts among all the chunks' samples. */
  let offset = 0;
  for (const chunk of chunks) {
    const start = Math.max(0, from - offset);
    const end = Math.min(chunk.pcm.length, to - offset);
    if (end > start) segment.set(chunk.pcm.subarray(start, end), offset + start - from);
    offset += chunk.pcm.length;
  }
  return segment;
}
