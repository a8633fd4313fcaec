import { exceedsNesting } from '@rtwire/types';
import { SIMD_MIN_LENGTH } from './engine/clean-ascii.ts';
import { numberToJson } from './engine/encode-number.ts';
import { MAX_ENCODE_DEPTH, tooDeep } from './engine/encode-value.ts';
import { quoteJsonString } from './engine/escape-json-string.ts';
import { isOmitted, toJsonValue } from './engine/json-value.ts';

/**
 * The JSON text of an event: `JSON.parse` of it deep-equals `JSON.parse(JSON.stringify(event))`.
 *
 * The top-level fields are written here, so a long clean string (base64 audio) is wrapped in
 * quotes after one SIMD scan instead of the engine's per-character escape loop; nested objects
 * go to the engine's `JSON.stringify`, which is as fast as anything for them. Its recursion is
 * bounded first: a value nested deeper than {@link MAX_ENCODE_DEPTH} (or circular) is refused
 * with the same RangeError the byte encoder throws, before `JSON.stringify` can overflow the
 * stack.
 */
export function encodeEventString(event: object): string {
  const value = toJsonValue(event, '');
  if (exceedsNesting(value, MAX_ENCODE_DEPTH)) throw tooDeep();
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    const text = JSON.stringify(value);
    if (text === undefined) throw new TypeError('encode: the event must be a JSON object');
    return text;
  }
  const record = value as Record<string, unknown>;
  if (!hasLongString(record)) return JSON.stringify(record);
  let text = '{';
  const keys = Object.keys(record);
  for (let index = 0; index < keys.length; index++) {
    const key = keys[index]!;
    const member = memberJson(toJsonValue(record[key], key));
    if (member === undefined) continue;
    text += `${text.length === 1 ? '' : ','}${quoteJsonString(key)}:${member}`;
  }
  return `${text}}`;
}

// Only a long top-level string (audio, a transcript) is worth writing here; for everything
// else the engine's JSON.stringify is as fast as it gets, and it returns a flat string.
function hasLongString(record: Record<string, unknown>): boolean {
  for (const key in record) {
    const member = record[key];
    if (typeof member === 'string' && member.length >= SIMD_MIN_LENGTH) return true;
  }
  return false;
}

function memberJson(value: unknown): string | undefined {
  switch (typeof value) {
    case 'string':
      return quoteJsonString(value);
    case 'number':
      return numberToJson(value);
    case 'boolean':
      return value ? 'true' : 'false';
    default:
      return isOmitted(value) ? undefined : JSON.stringify(value);
  }
}
