import fc from 'fast-check';
import { expect, it } from 'vitest';
import { frameSize } from './frame-size.ts';

it('equals the UTF-8 length of any string and the length of bytes', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'binary' }), (text) => {
      expect(frameSize(text)).toBe(new TextEncoder().encode(text).byteLength);
    }),
  );
  expect(frameSize(new Uint8Array(7))).toBe(7);
});
