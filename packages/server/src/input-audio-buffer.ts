import { type AudioFormatType, bytesPerMs, pcm16Rms } from './pcm.ts';

/** The most input audio kept for transcription between two commits (the live API's limit). */
const MAX_KEPT_BYTES = 15 * 1024 * 1024;

/** A transition server VAD reports. */
export type VadTransition =
  | { readonly kind: 'speech_started'; readonly audioStartMs: number }
  | { readonly kind: 'speech_stopped'; readonly audioEndMs: number };

/** Server VAD settings the buffer applies. */
export interface VadSettings {
  readonly threshold: number;
  readonly prefixPaddingMs: number;
  readonly silenceDurationMs: number;
}

/**
 * The input audio buffer of a session: how long the buffered audio is, and (with server VAD)
 * where speech started and stopped. It keeps the audio itself only while asked to (for a
 * model that transcribes); otherwise only its length. A PCM16 chunk counts as speech when its
 * RMS passes `threshold` × 4096; G.711 input is never speech (it is not decoded).
 */
export class InputAudioBuffer {
  #bytes = 0;
  #chunks: Uint8Array[] = [];
  /** Whether appended audio is kept, for {@link take}. */
  keepAudio = false;
  /** Total audio appended since the session began, for `audio_start_ms` / `audio_end_ms`. */
  #sessionMs = 0;
  #speaking = false;
  #silenceMs = 0;

  /** Milliseconds of audio in the buffer. */
  durationMs(format: AudioFormatType): number {
    return Math.floor(this.#bytes / bytesPerMs(format));
  }

  /** Whether server VAD is inside a speech segment. */
  get speaking(): boolean {
    return this.#speaking;
  }

  /** Audio time of the session, in ms. */
  get sessionMs(): number {
    return this.#sessionMs;
  }

  /** Adds a chunk and returns the VAD transitions it caused (none without `vad`). */
  append(
    chunk: Uint8Array,
    format: AudioFormatType,
    vad: VadSettings | undefined,
  ): VadTransition[] {
    const chunkMs = chunk.length / bytesPerMs(format);
    const startMs = this.#sessionMs;
    this.#bytes += chunk.length;
    // The live API's buffer holds at most 15 MiB; past that, audio is counted but not kept.
    if (this.keepAudio && this.#bytes <= MAX_KEPT_BYTES) this.#chunks.push(chunk);
    this.#sessionMs += chunkMs;
    if (vad === undefined) return [];
    const speech = format === 'audio/pcm' && pcm16Rms(chunk) > vad.threshold * 4096;
    if (speech) {
      this.#silenceMs = 0;
      if (this.#speaking) return [];
      this.#speaking = true;
      return [
        {
          kind: 'speech_started',
          audioStartMs: Math.max(0, Math.floor(startMs - vad.prefixPaddingMs)),
        },
      ];
    }
    if (!this.#speaking) return [];
    this.#silenceMs += chunkMs;
    if (this.#silenceMs < vad.silenceDurationMs) return [];
    return [this.stopSpeech()];
  }

  /** Ends a speech segment now (a manual commit while speaking). */
  stopSpeech(): VadTransition {
    this.#speaking = false;
    this.#silenceMs = 0;
    return { kind: 'speech_stopped', audioEndMs: Math.floor(this.#sessionMs) };
  }

  /** The kept audio, joined, and empties the buffer; empty when audio is not kept. */
  take(): Uint8Array {
    let kept = 0;
    for (const chunk of this.#chunks) kept += chunk.length;
    const audio = new Uint8Array(kept);
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
    this.#speaking = false;
    this.#silenceMs = 0;
  }
}
