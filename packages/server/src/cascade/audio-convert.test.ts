import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createSpeechConverter, decodeG711, wavOf } from './audio-convert.ts';

const pcm16 = (samples: readonly number[]) => {
  const bytes = new Uint8Array(samples.length * 2);
  const view = new DataView(bytes.buffer);
  for (const [i, sample] of samples.entries()) view.setInt16(i * 2, sample, true);
  return bytes;
};
const samplesOf = (bytes: Uint8Array) => {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  return Array.from({ length: bytes.length >> 1 }, (_, i) => view.getInt16(i * 2, true));
};

describe('wavOf', () => {
  it('wraps PCM16 24 kHz in a RIFF header that says so', () => {
    const wav = wavOf(pcm16([1, -1, 300]), 'audio/pcm');
    const view = new DataView(wav.buffer);
    expect(new TextDecoder().decode(wav.subarray(0, 4))).toBe('RIFF');
    expect(new TextDecoder().decode(wav.subarray(8, 16))).toBe('WAVEfmt ');
    expect(view.getUint32(24, true)).toBe(24_000);
    expect(view.getUint16(34, true)).toBe(16);
    expect(view.getUint32(40, true)).toBe(6);
    expect(samplesOf(wav.subarray(44))).toEqual([1, -1, 300]);
  });

  it('decodes G.711 to PCM16 at 8 kHz', () => {
    const wav = wavOf(new Uint8Array([0xff, 0x7f, 0x00]), 'audio/pcmu');
    expect(new DataView(wav.buffer).getUint32(24, true)).toBe(8000);
    expect(samplesOf(wav.subarray(44))).toEqual([0, 0, -32124]);
  });
});

describe('createSpeechConverter', () => {
  it('passes PCM16 on in whole samples however the chunks are cut', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 200 }),
        fc.array(fc.nat(), { maxLength: 8 }),
        (bytes, cuts) => {
          const convert = createSpeechConverter('audio/pcm');
          const points = [...new Set(cuts.map((cut) => cut % (bytes.length + 1)))].sort(
            (a, b) => a - b,
          );
          const out: number[] = [];
          let start = 0;
          for (const point of [...points, bytes.length]) {
            const piece = convert(bytes.subarray(start, point));
            expect(piece.length % 2).toBe(0);
            out.push(...piece);
            start = point;
          }
          expect(out).toEqual([...bytes.subarray(0, bytes.length - (bytes.length % 2))]);
        },
      ),
    );
  });

  it.each(['audio/pcmu', 'audio/pcma'] as const)(
    'resamples to 8 kHz and encodes %s within G.711 precision',
    (format) => {
      fc.assert(
        fc.property(
          fc.array(fc.integer({ min: -32_000, max: 32_000 }), { minLength: 1, maxLength: 50 }),
          (values) => {
            // Each value held for three samples, so the 3:1 average is the value itself.
            const convert = createSpeechConverter(format);
            const encoded = convert(pcm16(values.flatMap((value) => [value, value, value])));
            expect(encoded.length).toBe(values.length);
            const decoded = samplesOf(decodeG711(encoded, format));
            decoded.forEach((sample, i) => {
              const value = values[i] as number;
              expect(Math.abs(sample - value)).toBeLessThanOrEqual(
                Math.max(16, Math.abs(value) / 12),
              );
            });
          },
        ),
      );
    },
  );
});
