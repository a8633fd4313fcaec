/** Where a text stops being JSON, and what was expected there; never a piece of the text. */
export interface JsonSyntaxError {
  /** 1-based line. */
  readonly line: number;
  /** 1-based column, in UTF-16 code units from the start of the line. */
  readonly column: number;
  /** What the grammar expected there, in words (`a value`, `"," or "}"`, …). */
  readonly expected: string;
}

type Container = '{' | '[';

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const LITERAL = /true|false|null/y;
const ESCAPE = /\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4})/y;

/**
 * Finds the first place `text` is not JSON (RFC 8259) and says what was expected there, by
 * line and column. `JSON.parse` names neither on every runtime, and its message quotes the
 * text around the error, which in a configuration file may be a secret. Iterative: a text
 * nested a million levels deep is scanned without recursion. `undefined` when the text is JSON.
 *
 * @example
 * ```ts
 * findJsonSyntaxError('{"voices": ["marin",}');
 * // { line: 1, column: 21, expected: 'a value' }
 * ```
 */
export function findJsonSyntaxError(text: string): JsonSyntaxError | undefined {
  const stack: Container[] = [];
  let at = 0;
  const skipSpace = () => {
    while (at < text.length) {
      const code = text.charCodeAt(at);
      if (code !== 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d) break;
      at++;
    }
  };
  const fail = (expected: string) => positionOf(text, at, expected);

  // Each turn reads one value, then the punctuation after it up to the next value.
  for (;;) {
    skipSpace();
    const char = text[at];
    if (char === '{' || char === '[') {
      stack.push(char);
      at++;
      skipSpace();
      if (text[at] === (char === '{' ? '}' : ']')) {
        stack.pop();
        at++;
      } else if (char === '{') {
        const failure = readKey();
        if (failure !== undefined) return failure;
        continue;
      } else {
        continue;
      }
    } else if (char === '"') {
      const end = stringEnd(text, at);
      if (typeof end !== 'number') return positionOf(text, end.at, end.expected);
      at = end;
    } else if (char === '-' || (char !== undefined && char >= '0' && char <= '9')) {
      NUMBER.lastIndex = at;
      if (!NUMBER.test(text)) return fail('a number');
      at = NUMBER.lastIndex;
    } else {
      LITERAL.lastIndex = at;
      if (!LITERAL.test(text)) return fail('a value');
      at = LITERAL.lastIndex;
    }
    // After a value: a separator, a container's end, or the end of the text.
    for (;;) {
      skipSpace();
      const open = stack.at(-1);
      if (open === undefined) return at === text.length ? undefined : fail('the end of the text');
      const close = open === '{' ? '}' : ']';
      if (text[at] === close) {
        stack.pop();
        at++;
        continue;
      }
      if (text[at] !== ',') return fail(`"," or "${close}"`);
      at++;
      if (open === '{') {
        skipSpace();
        const failure = readKey();
        if (failure !== undefined) return failure;
      }
      break;
    }
  }

  /** A member's key and its colon; the scan then reads the member's value. */
  function readKey(): JsonSyntaxError | undefined {
    if (text[at] !== '"') return fail('a field name in double quotes');
    const end = stringEnd(text, at);
    if (typeof end !== 'number') return positionOf(text, end.at, end.expected);
    at = end;
    skipSpace();
    if (text[at] !== ':') return fail('":"');
    at++;
    return undefined;
  }
}

/** The offset after the string opening at `start`, or where and why it is not one. */
function stringEnd(text: string, start: number): number | { at: number; expected: string } {
  let at = start + 1;
  while (at < text.length) {
    const code = text.charCodeAt(at);
    if (code === 0x22) return at + 1;
    if (code < 0x20) return { at, expected: 'a control character to be escaped' };
    if (code === 0x5c) {
      ESCAPE.lastIndex = at;
      if (!ESCAPE.test(text))
        return { at, expected: 'a valid escape (\\", \\\\, \\n, \\uXXXX, …)' };
      at = ESCAPE.lastIndex;
    } else {
      at++;
    }
  }
  return { at, expected: 'a closing double quote' };
}

function positionOf(text: string, offset: number, expected: string): JsonSyntaxError {
  let line = 1;
  let lineStart = 0;
  for (let index = text.indexOf('\n'); index !== -1 && index < offset; ) {
    line++;
    lineStart = index + 1;
    index = text.indexOf('\n', lineStart);
  }
  return { line, column: offset - lineStart + 1, expected };
}
