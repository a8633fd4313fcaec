import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { deltaAudioBytes, deltaTextLength } from './delta-payload.ts';

const encoder = new TextEncoder();

/** Base64 of `bytes` with what every runtime has (no `Buffer` on Workers). */
const base64 = (bytes: Uint8Array) =>
  btoa(Array.from(bytes, (byte) => String.fromCharCode(byte)).join(''));

/** A delta frame with `delta` among other fields, in any order, as text and as bytes. */
const frames = (delta: string, before: Record<string, unknown>, after: Record<string, unknown>) => {
  const text = JSON.stringify({
    type: 'response.output_audio.delta',
    ...before,
    delta,
    ...after,
  });
  return [text, encoder.encode(text)] as const;
};

const fields = fc.dictionary(
  fc.constantFrom('event_id', 'response_id', 'item_id', 'note', 'output_index'),
  fc.oneof(fc.string(), fc.integer()),
);

describe('reading a delta’s payload size without parsing the frame', () => {
  it('counts the audio bytes a base64 delta carries, wherever the field is (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3_000 }), fields, fields, (audio, before, after) => {
        const delta = base64(audio);
        for (const frame of frames(delta, before, after)) {
          expect(deltaAudioBytes(frame)).toBe(audio.byteLength);
        }
      }),
    );
  });

  it('measures a text delta as it came, escapes included (property)', () => {
    fc.assert(
      fc.property(fc.string(), fields, fields, (text, before, after) => {
        const escaped = JSON.stringify(text).length - 2;
        const [asText] = frames(text, before, after);
        expect(deltaTextLength(asText)).toBe(escaped);
      }),
    );
  });

  it('finds nothing in a frame without a delta string', () => {
    expect(deltaAudioBytes('{"type":"response.output_audio.delta"}')).toBe(0);
    expect(deltaAudioBytes(encoder.encode('{"type":"x","delta":5}'))).toBe(0);
    expect(deltaTextLength('{"type":"response.output_text.delta","delta":"unterminated')).toBe(0);
  });
});
