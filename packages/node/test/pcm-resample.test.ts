import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Pcm16To24k } from '../src/calls/pcm-resample.ts';

const tone = (hz: number, rate: number, samples: number, amplitude = 10_000) =>
  Int16Array.from({ length: samples }, (_, i) =>
    Math.round(amplitude * Math.sin((2 * Math.PI * hz * i) / rate)),
  );

const samplesOf = (bytes: Uint8Array) =>
  new Int16Array(bytes.buffer, bytes.byteOffset, bytes.length / 2);
const rms = (samples: Int16Array) =>
  Math.sqrt(
    samples.reduce((sum, sample) => sum + sample * sample, 0) / Math.max(1, samples.length),
  );

function convert(input: Int16Array, rate: number, cuts: readonly number[], channels = 1) {
  const resampler = new Pcm16To24k();
  const pieces: Uint8Array[] = [];
  let from = 0;
  for (const cut of [...cuts, input.length]) {
    const to = Math.min(input.length, Math.max(from, cut - (cut % channels)));
    pieces.push(resampler.push(input.subarray(from, to), rate, channels));
    from = to;
  }
  return Buffer.concat(pieces);
}

describe('Pcm16To24k', () => {
  it('passes 24 kHz through and halves 48 kHz', () => {
    const input = tone(440, 24_000, 240);
    expect(samplesOf(convert(input, 24_000, []))).toEqual(input);
    expect(samplesOf(convert(tone(440, 48_000, 480), 48_000, [])).length).toBe(240);
  });

  it('keeps speech and takes out what would fold back from above 12 kHz', () => {
    const speech = samplesOf(convert(tone(1000, 48_000, 4800), 48_000, []));
    expect(rms(speech) / (10_000 / Math.SQRT2)).toBeGreaterThan(0.95);
    const high = samplesOf(convert(tone(20_000, 48_000, 4800), 48_000, []));
    expect(rms(high) / (10_000 / Math.SQRT2)).toBeLessThan(0.1);
  });

  it('mixes stereo down and resamples other rates to the same duration', () => {
    const left = tone(500, 44_100, 4410);
    const stereo = new Int16Array(left.length * 2);
    left.forEach((sample, i) => {
      stereo[2 * i] = sample;
      stereo[2 * i + 1] = sample;
    });
    const out = samplesOf(convert(stereo, 44_100, [], 2));
    expect(Math.abs(out.length - 2400)).toBeLessThanOrEqual(1);
    expect(rms(out) / rms(left)).toBeGreaterThan(0.97);
  });

  it('gives the same stream however the input is cut into chunks (property)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(48_000, 24_000, 16_000, 44_100, 8000),
        fc.integer({ min: 0, max: 2000 }),
        fc.array(fc.integer({ min: 0, max: 2000 }), { maxLength: 8 }),
        (rate, length, cuts) => {
          const input = Int16Array.from({ length }, (_, i) => ((i * 7919) % 65_536) - 32_768);
          const whole = convert(input, rate, []);
          const cut = convert(
            input,
            rate,
            [...cuts].sort((a, b) => a - b),
          );
          expect(Buffer.compare(whole, cut)).toBe(0);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('gives nothing for a rate or channel count no track has', () => {
    const resampler = new Pcm16To24k();
    expect(resampler.push(new Int16Array(10), 0, 1).length).toBe(0);
    expect(resampler.push(new Int16Array(10), Number.NaN, 1).length).toBe(0);
    expect(resampler.push(new Int16Array(10), 48_000, 0).length).toBe(0);
  });
});
