/**
 * Milliseconds of audio per `response.output_audio.delta` (4,800 bytes of PCM16), and per
 * `session.output_audio.delta` of a simulated translation.
 *
 * @example
 * ```ts
 * const chunksPerSecond = 1000 / AUDIO_CHUNK_MS; // 10
 * ```
 */
export const AUDIO_CHUNK_MS = 100;

/**
 * Spoken length of one character of a transcript: how long the simulator's speech lasts.
 *
 * @example
 * ```ts
 * const speechMs = Math.max(AUDIO_CHUNK_MS * 3, text.length * MS_PER_CHARACTER);
 * ```
 */
export const MS_PER_CHARACTER = 60;

/**
 * Pause between text deltas under realtime pacing.
 *
 * @example
 * ```ts
 * if (!(await step(TEXT_DELTA_MS))) return;
 * ```
 */
export const TEXT_DELTA_MS = 25;
