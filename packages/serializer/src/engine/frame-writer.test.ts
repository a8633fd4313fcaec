import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { anyString } from '../../test/arbitraries.ts';
import { EventIdSequence } from '../event-id-sequence.ts';
import { quoteJsonString } from './escape-json-string.ts';
import { fragment, frameBytes, StringFrameWriter } from './frame-writer.ts';

const decoder = new TextDecoder('utf-8', { fatal: true });

/** A sequence of `prefix` whose next id is `prefix + taken`. */
function sequenceAt(prefix: string, taken: number): EventIdSequence {
  const sequence = new EventIdSequence(prefix);
  for (let index = 0; index < taken; index++) sequence.next();
  return sequence;
}

/** Which id a frame gets: one of two sequences, or a string. */
const idKind = fc.constantFrom('first', 'second', 'string');

describe('StringFrameWriter', () => {
  it('writes the bytes frameBytes writes, whichever ids come in whatever order', () => {
    fc.assert(
      fc.property(
        anyString,
        anyString,
        fc.constantFrom(0, 7, 95, 996, 9_990),
        // Runs of one kind of id, long enough to pass the rejoin threshold.
        fc.array(fc.tuple(idKind, fc.nat(80), fc.oneof(anyString, fc.constant(''))), {
          minLength: 1,
          maxLength: 6,
        }),
        (itemId, prefix, taken, runs) => {
          const head = fragment('{"type":"response.output_text.delta","event_id":');
          const middle = fragment(`,"item_id":${quoteJsonString(itemId)},"delta":`);
          const writer = new StringFrameWriter(head, middle);
          // Each sequence has a twin in the same state, for the general path.
          const fast = { first: sequenceAt(prefix, taken), second: sequenceAt('ev_', taken * 3) };
          const slow = { first: sequenceAt(prefix, taken), second: sequenceAt('ev_', taken * 3) };
          const frames: Uint8Array[] = [];
          const expected: string[] = [];
          for (const [kind, count, value] of runs) {
            for (let index = 0; index <= count; index++) {
              const id = kind === 'string' ? `event_${index}` : fast[kind];
              const twin = kind === 'string' ? `event_${index}` : slow[kind];
              frames.push(writer.bytes(id, value));
              expected.push(decoder.decode(frameBytes(head, twin, middle, value)));
            }
          }
          // Decoded only now: a frame is never written again once returned.
          expect(frames.map((frame) => decoder.decode(frame))).toStrictEqual(expected);
          expect(fast.first.peek()).toBe(slow.first.peek());
          expect(fast.second.peek()).toBe(slow.second.peek());
        },
      ),
      { numRuns: 150 },
    );
  });

  it('refuses what frameBytes refuses, with the same errors', () => {
    const head = fragment('{"type":"t","event_id":');
    const middle = fragment(',"delta":');
    const writer = new StringFrameWriter(head, middle);
    const sequence = new EventIdSequence('event_');
    writer.bytes(sequence, 'joined');
    for (const [id, value] of [
      [sequence, 7],
      [3, 'text'],
      [null, 'text'],
    ] as const) {
      const call = (write: () => unknown) => {
        try {
          write();
        } catch (error) {
          return error;
        }
        return undefined;
      };
      const general = call(() => frameBytes(head, id as never, middle, value as never));
      expect(general).toBeInstanceOf(TypeError);
      expect(call(() => writer.bytes(id as never, value as never))).toStrictEqual(general);
    }
  });
});
