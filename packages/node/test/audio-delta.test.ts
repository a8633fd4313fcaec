import { Buffer } from 'node:buffer';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type AudioDelta, readAudioDelta } from '../src/calls/audio-delta.ts';
import { asFrame, damaged, realtimeDeltaText, translationDeltaText } from './delta-frames.ts';

/** What a parse of the frame gives, as CallSocket read a delta before it read one without. */
function parsedDelta(frame: string | Uint8Array): AudioDelta | undefined {
  let event: Record<string, unknown>;
  try {
    event = JSON.parse(typeof frame === 'string' ? frame : Buffer.from(frame).toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof event !== 'object' || event === null || typeof event.delta !== 'string') {
    return undefined;
  }
  const { response_id, item_id, content_index, delta } = event;
  return {
    responseId: typeof response_id === 'string' ? response_id : undefined,
    itemId: typeof item_id === 'string' ? item_id : undefined,
    contentIndex: typeof content_index === 'number' ? content_index : undefined,
    delta,
  };
}

/** A raw control character: JSON refuses one in a string, a read without a parse does not look. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it finds
const CONTROL = /[\x00-\x1f]/;

const deltaFrames = fc.oneof(realtimeDeltaText, translationDeltaText).chain(asFrame);

describe('readAudioDelta: an audio delta read without a parse', () => {
  it('reads what a parse of the frame reads, from any frame an upstream may write (property)', () => {
    fc.assert(
      fc.property(deltaFrames, (frame) => {
        expect(readAudioDelta(frame)).toEqual(parsedDelta(frame));
      }),
      { numRuns: 2_000 },
    );
  });

  it('never throws on a damaged frame, and reads what the parse reads but for a raw control character in the payload (property)', () => {
    const damagedFrames = fc
      .oneof(realtimeDeltaText, translationDeltaText)
      .chain(damaged)
      .chain(asFrame);
    fc.assert(
      fc.property(damagedFrames, (frame) => {
        const read = readAudioDelta(frame);
        const parsed = parsedDelta(frame);
        if (parsed !== undefined || read === undefined) expect(read).toEqual(parsed);
        else expect(read.delta).toMatch(CONTROL);
      }),
      { numRuns: 2_000 },
    );
  });

  it('takes the top-level delta, the last of its name, as the parse does', () => {
    const frames = {
      '{"item":{"delta":"QUJD"},"delta":"REVG"}': 'REVG',
      '{"note":"x\\"delta\\":\\"QUJD","delta":"REVG"}': 'REVG',
      '{"x\\"delta":"QUJD","delta":"REVG"}': 'REVG',
      '{"delta":"QUJD","delta":"REVG"}': 'REVG',
      '{"delta" : "QUJD","delta":"REVG"}': 'REVG',
      '{"delta":"QUJD","list":["delta"],"delta" :"REVG"}': 'REVG',
      '{"delta":"QU\\/D"}': 'QU/D',
      '{"delta":"Q\\u0055JD"}': 'QUJD',
    };
    for (const [text, delta] of Object.entries(frames)) {
      for (const frame of [text, new TextEncoder().encode(text)]) {
        expect(readAudioDelta(frame)?.delta).toBe(delta);
      }
    }
  });

  it('reads a member written after the payload, the last of its name winning', () => {
    const frame =
      '{"response_id":"resp_1","delta":"QUJD","response_id":"resp_2","item_id":"item_1","content_index":2}';
    expect(readAudioDelta(frame)).toEqual({
      responseId: 'resp_2',
      itemId: 'item_1',
      contentIndex: 2,
      delta: 'QUJD',
    });
  });

  it('answers nothing for a frame without a string delta, or no JSON at all', () => {
    for (const text of [
      '{"type":"response.output_audio.delta"}',
      '{"delta":null}',
      '{"delta":"QUJD"',
      '{"delta":"QUJD"} trailing',
      '["delta","QUJD"]',
      '',
      '"delta":"QUJD"',
    ]) {
      expect(readAudioDelta(text)).toBeUndefined();
      expect(readAudioDelta(new TextEncoder().encode(text))).toBeUndefined();
    }
  });
});
