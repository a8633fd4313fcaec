import { isJsonObject } from '../json-object.ts';

/**
 * How one field's value differs between the protocols: `toGa` and `toBeta` are inverse on the
 * values both can say, and leave any other value as it is (an upstream's own value reaches a
 * beta client unchanged, and the engine or upstream judges a client's).
 */
export interface ValueMapping {
  toGa(value: unknown): unknown;
  toBeta(value: unknown): unknown;
}

/**
 * The beta audio formats and the GA format objects they name (`openai@4`'s
 * `'pcm16' | 'g711_ulaw' | 'g711_alaw'`; the spec's `RealtimeAudioFormats`). PCM is 24 kHz in
 * both: a GA `audio/pcm` without a rate is beta's `pcm16` too.
 */
const FORMATS = [
  ['pcm16', 'audio/pcm'],
  ['g711_ulaw', 'audio/pcmu'],
  ['g711_alaw', 'audio/pcma'],
] as const;

const PCM_RATE = 24_000;

/**
 * `input_audio_format` / `output_audio_format` (a beta name) ↔ `audio.*.format` (a GA object).
 *
 * @example
 * ```ts
 * AUDIO_FORMAT.toGa('g711_ulaw'); // { type: 'audio/pcmu' }
 * AUDIO_FORMAT.toBeta({ type: 'audio/pcm', rate: 24000 }); // 'pcm16'
 * ```
 */
export const AUDIO_FORMAT: ValueMapping = {
  toGa(value) {
    for (const [beta, type] of FORMATS) {
      if (value === beta) return type === 'audio/pcm' ? { type, rate: PCM_RATE } : { type };
    }
    return value;
  },
  toBeta(value) {
    if (!isJsonObject(value)) return value;
    const keys = Object.keys(value);
    for (const [beta, type] of FORMATS) {
      if (value.type !== type) continue;
      // Only a format that says nothing else: one with another rate or field is not beta's.
      const plain =
        type === 'audio/pcm'
          ? keys.every((key) => key === 'type' || (key === 'rate' && value.rate === PCM_RATE))
          : keys.length === 1;
      return plain ? beta : value;
    }
    return value;
  },
};

/**
 * `modalities` (beta) ↔ `output_modalities` (GA). Beta answered with audio and its transcript
 * as `['text', 'audio']`; GA says that `['audio']` and refuses both at once. A beta list with
 * `audio` in it is GA's `['audio']`, one with only `text` is `['text']`.
 *
 * @example
 * ```ts
 * MODALITIES.toGa(['text', 'audio']); // ['audio']
 * MODALITIES.toBeta(['audio']); // ['text', 'audio']
 * ```
 */
export const MODALITIES: ValueMapping = {
  toGa(value) {
    if (!Array.isArray(value) || value.length === 0) return value;
    if (!value.every((modality) => modality === 'text' || modality === 'audio')) return value;
    return value.includes('audio') ? ['audio'] : ['text'];
  },
  toBeta(value) {
    if (!Array.isArray(value) || value.length !== 1) return value;
    if (value[0] === 'audio') return ['text', 'audio'];
    return value;
  },
};
