import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { peekResponsePlace } from './peek-fields.ts';

const encoder = new TextEncoder();

describe('peekResponsePlace', () => {
  it('reads response_id and output_index from text and bytes', () => {
    const frame =
      '{"type":"response.output_audio.delta","event_id":"e1","response_id":"resp_1","item_id":"item_1","output_index":12,"content_index":0,"delta":"AAAA"}';
    expect(peekResponsePlace(frame)).toEqual({ responseId: 'resp_1', outputIndex: 12 });
    expect(peekResponsePlace(encoder.encode(frame))).toEqual({
      responseId: 'resp_1',
      outputIndex: 12,
    });
  });

  it('ignores the same keys nested deeper, and gives up on what it cannot read plainly', () => {
    expect(
      peekResponsePlace('{"type":"x","item":{"response_id":"resp_9","output_index":1}}'),
    ).toBeUndefined();
    expect(peekResponsePlace('{"response_id":"re\\"sp","output_index":1}')).toBeUndefined();
    expect(peekResponsePlace('{"response_id":"resp_1","output_index":1.5}')).toBeUndefined();
    expect(peekResponsePlace('{"response_id":"resp_1","output_index":-1}')).toBeUndefined();
    expect(peekResponsePlace('{"response_id":"resp_1"}')).toBeUndefined();
  });

  it('agrees with JSON.parse on every frame it reads (property)', () => {
    const place = fc.record({
      response_id: fc.string({ maxLength: 40 }),
      output_index: fc.oneof(fc.nat(2 ** 31), fc.double(), fc.constant(-3)),
      delta: fc.string({ maxLength: 200 }),
      item: fc.dictionary(fc.constantFrom('response_id', 'output_index', 'x'), fc.jsonValue()),
    });
    fc.assert(
      fc.property(
        place,
        fc.shuffledSubarray(['response_id', 'output_index', 'delta', 'item']),
        (value, order) => {
          const event: Record<string, unknown> = { type: 'response.output_text.delta' };
          for (const key of order) event[key] = value[key as keyof typeof value];
          const frame = JSON.stringify(event);
          const peeked = peekResponsePlace(frame);
          if (peeked === undefined) return;
          // What the wire says, not the object it came from: -0 is written as 0.
          const parsed = JSON.parse(frame) as Record<string, unknown>;
          expect(peeked).toStrictEqual({
            responseId: parsed.response_id,
            outputIndex: parsed.output_index,
          });
        },
      ),
    );
  });
});
