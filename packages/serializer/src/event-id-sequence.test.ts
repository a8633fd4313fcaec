import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { anyString } from '../test/arbitraries.ts';
import { argumentsOf, levelOf, twins } from '../test/builder-twins.ts';
import type { EncoderContext } from './encoder-context.ts';
import { encoderFor } from './encoder-for.ts';
import { EventIdSequence } from './event-id-sequence.ts';

const decoder = new TextDecoder('utf-8', { fatal: true });
type Method = keyof typeof twins;
type Encoder = Record<string, (...args: unknown[]) => string | Uint8Array | number>;

const contexts: Record<EncoderContext['level'], EncoderContext> = {
  response: { level: 'response', responseId: 'resp_1' },
  item: { level: 'item', responseId: 'resp_1', itemId: 'item_1', outputIndex: 2 },
  content: {
    level: 'content',
    responseId: 'resp_1',
    itemId: 'item_1',
    outputIndex: 2,
    contentIndex: 0,
  },
};

/** A sequence of `prefix` whose next id is `prefix + taken`. */
function sequenceAt(prefix: string, taken: number): EventIdSequence {
  const sequence = new EventIdSequence(prefix);
  for (let index = 0; index < taken; index++) sequence.next();
  return sequence;
}

describe('EventIdSequence', () => {
  it('counts in decimal after its prefix, across every change of digit count', () => {
    const sequence = new EventIdSequence('event_');
    const ids: string[] = [];
    for (let index = 0; index <= 100_001; index++) ids.push(sequence.next());
    expect(ids.slice(8, 12)).toStrictEqual(['event_8', 'event_9', 'event_10', 'event_11']);
    expect(ids.every((id, index) => id === `event_${index}`)).toBe(true);
    expect(sequence.peek()).toBe('event_100002');
  });

  for (const method of Object.keys(twins) as Method[]) {
    it(`gives ${method} (text, bytes and Into) the frame of its next id, and takes it`, () => {
      fc.assert(
        fc.property(
          anyString,
          fc.oneof(fc.nat(12), fc.integer({ min: 95, max: 1_005 })),
          argumentsOf[method],
          (prefix, taken, args) => {
            const encoder = encoderFor(contexts[levelOf[method]]) as unknown as Encoder;
            const rest = args.slice(1);
            const sequence = sequenceAt(prefix, taken);
            for (const [form, read] of [
              [method, (frame: unknown) => frame as string],
              [`${method}Bytes`, (frame: unknown) => decoder.decode(frame as Uint8Array)],
            ] as const) {
              const id = sequence.peek();
              const expected = (encoder[`${method}Bytes`] as Encoder[string])(id, ...rest);
              const frame = read((encoder[form] as Encoder[string])(sequence, ...rest));
              expect(frame).toBe(decoder.decode(expected as Uint8Array));
              expect(sequence.peek()).not.toBe(id);
            }
            const id = sequence.peek();
            const expected = decoder.decode(
              (encoder[`${method}Bytes`] as Encoder[string])(id, ...rest) as Uint8Array,
            );
            const target = new Uint8Array(expected.length * 4 + 64);
            // Optional arguments become positional ones before the target.
            const bytes = encoder[`${method}Bytes`] as Encoder[string];
            const padded = [...rest, ...Array(bytes.length - 1 - rest.length).fill(undefined)];
            const length = (encoder[`${method}Into`] as Encoder[string])(
              sequence,
              ...padded,
              target,
              3,
            ) as number;
            expect(decoder.decode(target.subarray(3, 3 + length))).toBe(expected);
            expect(sequence.peek()).toBe(prefix + (taken + 3));
          },
        ),
        { numRuns: 60 },
      );
    });
  }

  it('shares one counter between next() and the frames, so ids never repeat', () => {
    const sequence = new EventIdSequence('event_x');
    const content = encoderFor(contexts.content as Extract<EncoderContext, { level: 'content' }>);
    const ids = new Set<string>();
    for (let index = 0; index < 300; index++) {
      const frame =
        index % 3 === 0
          ? decoder.decode(content.outputAudioDeltaFromPcm(sequence, new Uint8Array(4)))
          : index % 3 === 1
            ? content.outputTextDelta(sequence, 'Hi')
            : JSON.stringify({ event_id: sequence.next() });
      ids.add((JSON.parse(frame) as { event_id: string }).event_id);
    }
    expect(ids.size).toBe(300);
  });

  it('refuses a prefix that is not a string, and an encoder refuses an id that is neither', () => {
    expect(() => new EventIdSequence(7 as unknown as string)).toThrow(
      new TypeError('EventIdSequence: prefix must be a string'),
    );
    const encoder = encoderFor(contexts.response as Extract<EncoderContext, { level: 'response' }>);
    for (const id of [3, { next: () => 'x' }, null]) {
      expect(() => encoder.outputAudioBufferStartedBytes(id as unknown as string)).toThrow(
        new TypeError('encoderFor: eventId must be a string or an EventIdSequence'),
      );
      expect(() => encoder.outputAudioBufferStarted(id as unknown as string)).toThrow(
        /eventId must be a string or an EventIdSequence/,
      );
    }
  });
});
