import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AUDIO_FORMAT, MODALITIES } from './beta-values.ts';

const anything = fc.anything({ maxDepth: 2 });

describe('AUDIO_FORMAT', () => {
  it('names each beta format as the GA object, and back', () => {
    expect(AUDIO_FORMAT.toGa('pcm16')).toEqual({ type: 'audio/pcm', rate: 24000 });
    expect(AUDIO_FORMAT.toGa('g711_ulaw')).toEqual({ type: 'audio/pcmu' });
    expect(AUDIO_FORMAT.toGa('g711_alaw')).toEqual({ type: 'audio/pcma' });
    for (const beta of ['pcm16', 'g711_ulaw', 'g711_alaw'])
      expect(AUDIO_FORMAT.toBeta(AUDIO_FORMAT.toGa(beta))).toBe(beta);
  });

  it('reads GA PCM without a rate as 24 kHz, and keeps a format beta cannot name', () => {
    expect(AUDIO_FORMAT.toBeta({ type: 'audio/pcm' })).toBe('pcm16');
    const other = { type: 'audio/pcm', rate: 16000 };
    expect(AUDIO_FORMAT.toBeta(other)).toBe(other);
    const extra = { type: 'audio/pcmu', rate: 8000 };
    expect(AUDIO_FORMAT.toBeta(extra)).toBe(extra);
  });

  it('leaves every other value as it is, both ways', () => {
    fc.assert(
      fc.property(anything, (value) => {
        fc.pre(!['pcm16', 'g711_ulaw', 'g711_alaw'].includes(value as string));
        expect(AUDIO_FORMAT.toGa(value)).toBe(value);
      }),
    );
    fc.assert(
      fc.property(anything, (value) => {
        const type = (value as { type?: unknown } | null)?.type;
        fc.pre(!['audio/pcm', 'audio/pcmu', 'audio/pcma'].includes(type as string));
        expect(AUDIO_FORMAT.toBeta(value)).toBe(value);
      }),
    );
  });
});

describe('MODALITIES', () => {
  it('is audio (with its transcript) when beta asks for audio, text otherwise', () => {
    expect(MODALITIES.toGa(['text', 'audio'])).toEqual(['audio']);
    expect(MODALITIES.toGa(['audio', 'text'])).toEqual(['audio']);
    expect(MODALITIES.toGa(['audio'])).toEqual(['audio']);
    expect(MODALITIES.toGa(['text'])).toEqual(['text']);
    expect(MODALITIES.toBeta(['audio'])).toEqual(['text', 'audio']);
    expect(MODALITIES.toBeta(['text'])).toEqual(['text']);
  });

  it('leaves a list it cannot read as it is, for the session to refuse', () => {
    for (const value of [[], ['video'], 'text', null, [1]])
      expect(MODALITIES.toGa(value)).toBe(value);
  });
});
