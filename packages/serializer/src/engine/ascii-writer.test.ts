import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { writeCleanAscii } from './ascii-writer.ts';

function isClean(text: string): boolean {
  for (const char of text) {
    const code = char.charCodeAt(0);
    if (code < 0x20 || code >= 0x80 || code === 0x22 || code === 0x5c) return false;
  }
  return true;
}

function write(text: string, offset: number): { end: number; bytes: Uint8Array } {
  const bytes = new Uint8Array(offset + text.length + 8);
  return { end: writeCleanAscii(new DataView(bytes.buffer), bytes, offset, text), bytes };
}

const cleanAscii = fc.string({
  unit: fc.integer({ min: 0x20, max: 0x7f }).map((code) => String.fromCharCode(code)),
  maxLength: 64,
});

describe('writeCleanAscii', () => {
  it('copies a clean string byte for byte at any offset', () => {
    fc.assert(
      fc.property(cleanAscii, fc.nat(7), (raw, offset) => {
        const text = raw.replace(/["\\]/g, 'x');
        const { end, bytes } = write(text, offset);
        expect(end).toBe(offset + text.length);
        expect([...bytes.subarray(offset, end)]).toStrictEqual(
          [...text].map((char) => char.charCodeAt(0)),
        );
      }),
      { numRuns: 1000 },
    );
  });

  it('rejects every character JSON escapes or that is not ASCII, in every word lane', () => {
    // Each UTF-16 unit value once, at each position of a 4-character word and in the tail.
    for (let code = 0; code <= 0xffff; code += code < 0x400 ? 1 : 97) {
      const char = String.fromCharCode(code);
      for (const position of [0, 1, 2, 3, 4, 5, 6, 7, 8]) {
        const text = `${'a'.repeat(position)}${char}${'b'.repeat(8 - position)}`;
        expect(write(text, 1).end >= 0, `U+${code.toString(16)} at ${position}`).toBe(
          isClean(text),
        );
      }
    }
  });

  it('agrees with the definition of clean for any string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (text) => {
        expect(write(text, 0).end >= 0).toBe(isClean(text));
      }),
      { numRuns: 2000 },
    );
  });
});
