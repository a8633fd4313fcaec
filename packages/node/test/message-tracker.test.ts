import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { maskedFrame, Opcode } from '../../../test-support/raw-socket.ts';
import { createMessageTracker } from '../src/message-tracker.ts';

/** One message as frames: split into fragments, with control frames between them. */
const messageArbitrary = fc.record({
  payload: fc.uint8Array({ maxLength: 20_000, size: 'max' }),
  fragments: fc.integer({ min: 1, max: 4 }),
  pings: fc.boolean(),
});

function framesOf(message: { payload: Uint8Array; fragments: number; pings: boolean }): Buffer[] {
  const { payload, fragments, pings } = message;
  const step = Math.ceil(payload.length / fragments) || 1;
  const frames: Buffer[] = [];
  for (let index = 0, start = 0; index < fragments; index++, start += step) {
    const last = index === fragments - 1;
    const part = payload.subarray(start, last ? payload.length : start + step);
    frames.push(maskedFrame(index === 0 ? Opcode.text : Opcode.continuation, part, last));
    if (pings && !last) frames.push(maskedFrame(Opcode.ping, 'hi'));
  }
  return frames;
}

describe('createMessageTracker', () => {
  it('is between messages exactly at message boundaries, however the bytes are cut', () => {
    fc.assert(
      fc.property(
        fc.array(messageArbitrary, { minLength: 1, maxLength: 5 }),
        fc.array(fc.integer({ min: 1, max: 9000 }), { minLength: 1, maxLength: 50 }),
        fc.nat(),
        (messages, cuts, keep) => {
          const tracker = createMessageTracker();
          const encoded = messages.map((message) => Buffer.concat(framesOf(message)));
          const stream = Buffer.concat(encoded);
          // Stop somewhere inside the stream, or at its end.
          const end = keep % (stream.length + 1);
          let offset = 0;
          let cut = 0;
          let ended = 0;
          while (offset < end) {
            const size = Math.min(cuts[cut++ % cuts.length] as number, end - offset);
            if (tracker.feed(stream.subarray(offset, offset + size))) ended++;
            offset += size;
          }
          // Where the whole messages end in the stream, and how far into the next one `end` is.
          let boundary = 0;
          let complete = 0;
          let into = 0;
          for (const { length } of encoded) {
            if (boundary + length <= end) {
              boundary += length;
              complete++;
            } else {
              into = end - boundary;
              break;
            }
          }
          expect(tracker.inMessage).toBe(into > 0);
          expect(ended).toBeLessThanOrEqual(complete);
          if (complete > 0) expect(ended).toBeGreaterThan(0);
          if (into === 0) expect(tracker.messageBytes).toBe(0);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('counts the payload bytes of the message that has begun', () => {
    const tracker = createMessageTracker();
    tracker.feed(maskedFrame(Opcode.text, 'x'.repeat(1000), false));
    expect(tracker.inMessage).toBe(true);
    expect(tracker.messageBytes).toBe(1000);
    tracker.feed(maskedFrame(Opcode.ping, 'ping'));
    expect(tracker.messageBytes).toBe(1000);
    const last = maskedFrame(Opcode.continuation, 'y'.repeat(70_000), true);
    tracker.feed(last.subarray(0, 100));
    expect(tracker.messageBytes).toBe(1000 + 100 - 14);
    expect(tracker.feed(last.subarray(100))).toBe(true);
    expect(tracker.inMessage).toBe(false);
    expect(tracker.messageBytes).toBe(0);
  });
});
