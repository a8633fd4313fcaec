import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { anyNumber, anyString } from '../test/arbitraries.ts';
import { argumentsOf, type Context, twins } from '../test/builder-twins.ts';
import { referenceBase64 } from '../test/node-buffer.ts';
import type { EncoderContext } from './encoder-context.ts';
import { encoderFor } from './encoder-for.ts';

const decoder = new TextDecoder('utf-8', { fatal: true });

const anyContext: fc.Arbitrary<Context> = fc.record({
  level: fc.constant('content' as const),
  responseId: anyString,
  itemId: anyString,
  outputIndex: anyNumber,
  contentIndex: anyNumber,
});

type Method = keyof typeof twins;
type Encoder = Record<string, (...args: never[]) => string | Uint8Array>;

const levelOf: Record<Method, EncoderContext['level']> = {
  outputAudioBufferStarted: 'response',
  outputAudioBufferStopped: 'response',
  outputAudioBufferCleared: 'response',
  outputItemAdded: 'item',
  outputItemDone: 'item',
  functionCallArgumentsDelta: 'item',
  functionCallArgumentsDone: 'item',
  mcpCallArgumentsDelta: 'item',
  mcpCallArgumentsDone: 'item',
  contentPartAdded: 'content',
  contentPartDone: 'content',
  outputTextDelta: 'content',
  outputTextDone: 'content',
  outputAudioDelta: 'content',
  outputAudioDone: 'content',
  outputAudioTranscriptDelta: 'content',
  outputAudioTranscriptDone: 'content',
};

function contextAt(context: Context, level: EncoderContext['level']): EncoderContext {
  if (level === 'response') return { level, responseId: context.responseId };
  if (level === 'item') {
    const { responseId, itemId, outputIndex } = context;
    return { level, responseId, itemId, outputIndex };
  }
  return context;
}

describe('encoderFor', () => {
  for (const method of Object.keys(twins) as Method[]) {
    it(`${method} and ${method}Bytes equal JSON.stringify of the builder twin`, () => {
      fc.assert(
        fc.property(anyContext, argumentsOf[method], (context, args) => {
          const encoder = encoderFor(contextAt(context, levelOf[method])) as unknown as Encoder;
          const twin = (twins[method] as (...a: unknown[]) => object)(context, ...args);
          const expected = JSON.stringify(twin);
          const text = (encoder[method] as (...a: unknown[]) => string)(...args);
          const bytes = (encoder[`${method}Bytes`] as (...a: unknown[]) => Uint8Array)(...args);
          expect(text).toBe(expected);
          expect(decoder.decode(bytes)).toBe(expected);
        }),
        { numRuns: 150 },
      );
    });
  }

  it('exposes exactly the terminal methods of each level, each with a Bytes twin', () => {
    const response = encoderFor({ level: 'response', responseId: 'resp_1' });
    expect(Object.keys(response).sort()).toStrictEqual(
      Object.keys(twins)
        .filter((method) => levelOf[method as Method] === 'response')
        .flatMap((method) => [method, `${method}Bytes`])
        .sort(),
    );
    const content = encoderFor({
      level: 'content',
      responseId: 'r',
      itemId: 'i',
      outputIndex: 0,
      contentIndex: 0,
    });
    expect(Object.keys(content)).toContain('outputAudioDeltaFromPcm');
  });

  it('rejects a context that is not one, naming the field', () => {
    expect(() => encoderFor({ level: 'nope' } as unknown as EncoderContext)).toThrow(/level/);
    expect(() =>
      encoderFor({ level: 'response', responseId: 1 } as unknown as EncoderContext),
    ).toThrow(/responseId must be a string/);
    const encoder = encoderFor({ level: 'response', responseId: 'r' });
    expect(() => encoder.outputAudioBufferStarted(3 as unknown as string)).toThrow(
      /eventId must be a string/,
    );
  });
});

describe('outputAudioDeltaFromPcm', () => {
  const pcmLengths = fc.oneof(fc.nat(64), fc.integer({ min: 0, max: 20000 }));
  it('equals JSON.stringify of the delta event with the base64 of the PCM', () => {
    fc.assert(
      fc.property(anyContext, anyString, pcmLengths, fc.nat(), (context, eventId, length, seed) => {
        const pcm = new Uint8Array(length);
        for (let index = 0; index < length; index++) pcm[index] = (index * 7919 + seed) & 255;
        const encoder = encoderFor(context);
        const base64 = referenceBase64(pcm);
        const expected = JSON.stringify(twins.outputAudioDelta(context, eventId, base64));
        expect(decoder.decode(encoder.outputAudioDeltaFromPcm(eventId, pcm))).toBe(expected);
        // A view into a larger buffer encodes only its own bytes.
        const view = new Uint8Array(length + 10).subarray(5, 5 + length);
        view.set(pcm);
        expect(decoder.decode(encoder.outputAudioDeltaFromPcm(eventId, view))).toBe(expected);
      }),
      { numRuns: 200 },
    );
  });
});

describe('frames of encoderFor', () => {
  it('are never written again by later frames, across slabs (a socket may still hold them)', () => {
    const encoder = encoderFor({
      level: 'content',
      responseId: 'resp_1',
      itemId: 'item_1',
      outputIndex: 0,
      contentIndex: 0,
    });
    const pcm = new Uint8Array(4800).map((_, index) => index & 255);
    const audio = referenceBase64(pcm);
    const kept: Array<[Uint8Array, Uint8Array]> = [];
    for (let index = 0; index < 60; index++) {
      const frames = [
        encoder.outputTextDeltaBytes(`event_${index}`, 'x'.repeat(index % 41)),
        encoder.outputAudioDeltaBytes(`event_${index}`, audio),
        encoder.outputAudioDeltaFromPcm(`event_${index}`, pcm),
        encoder.outputAudioDoneBytes(`event_${index}`),
      ];
      for (const frame of frames) kept.push([frame, frame.slice()]);
    }
    const changed = kept.filter(([frame, copy]) => frame.some((byte, at) => byte !== copy[at]));
    expect(changed).toHaveLength(0);
    expect(new Set(kept.map(([frame]) => frame.buffer)).size).toBeGreaterThan(1);
  });
});
