import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { anyNumber, anyString } from '../test/arbitraries.ts';
import { argumentsOf, type Context, levelOf, twins } from '../test/builder-twins.ts';
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

  it('exposes exactly the terminal methods of each level, each with a Bytes and an Into twin', () => {
    const response = encoderFor({ level: 'response', responseId: 'resp_1' });
    expect(Object.keys(response).sort()).toStrictEqual(
      Object.keys(twins)
        .filter((method) => levelOf[method as Method] === 'response')
        .flatMap((method) => [method, `${method}Bytes`, `${method}Into`])
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
    expect(Object.keys(content)).toContain('outputAudioDeltaFromPcmInto');
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
  // Up to past the SIMD staging area (48,960 bytes), where Buffer takes over.
  const pcmLengths = fc.oneof(fc.nat(64), fc.integer({ min: 0, max: 60_000 }));
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

describe('Into twins', () => {
  for (const method of Object.keys(twins) as Method[]) {
    it(`${method}Into writes the bytes of ${method}Bytes at the offset and returns their length`, () => {
      fc.assert(
        fc.property(anyContext, argumentsOf[method], fc.nat(40), (context, args, offset) => {
          const encoder = encoderFor(contextAt(context, levelOf[method])) as unknown as Encoder;
          const bytes = encoder[`${method}Bytes`] as (...a: unknown[]) => Uint8Array;
          const into = encoder[`${method}Into`] as unknown as (...a: unknown[]) => number;
          // Optional arguments become positional ones before the target.
          const padded = [...args, ...Array(bytes.length - args.length).fill(undefined)];
          const expected = bytes(...padded).slice();
          const target = new Uint8Array(offset + expected.length + 8).fill(0xee);
          const length = into(...padded, target, offset);
          expect(length).toBe(expected.length);
          expect(target.subarray(offset, offset + length)).toStrictEqual(expected);
          // Nothing outside the frame is touched.
          expect(target.subarray(0, offset).every((byte) => byte === 0xee)).toBe(true);
          expect(target.subarray(offset + length).every((byte) => byte === 0xee)).toBe(true);
          // The offset defaults to 0.
          const start = new Uint8Array(expected.length);
          expect(into(...padded, start)).toBe(expected.length);
          expect(start).toStrictEqual(expected);
        }),
        { numRuns: 50 },
      );
    });
  }

  const content = () =>
    encoderFor({
      level: 'content',
      responseId: 'resp_1',
      itemId: 'item_1',
      outputIndex: 0,
      contentIndex: 0,
    });

  it('outputAudioDeltaFromPcmInto writes what outputAudioDeltaFromPcm returns', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 9000, size: 'max' }), fc.nat(16), (pcm, offset) => {
        const encoder = content();
        const expected = encoder.outputAudioDeltaFromPcm('event_1', pcm).slice();
        const target = new Uint8Array(offset + expected.length);
        expect(encoder.outputAudioDeltaFromPcmInto('event_1', pcm, target, offset)).toBe(
          expected.length,
        );
        expect(target.subarray(offset)).toStrictEqual(expected);
      }),
      { numRuns: 50 },
    );
  });

  it('rejects a target without room or an odd offset with the sizes, never the payload', () => {
    const encoder = content();
    const secret = 'sk-secret-transcript';
    const needed = encoder.outputTextDeltaBytes('event_1', secret).length;
    for (const [target, offset] of [
      [new Uint8Array(needed - 1), 0],
      [new Uint8Array(needed + 4), 5],
      [new Uint8Array(needed), -1],
      [new Uint8Array(needed), 0.5],
    ] as const) {
      let error: unknown;
      try {
        encoder.outputTextDeltaInto('event_1', secret, target, offset);
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(RangeError);
      expect((error as Error).message).toMatch(/bytes free at offset .*; the frame needs \d+/);
      expect((error as Error).message).not.toContain(secret);
    }
    expect(() =>
      encoder.outputTextDeltaInto('event_1', 'x', [] as unknown as Uint8Array, 0),
    ).toThrow(new TypeError('encoderFor: target must be a Uint8Array'));
  });

  it('take nothing from the output slab: the next frame goes where it would have gone', () => {
    const encoder = content();
    const scratch = new Uint8Array(1024);
    const first = encoder.outputTextDeltaBytes('event_1', 'Hel');
    for (let index = 0; index < 5; index++) {
      encoder.outputTextDeltaInto(`event_${index}`, 'lo, world', scratch, index);
    }
    const next = encoder.outputTextDeltaBytes('event_2', 'lo');
    if (next.buffer === first.buffer) {
      expect(next.byteOffset).toBe((first.byteOffset + first.length + 7) & ~7);
    } else {
      // The slab was full: a fresh one, used from its start.
      expect(next.byteOffset).toBe(0);
    }
  });

  it('never writes over a frame a Bytes method returned, however the twins interleave', () => {
    const encoder = content();
    const pcm = new Uint8Array(4800).map((_, index) => (index * 31) & 255);
    const audio = referenceBase64(pcm);
    const scratch = new Uint8Array(16 * 1024);
    const kept: Array<[Uint8Array, Uint8Array]> = [];
    for (let index = 0; index < 80; index++) {
      const frame =
        index % 2 === 0
          ? encoder.outputAudioDeltaBytes(`event_${index}`, audio)
          : encoder.outputTextDeltaBytes(`event_${index}`, 'y'.repeat(index));
      kept.push([frame, frame.slice()]);
      encoder.outputAudioDeltaFromPcmInto(`event_${index}`, pcm, scratch, 0);
      encoder.outputTextDeltaInto(`event_${index}`, 'z'.repeat(index % 7), scratch, 0);
      // A failed Into gives its region back too.
      expect(() => encoder.outputAudioDeltaInto('event', audio, scratch, scratch.length)).toThrow(
        RangeError,
      );
    }
    const changed = kept.filter(([frame, copy]) => frame.some((byte, at) => byte !== copy[at]));
    expect(changed).toHaveLength(0);
  });
});
