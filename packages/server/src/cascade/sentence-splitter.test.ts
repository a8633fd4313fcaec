import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SentenceSplitter } from './sentence-splitter.ts';

/** Every piece the splitter gives for `chunks`, the rest included. */
function split(chunks: readonly string[], options = {}): string[] {
  const splitter = new SentenceSplitter(options);
  const pieces = chunks.flatMap((chunk) => splitter.push(chunk));
  const rest = splitter.flush();
  return rest === undefined ? pieces : [...pieces, rest];
}

describe('SentenceSplitter', () => {
  it('cuts after a full stop once the next word starts, keeping the spaces with the sentence', () => {
    const splitter = new SentenceSplitter();
    expect(splitter.push('Hello there.')).toEqual([]);
    expect(splitter.push(' ')).toEqual([]);
    expect(splitter.push('How')).toEqual(['Hello there. ']);
    expect(splitter.push(' are you? Fine')).toEqual(['How are you? ']);
    expect(splitter.flush()).toBe('Fine');
    expect(splitter.flush()).toBeUndefined();
  });

  it('does not cut after abbreviations, initials, decimals or a short opening', () => {
    expect(split(['I met Dr. Smith and J. Doe at 3.5 km, e.g. there. Then left.'])).toEqual([
      'I met Dr. Smith and J. Doe at 3.5 km, e.g. there. ',
      'Then left.',
    ]);
    expect(split(['Ok. Sure. That works for me.'])).toEqual(['Ok. Sure. That works for me.']);
  });

  it('keeps closing quotes and repeated marks with their sentence, and cuts at line breaks', () => {
    expect(split(['He said "stop it!" Then?! Nothing at all.\nNext line'])).toEqual([
      'He said "stop it!" ',
      'Then?! Nothing at all.\n',
      'Next line',
    ]);
    expect(split(['你好，今天天气很好。我们去公园吧！好的'], { minChars: 3 })).toEqual([
      '你好，今天天气很好。我们去公园吧！好的',
    ]);
  });

  it('cuts a run-on piece at its last space before maxChars', () => {
    const pieces = split([`${'word '.repeat(30)}end`], { maxChars: 40 });
    for (const piece of pieces) expect(piece.length).toBeLessThanOrEqual(40);
    expect(pieces[0]).toBe('word '.repeat(8));
  });

  it('gives the same pieces however the text is chunked, and they join to the text', () => {
    const sentence = fc
      .array(
        fc.constantFrom(
          'a',
          'b',
          'Dr',
          'e.g',
          ' ',
          ' ',
          '.',
          '!',
          '?',
          '"',
          ')',
          '\n',
          '3.5',
          'word',
          'x',
        ),
        { maxLength: 80 },
      )
      .map((parts) => parts.join(''));
    fc.assert(
      fc.property(
        sentence,
        fc.array(fc.nat(), { maxLength: 10 }),
        fc.integer({ min: 20, max: 60 }),
        (text, cuts, maxChars) => {
          const points = [...new Set(cuts.map((cut) => cut % (text.length + 1)))].sort(
            (a, b) => a - b,
          );
          const chunks = [0, ...points, text.length]
            .slice(1)
            .map((end, i, ends) => text.slice(i === 0 ? 0 : ends[i - 1], end));
          const whole = split([text], { maxChars });
          expect(split(chunks, { maxChars })).toEqual(whole);
          expect(whole.join('')).toBe(text);
          for (const piece of whole) expect(piece.length).toBeLessThanOrEqual(maxChars + 1);
        },
      ),
      { numRuns: 500 },
    );
  });
});
