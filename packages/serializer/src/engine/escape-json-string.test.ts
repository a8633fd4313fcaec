import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { anyString } from '../../test/arbitraries.ts';
import { quoteJsonString } from './escape-json-string.ts';
import { maxJsonStringBytes, writeJsonString } from './utf8-writer.ts';

const decoder = new TextDecoder('utf-8', { fatal: true });

function bytesOf(text: string): string {
  const target = new Uint8Array(maxJsonStringBytes(text.length) + 8);
  const end = writeJsonString(target, 3, text);
  return decoder.decode(target.subarray(3, end));
}

describe('quoteJsonString', () => {
  it('is JSON.stringify of any string', () => {
    fc.assert(
      fc.property(anyString, (text) => quoteJsonString(text) === JSON.stringify(text)),
      {
        numRuns: 2000,
      },
    );
  });

  it('escapes lone surrogates and controls, leaves U+2028 raw', () => {
    expect(quoteJsonString('a\ud800b\udc00\u001f\u2028')).toBe('"a\\ud800b\\udc00\\u001f\u2028"');
    expect(quoteJsonString('\ud83d\ude00')).toBe('"\ud83d\ude00"');
  });
});

describe('writeJsonString', () => {
  it('writes the UTF-8 of JSON.stringify of any string', () => {
    fc.assert(
      fc.property(anyString, (text) => bytesOf(text) === JSON.stringify(text)),
      {
        numRuns: 2000,
      },
    );
  });

  it('never turns a lone surrogate into U+FFFD, even in a long ASCII string', () => {
    const text = `${'A'.repeat(300)}\udc00${'B'.repeat(300)}`;
    expect(bytesOf(text)).toBe(JSON.stringify(text));
  });

  it('does not let a character above U+00FF pass as its low byte', () => {
    // U+0122 has low byte 0x22 (a quote) and U+0141 has 0x41 ("A"): latin1 would lie.
    for (const char of ['\u0122', '\u0141', '\u015c']) {
      const text = `${'QUJD'.repeat(100)}${char}`;
      expect(bytesOf(text)).toBe(JSON.stringify(text));
      expect(quoteJsonString(text)).toBe(JSON.stringify(text));
    }
  });

  it('stays within maxJsonStringBytes', () => {
    fc.assert(
      fc.property(anyString, (text) => {
        const target = new Uint8Array(maxJsonStringBytes(text.length));
        return writeJsonString(target, 0, text) <= target.length;
      }),
    );
  });
});
