import { type AudioFormatType, bytesPerMs } from '../pcm.ts';
import type { AudioSpan } from '../turn-detection.ts';

/** The most input audio kept for transcription between two commits (the live API's limit). */
const MAX_KEPT_BYTES = 15 * 1024 * 1024;

/**
 * The input audio buffer of a session: how long the buffered audio is, and where each chunk
 * lies in the session's audio time. It keeps the audio itself only while asked to (for a
 * model that transcribes); otherwise only its length, so a client streaming for hours costs
 * a few numbers.
 *
 * @example
 * ```ts
 * const buffer = new InputAudioBuffer();
 * const span = buffer.append(pcm, 'audio/pcm'); // { startMs, endMs }
 * buffer.durationMs('audio/pcm');
 * ```
 */
export class InputAudioBuffer {
  #bytes = 0;
  #chunks: Uint8Array[] = [];
  #kept = 0;
  /** Whether appended audio is kept, for {@link take}. */
  keepAudio = false;
  /** Total audio appended since the session began, for `audio_start_ms` / `audio_end_ms`. */
  #sessionMs = 0;

  /** Milliseconds of audio in the buffer. */
  durationMs(format: AudioFormatType): number {
    return Math.floor(this.#bytes / bytesPerMs(format));
  }

  /** Bytes of audio kept for transcription (at most 15 MiB): what the buffer holds in memory. */
  get keptBytes(): number {
    return this.#kept;
  }

  /** Audio time of the session, in ms. */
  get sessionMs(): number {
    return this.#sessionMs;
  }

  /** Adds a chunk; returns where it lies in the session's audio time. */
  append(chunk: Uint8Array, format: AudioFormatType): AudioSpan {
    const startMs = this.#sessionMs;
    this.#bytes += chunk.length;
    // The live API's buffer holds at most 15 MiB; past that, audio is counted but not kept.
    if (this.keepAudio && this.#kept + chunk.length <= MAX_KEPT_BYTES) {
      this.#chunks.push(chunk);
      this.#kept += chunk.length;
    }
    this.#sessionMs += chunk.length / bytesPerMs(format);
    return { startMs, endMs: this.#sessionMs };
  }

  /** The kept audio, joined, and empties the buffer; empty when audio is not kept. */
  take(): Uint8Array {
    const audio = new Uint8Array(this.#kept);
    let offset = 0;
    for (const chunk of this.#chunks) {
      audio.set(chunk, offset);
      offset += chunk.length;
    }
    this.clear();
    return audio;
  }

  /** Empties the buffer (commit or clear). */
  clear(): void {
    this.#bytes = 0;
    this.#chunks = [];
    this.#kept = 0;
  }
}
