import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeServerEventBytes } from '../encode-event.ts';
import { MAX_REPEATED_LENGTH, MIN_REPEATED_LENGTH } from './repeated-string.ts';

const decoder = new TextDecoder('utf-8', { fatal: true });
const done = (text: string) =>
  ({
    type: 'response.output_text.done',
    event_id: 'event_1',
    response_id: 'resp_1',
    item_id: 'item_1',
    output_index: 0,
    content_index: 0,
    text,
  }) as const;

describe('a long string written again', () => {
  it('is written as JSON.stringify writes it, whatever came between', () => {
    const piece = fc.oneof(
      fc.string(),
      fc.string({ unit: 'binary' }),
      fc.constantFrom('"', '\\', '\n', 'é', '😀', '\ud800'),
    );
    fc.assert(
      fc.property(
        fc.array(fc.array(piece, { minLength: 1, maxLength: 8 }), { minLength: 1, maxLength: 4 }),
        fc.array(fc.nat(3), { maxLength: 8 }),
        (stems, order) => {
          // Long strings, some of equal length and different content, written in any order.
          const texts = stems.map((parts) => parts.join('').padEnd(MIN_REPEATED_LENGTH, 'x'));
          for (const index of [0, ...order]) {
            const text = texts[index % texts.length] as string;
            const frame = decoder.decode(encodeServerEventBytes(done(text)));
            expect(frame).toBe(JSON.stringify(done(text)));
          }
        },
      ),
      { numRuns: 100 },
    );
  });

  it('tells apart two strings of one length that differ only at the end', () => {
    const a = `${'a'.repeat(MIN_REPEATED_LENGTH)}1`;
    const b = `${'a'.repeat(MIN_REPEATED_LENGTH)}2`;
    for (const text of [a, a, b, a, b, b]) {
      expect(decoder.decode(encodeServerEventBytes(done(text)))).toBe(JSON.stringify(done(text)));
    }
  });

  it('keeps no string past its bound', () => {
    const long = 'y'.repeat(MAX_REPEATED_LENGTH + 1);
    for (const text of [long, long]) {
      expect(decoder.decode(encodeServerEventBytes(done(text)))).toBe(JSON.stringify(done(text)));
    }
  });
});
