/** Options of {@link SentenceSplitter}. */
export interface SentenceSplitterOptions {
  /** A piece shorter than this is not cut at a full stop (default 12), so "Dr." stays put. */
  readonly minChars?: number;
  /** A piece longer than this is cut at its last space even without a full stop (default 300). */
  readonly maxChars?: number;
}

/** Words whose full stop ends no sentence. */
const ABBREVIATIONS = new Set([
  'mr',
  'mrs',
  'ms',
  'dr',
  'prof',
  'sr',
  'jr',
  'st',
  'vs',
  'etc',
  'e.g',
  'i.e',
  'no',
  'approx',
  'inc',
  'ltd',
  'fig',
]);

const TERMINATORS = /[.!?…。！？]/;
const CLOSERS = /["'”’)\]»]/;
const SPACE = /\s/;

/**
 * Cuts streamed text into sentences for speech: each is said as soon as it is whole, while
 * the model goes on writing. A sentence ends at `.`, `!`, `?` (and their CJK forms) with what
 * closes it (quotes, brackets) when the next character is a space, or at a line break; not
 * after an abbreviation or an initial, and not before `minChars`. A piece that runs past
 * `maxChars` is cut at its last space. The pieces, joined, are exactly the text pushed.
 *
 * @example
 * ```ts
 * const splitter = new SentenceSplitter();
 * splitter.push('Hello there. How are');        // ['Hello there. ']
 * splitter.push(' you?');                        // []
 * splitter.flush();                              // 'How are you?'
 * ```
 */
export class SentenceSplitter {
  readonly #minChars: number;
  readonly #maxChars: number;
  #pending = '';

  constructor(options: SentenceSplitterOptions = {}) {
    this.#minChars = options.minChars ?? 12;
    this.#maxChars = Math.max(options.maxChars ?? 300, this.#minChars + 1);
  }

  /** Adds text; returns the sentences it completed, oldest first. */
  push(text: string): string[] {
    this.#pending += text;
    const sentences: string[] = [];
    for (;;) {
      const end = this.#boundary();
      if (end === undefined) break;
      sentences.push(this.#pending.slice(0, end));
      this.#pending = this.#pending.slice(end);
    }
    return sentences;
  }

  /** What is left when the text ends; `undefined` when nothing is. */
  flush(): string | undefined {
    const rest = this.#pending;
    this.#pending = '';
    return rest === '' ? undefined : rest;
  }

  /**
   * The end of the first whole sentence in the pending text (after the spaces that follow
   * it, so the next starts with a word), or `undefined` while it may still go on. A piece is
   * at most `maxChars` long, so this scan is bounded however the text arrives.
   */
  #boundary(): number | undefined {
    const text = this.#pending;
    // Only the first `maxChars` may hold the end: however the text arrives, no piece is longer.
    const limit = Math.min(text.length, this.#maxChars);
    for (let i = 0; i < limit; i++) {
      const char = text[i] as string;
      if (char === '\n') {
        if (text.slice(0, i).trim() !== '') return spacesAfter(text, i);
        continue;
      }
      if (!TERMINATORS.test(char)) continue;
      let end = i + 1;
      while (
        end < text.length &&
        (TERMINATORS.test(text[end] as string) || CLOSERS.test(text[end] as string))
      ) {
        end++;
      }
      // Whether it ends a sentence depends on the character after it: wait for that.
      if (end >= text.length) break;
      if (!SPACE.test(text[end] as string)) {
        i = end - 1;
        continue;
      }
      if (end < this.#minChars || (char === '.' && endsInAbbreviation(text, i))) {
        i = end - 1;
        continue;
      }
      return spacesAfter(text, end - 1);
    }
    if (text.length <= this.#maxChars) return undefined;
    const space = text.lastIndexOf(' ', this.#maxChars);
    return space > 0 ? (spacesAfter(text, space) ?? text.length) : this.#maxChars;
  }
}

/** The index after `index` and the spaces that follow it; `undefined` if they reach the end. */
function spacesAfter(text: string, index: number): number | undefined {
  let end = index + 1;
  while (end < text.length && SPACE.test(text[end] as string)) end++;
  return end >= text.length ? undefined : end;
}

/** Whether the word ending at the full stop at `index` is an abbreviation or an initial. */
function endsInAbbreviation(text: string, index: number): boolean {
  let start = index;
  while (start > 0 && !SPACE.test(text[start - 1] as string)) start--;
  const word = text
    .slice(start, index)
    .toLowerCase()
    .replace(/^[("'“‘]+/, '');
  if (word.length === 1 && /[a-z]/.test(word)) return true;
  return ABBREVIATIONS.has(word);
}
