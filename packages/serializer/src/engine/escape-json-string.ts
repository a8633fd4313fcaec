import { isJsonCleanLoop, SIMD_MIN_LENGTH, stageCleanAscii } from './clean-ascii.ts';

/**
 * The JSON literal of a string, exactly as `JSON.stringify(text)` writes it (quotes,
 * backslash, control characters and lone surrogates escaped; U+2028/2029 left raw).
 *
 * Clean strings, the common case, are wrapped in quotes without a copy of their characters;
 * the rest go to the engine's `JSON.stringify`, which is the definition of correct.
 *
 * @example
 * ```ts
 * quoteJsonString('say "hi"\n'); // '"say \\"hi\\"\\n"'
 * ```
 */
export function quoteJsonString(text: string): string {
  if (text.length < SIMD_MIN_LENGTH) {
    return isJsonCleanLoop(text) ? `"${text}"` : JSON.stringify(text);
  }
  if (stageCleanAscii(text)) return `"${text}"`;
  return JSON.stringify(text);
}
