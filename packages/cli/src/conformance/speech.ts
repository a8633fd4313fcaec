/** Samples a second of the protocol's PCM (`audio/pcm`, 24 kHz, 16-bit, mono). */
export const SAMPLE_RATE = 24_000;

/**
 * Audio a voice activity detector takes for speech: a voiced sound (a 140 Hz fundamental
 * with falling harmonics, as a vowel has) broken into syllables of about 180 ms by a 4 Hz
 * envelope, at a speaking level. Energy detectors hear its level; model-based ones see the
 * harmonic structure and the syllable rhythm of speech, which a pure tone lacks.
 *
 * @example
 * ```ts
 * const pcm = speechLikePcm(800); // 800 ms, PCM16 little-endian at 24 kHz
 * ```
 */
export function speechLikePcm(durationMs: number): Uint8Array {
  const samples = Math.round((durationMs * SAMPLE_RATE) / 1000);
  const bytes = new Uint8Array(samples * 2);
  const view = new DataView(bytes.buffer);
  for (let index = 0; index < samples; index++) {
    const t = index / SAMPLE_RATE;
    // A slight pitch glide, as intonation has.
    const f0 = 140 + 20 * Math.sin(2 * Math.PI * 0.7 * t);
    let voiced = 0;
    for (let harmonic = 1; harmonic <= 8; harmonic++) {
      voiced += Math.sin(2 * Math.PI * f0 * harmonic * t) / harmonic;
    }
    const syllable = 0.55 + 0.45 * Math.sin(2 * Math.PI * 4 * t);
    const sample = Math.round(9_000 * syllable * voiced);
    view.setInt16(index * 2, Math.max(-32_768, Math.min(32_767, sample)), true);
  }
  return bytes;
}

/**
 * Digital silence of `durationMs`, PCM16 at 24 kHz.
 *
 * @example
 * ```ts
 * const pause = silencePcm(700);
 * ```
 */
export function silencePcm(durationMs: number): Uint8Array {
  return new Uint8Array(Math.round((durationMs * SAMPLE_RATE) / 1000) * 2);
}

/**
 * Splits audio into base64 chunks of `chunkMs` for `input_audio_buffer.append`.
 *
 * @example
 * ```ts
 * for (const audio of appendChunks(speechLikePcm(600), 100)) session.send({ type: 'input_audio_buffer.append', audio });
 * ```
 */
export function appendChunks(pcm: Uint8Array, chunkMs = 100): string[] {
  const size = Math.round((chunkMs * SAMPLE_RATE) / 1000) * 2;
  const chunks: string[] = [];
  for (let offset = 0; offset < pcm.length; offset += size) {
    chunks.push(Buffer.from(pcm.subarray(offset, offset + size)).toString('base64'));
  }
  return chunks;
}
