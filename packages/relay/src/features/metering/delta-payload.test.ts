import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { deltaAudioBytes, deltaPayloadSpan, deltaTextLength } from './delta-payload.ts';

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

/**
 * What `deltaPayloadSpan` answers, written plainly over the frame's code units (characters of
 * a string, bytes of bytes): the first `"delta":"`, then the first quote after it preceded by
 * an even run of backslashes (counted no further back than the payload's start).
 */
function referenceSpan(data: string | Uint8Array): readonly [number, number] | undefined {
  const units =
    typeof data === 'string'
      ? Array.from({ length: data.length }, (_, index) => data.charCodeAt(index))
      : [...data];
  const key = [...'"delta":"'].map((char) => char.charCodeAt(0));
  let start = -1;
  for (let index = 0; index + key.length <= units.length && start < 0; index++) {
    if (key.every((unit, offset) => units[index + offset] === unit)) start = index + key.length;
  }
  if (start < 0) return undefined;
  for (let end = start; end < units.length; end++) {
    if (units[end] !== 0x22) continue;
    let slashes = 0;
    while (end - 1 - slashes >= start && units[end - 1 - slashes] === 0x5c) slashes++;
    if (slashes % 2 === 0) return [start, end];
  }
  return undefined;
}

/** Node's Buffer where the tests run on Node: what the relay's upstream frames are. */
const NodeBuffer = (globalThis as { Buffer?: { from(bytes: Uint8Array): Uint8Array } }).Buffer;

/** A frame as every kind of input the span is read from: text, bytes, a Node Buffer. */
const inputs = (text: string): (string | Uint8Array)[] => {
  const bytes = encoder.encode(text);
  return NodeBuffer === undefined ? [text, bytes] : [text, bytes, NodeBuffer.from(bytes)];
};

/**
 * Text made of what the search could trip on: the key and pieces of it, quotes, backslashes
 * (escapes), the key's letters, and anything else (non-ASCII too, so bytes and text differ).
 */
const envelopeText = fc
  .array(
    fc.oneof(
      fc.constantFrom(
        '"delta":"',
        '"delta":',
        'delta":"',
        '"delt',
        '":"',
        '"',
        '\\',
        '\\"',
        '\\\\"',
        ':',
        'd',
        'a',
        'l',
        '{"type":"response.output_audio.delta",',
        '}',
      ),
      fc.string({ maxLength: 6 }),
      fc.string({ unit: 'binary', maxLength: 3 }),
    ),
    { maxLength: 40 },
  )
  .map((parts) => parts.join(''));

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

  it('finds the span a plain reading finds, in any text, escapes included (property)', () => {
    fc.assert(
      fc.property(envelopeText, (text) => {
        for (const input of inputs(text)) {
          expect(deltaPayloadSpan(input)).toEqual(referenceSpan(input));
        }
      }),
      { numRuns: 2_000 },
    );
  });

  it('finds the span a plain reading finds in JSON frames, whatever their fields (property)', () => {
    fc.assert(
      fc.property(
        fc.string(),
        fc.dictionary(fc.string({ maxLength: 8 }), fc.oneof(fc.string(), fc.integer())),
        fields,
        (delta, before, after) => {
          const text = JSON.stringify({ ...before, delta, ...after });
          for (const input of inputs(text)) {
            expect(deltaPayloadSpan(input)).toEqual(referenceSpan(input));
          }
        },
      ),
    );
  });

  it('reads the span at the ends of the frame and across strides of the search', () => {
    for (const text of [
      '"delta":"',
      '"delta":""',
      '"delta":"x"',
      'x"delta":"AAAA"',
      '""delta":"AA=="',
      '"delta"delta":"A"',
      '"delta":"delta":"A"',
      '"delt"delta":"AB\\\\"',
      '"delta":"A\\"B"',
      '{"type":"response.output_audio.delta","delta":"AAAA"}',
      '{"type":"response.output_audio.delta","delta":"AAAA',
      '{"delta" :"AAAA"}',
    ]) {
      for (const input of inputs(text))
        expect(deltaPayloadSpan(input)).toEqual(referenceSpan(input));
    }
    expect(deltaPayloadSpan('{"type":"response.output_audio.delta","delta":"AAAA"}')).toEqual([
      47, 51,
    ]);
    expect(deltaPayloadSpan(encoder.encode('x"delta":"AAAA"'))).toEqual([10, 14]);
    expect(deltaPayloadSpan(encoder.encode('"delta":"A\\"B"'))).toEqual([9, 13]);
    expect(deltaPayloadSpan(encoder.encode('"delta":"AB'))).toBeUndefined();
  });

  it('sizes audio and text as the span reads them (property)', () => {
    fc.assert(
      fc.property(envelopeText, (text) => {
        for (const input of inputs(text)) {
          const span = referenceSpan(input);
          expect(deltaTextLength(input)).toBe(span === undefined ? 0 : span[1] - span[0]);
          if (span === undefined) expect(deltaAudioBytes(input)).toBe(0);
          else expect(deltaAudioBytes(input)).toBe(referenceAudioBytes(input, span));
        }
      }),
      { numRuns: 1_000 },
    );
  });
});

/** Base64's decoded length, `=` padding taken off, as the original reading counted it. */
function referenceAudioBytes(data: string | Uint8Array, [start, end]: readonly [number, number]) {
  const unit = (index: number) =>
    typeof data === 'string' ? data.charCodeAt(index) : (data[index] as number);
  const length = end - start;
  let padding = 0;
  if (length > 0 && unit(end - 1) === 0x3d) padding++;
  if (length > 1 && unit(end - 2) === 0x3d) padding++;
  return Math.max(0, Math.floor((length * 3) / 4) - padding);
}
