/** Byte-level helpers for session audio: base64 input, PCM16 levels, and a synthetic tone. */

/** Decodes standard base64; `undefined` when the text is not valid base64. */
export function decodeBase64(text: string): Uint8Array | undefined {
  if (text.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(text)) return undefined;
  let binary: string;
  try {
    binary = atob(text);
  } catch {
    return undefined;
  }
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** Root mean square of little-endian PCM16 samples, 0 for an empty buffer. */
export function pcm16Rms(bytes: Uint8Array): number {
  const samples = bytes.length >> 1;
  if (samples === 0) return 0;
  const view = new DataView(bytes.buffer, bytes.byteOffset, samples * 2);
  let sum = 0;
  for (let i = 0; i < samples; i++) {
    const sample = view.getInt16(i * 2, true);
    sum += sample * sample;
  }
  return Math.sqrt(sum / samples);
}

/** The input and output audio formats of the session, as the spec names them. */
export type AudioFormatType = 'audio/pcm' | 'audio/pcmu' | 'audio/pcma';

/** Bytes per millisecond: PCM16 at 24 kHz, or G.711 at 8 kHz. */
export function bytesPerMs(format: AudioFormatType): number {
  return format === 'audio/pcm' ? 48 : 8;
}

/**
 * A deterministic tone in the session's output format: PCM16 at 24 kHz (a soft 220 Hz sine
 * that continues across chunks), or G.711 silence. Stateful so chunks join without clicks.
 */
export function createToneSynth(format: AudioFormatType): (durationMs: number) => Uint8Array {
  let sampleIndex = 0;
  return (durationMs) => {
    const length = Math.round(durationMs * bytesPerMs(format));
    const bytes = new Uint8Array(length);
    if (format !== 'audio/pcm') return bytes.fill(format === 'audio/pcmu' ? 0xff : 0xd5);
    const view = new DataView(bytes.buffer);
    for (let offset = 0; offset < length; offset += 2) {
      const value = Math.round(3000 * Math.sin((2 * Math.PI * 220 * sampleIndex++) / 24_000));
      view.setInt16(offset, value, true);
    }
    return bytes;
  };
}
