/**
 * The audio of a translation session, both ways: 24 kHz mono PCM16, little-endian. The spec's
 * values for a `session.output_audio.delta` (its only `format`, its `sample_rate` and
 * `channels` defaults), written as the live API writes them on every audio delta; input
 * appended with `session.input_audio_buffer.append` must be the same.
 *
 * @example
 * ```ts
 * // 200 ms, the frame the translation engine consumes, in bytes:
 * const frameBytes = (TRANSLATION_AUDIO.sample_rate / 5) * TRANSLATION_AUDIO.channels * 2; // 9600
 * ```
 */
export const TRANSLATION_AUDIO = {
  format: 'pcm16',
  sample_rate: 24_000,
  channels: 1,
} as const;
