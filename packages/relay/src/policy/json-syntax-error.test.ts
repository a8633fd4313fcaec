import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findJsonSyntaxError } from './json-syntax-error.ts';
import { loadRelayPolicy, RelayPolicyError } from './relay-policy.ts';

const parses = (text: string) => {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
};

describe('a policy that is not JSON', () => {
  it('is refused with the line and column of the error and no piece of the file', () => {
    const file = '{\n  "default": {\n    "voices": ["marin",}\n  }\n}\n';
    const error = (() => {
      try {
        loadRelayPolicy(file);
      } catch (caught) {
        return caught;
      }
    })();
    expect(RelayPolicyError.isInstance(error)).toBe(true);
    const message = (error as RelayPolicyError).message;
    expect(message).toBe(
      'RELAY_POLICY is invalid: /: expected JSON text (line 3, column 24: expected a value)',
    );
    expect(message).not.toContain('marin');
  });

  it('names what was expected, for each kind of mistake', () => {
    expect(findJsonSyntaxError('{"a": 1,}')).toEqual({
      line: 1,
      column: 9,
      expected: 'a field name in double quotes',
    });
    expect(findJsonSyntaxError('{"a" 1}')).toEqual({ line: 1, column: 6, expected: '":"' });
    expect(findJsonSyntaxError('[1 2]')).toEqual({ line: 1, column: 4, expected: '"," or "]"' });
    expect(findJsonSyntaxError('{"a": "x\ny"}')).toEqual({
      line: 1,
      column: 9,
      expected: 'a control character to be escaped',
    });
    expect(findJsonSyntaxError('{"a": "\\q"}')).toMatchObject({
      column: 8,
      expected: expect.stringMatching(/escape/),
    });
    expect(findJsonSyntaxError('{"a": "open')).toMatchObject({
      column: 12,
      expected: 'a closing double quote',
    });
    expect(findJsonSyntaxError('{} x')).toEqual({
      line: 1,
      column: 4,
      expected: 'the end of the text',
    });
    expect(findJsonSyntaxError('{"a": -}')).toEqual({ line: 1, column: 7, expected: 'a number' });
    expect(findJsonSyntaxError('')).toEqual({ line: 1, column: 1, expected: 'a value' });
    expect(findJsonSyntaxError(`${'['.repeat(1_000_000)}x`)).toMatchObject({ column: 1_000_001 });
  });

  it('agrees with JSON.parse on whether a text is JSON', () => {
    const edit = fc.tuple(
      fc.nat(),
      fc.nat({ max: 3 }),
      fc.constantFrom(...'{}[]",:\\ \n-0.e1tfnu'),
    );
    const text = fc.oneof(
      fc.json(),
      fc.tuple(fc.json(), fc.array(edit, { maxLength: 3 })).map(([json, edits]) => {
        let mutated = json;
        for (const [at, remove, insert] of edits) {
          const index = at % (mutated.length + 1);
          mutated = mutated.slice(0, index) + insert + mutated.slice(index + remove);
        }
        return mutated;
      }),
      fc.string(),
    );
    fc.assert(
      fc.property(text, (candidate) => {
        expect(findJsonSyntaxError(candidate) === undefined, candidate).toBe(parses(candidate));
      }),
      { numRuns: 3000 },
    );
  });
});
