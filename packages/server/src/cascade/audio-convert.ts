import type { AudioFormatType } from '../pcm.ts';

/**
 * The bytes a WAV file made by {@link wavOf} has before its samples: it is that much larger
 * than the PCM it copies.
 *
 * @example
 * ```ts
 * const copyBytes = WAV_HEADER_BYTES + pcm.byteLength;
 * ```
 */
export const WAV_HEADER_BYTES = 44;

/**
 * Session audio as a WAV file for `/audio/transcriptions`: PCM16 24 kHz as it is, G.711
 * decoded to PCM16 at 8 kHz (every transcription server reads PCM WAV; not all read G.711).
 *
 * @example
 * ```ts
 * const file = new Blob([wavOf(audio, 'audio/pcm')], { type: 'audio/wav' });
 * ```
 */
export function wavOf(audio: Uint8Array, format: AudioFormatType): Uint8Array {
  const pcm = format === 'audio/pcm' ? audio : decodeG711(audio, format);
  const sampleRate = format === 'audio/pcm' ? 24_000 : 8000;
  const dataBytes = pcm.length - (pcm.length % 2);
  const wav = new Uint8Array(WAV_HEADER_BYTES + dataBytes);
  const view = new DataView(wav.buffer);
  const ascii = (offset: number, text: string) => {
    for (let i = 0; i < text.length; i++) wav[offset + i] = text.charCodeAt(i);
  };
  ascii(0, 'RIFF');
  view.setUint32(4, 36 + dataBytes, true);
  ascii(8, 'WAVE');
  ascii(12, 'fmt ');
  view.setUint32(16, 16, true);
  view.setUint16(20, 1, true); // PCM
  view.setUint16(22, 1, true); // mono
  view.setUint32(24, sampleRate, true);
  view.setUint32(28, sampleRate * 2, true);
  view.setUint16(32, 2, true);
  view.setUint16(34, 16, true);
  ascii(36, 'data');
  view.setUint32(40, dataBytes, true);
  wav.set(pcm.subarray(0, dataBytes), WAV_HEADER_BYTES);
  return wav;
}

/** G.711 μ-law or A-law bytes as PCM16 little-endian. */
export function decodeG711(audio: Uint8Array, format: 'audio/pcmu' | 'audio/pcma'): Uint8Array {
  const pcm = new Uint8Array(audio.length * 2);
  const view = new DataView(pcm.buffer);
  const decode = format === 'audio/pcmu' ? muLawToLinear : aLawToLinear;
  for (let i = 0; i < audio.length; i++) view.setInt16(i * 2, decode(audio[i] as number), true);
  return pcm;
}

function muLawToLinear(byte: number): number {
  const value = ~byte & 0xff;
  const exponent = (value >> 4) & 0x07;
  const magnitude = ((((value & 0x0f) << 3) + 0x84) << exponent) - 0x84;
  return value & 0x80 ? -magnitude : magnitude;
}

function aLawToLinear(byte: number): number {
  const value = byte ^ 0x55;
  const exponent = (value >> 4) & 0x07;
  const mantissa = value & 0x0f;
  const magnitude =
    exponent === 0 ? (mantissa << 4) + 8 : ((mantissa << 4) + 0x108) << (exponent - 1);
  return value & 0x80 ? magnitude : -magnitude;
}

function linearToMuLaw(sample: number): number {
  const sign = sample < 0 ? 0x80 : 0;
  let magnitude = Math.min(Math.abs(sample), 32_635) + 0x84;
  let exponent = 7;
  for (let mask = 0x4000; (magnitude & mask) === 0 && exponent > 0; mask >>= 1) exponent--;
  const mantissa = (magnitude >> (exponent + 3)) & 0x0f;
  magnitude = sign | (exponent << 4) | mantissa;
  return ~magnitude & 0xff;
}

function linearToALaw(sample: number): number {
  const sign = sample >= 0 ? 0x80 : 0;
  const magnitude = Math.min(sample < 0 ? -sample - 1 : sample, 32_767) >> 3;
  let byte: number;
  if (magnitude < 32) byte = magnitude >> 1;
  else {
    let exponent = 1;
    while (magnitude >> (exponent + 5) > 0 && exponent < 7) exponent++;
    byte = (exponent << 4) | ((magnitude >> exponent) & 0x0f);
  }
  return (byte | sign) ^ 0x55;
}

/**
 * Turns speech as `/audio/speech` streams it (`response_format: "pcm"`: PCM16 24 kHz, in
 * chunks of any size, even odd ones) into the session's output format, in whole samples:
 * PCM16 as it is, or averaged three to one to 8 kHz and G.711-encoded. What does not make a
 * whole output sample is held for the next chunk.
 *
 * @example
 * ```ts
 * const convert = createSpeechConverter('audio/pcm');
 * for await (const chunk of body) { const audio = convert(chunk); if (audio.length) output.audio(audio); }
 * ```
 */
export function createSpeechConverter(format: AudioFormatType): (chunk: Uint8Array) => Uint8Array {
  // Bytes of 24 kHz PCM16 per output sample: one sample, or three averaged into one.
  const step = format === 'audio/pcm' ? 2 : 6;
  let carry = new Uint8Array(0);
  return (chunk) => {
    let bytes = chunk;
    if (carry.length > 0) {
      bytes = new Uint8Array(carry.length + chunk.length);
      bytes.set(carry);
      bytes.set(chunk, carry.length);
    }
    const whole = bytes.length - (bytes.length % step);
    carry = bytes.slice(whole);
    if (format === 'audio/pcm') return bytes.subarray(0, whole);
    const encode = format === 'audio/pcmu' ? linearToMuLaw : linearToALaw;
    const view = new DataView(bytes.buffer, bytes.byteOffset, whole);
    const out = new Uint8Array(whole / 6);
    for (let i = 0; i < out.length; i++) {
      const offset = i * 6;
      const mean =
        (view.getInt16(offset, true) +
          view.getInt16(offset + 2, true) +
          view.getInt16(offset + 4, true)) /
        3;
      out[i] = encode(Math.round(mean));
    }
    return out;
  };
}
