import { writeAscii } from './utf8-writer.ts';

/**
 * A number as `JSON.stringify` writes it: `-0` as `0`, `NaN` and the infinities as `null`.
 *
 * @example
 * ```ts
 * numberToJson(-0); // '0'
 * numberToJson(Number.NaN); // 'null'
 * ```
 */
export function numberToJson(value: number): string {
  // String(-0) is '0', and Number.prototype.toString is the algorithm JSON.stringify uses.
  return Number.isFinite(value) ? String(value) : 'null';
}

/** Most bytes {@link writeJsonNumber} writes (`-1.2345678901234567e-308`). */
export const MAX_NUMBER_BYTES = 25;

/** Writes {@link numberToJson} of `value` at `position`; returns the next position. */
export function writeJsonNumber(target: Uint8Array, position: number, value: number): number {
  if ((value | 0) !== value) return writeAscii(target, position, numberToJson(value));
  // An int32 (or -0): digits without building a string.
  let rest = value;
  if (rest < 0) {
    target[position++] = 0x2d;
    rest = -rest;
  }
  if (rest < 10) {
    target[position++] = 0x30 + rest;
    return position;
  }
  let digits = 1;
  for (let scale = 10; scale <= rest; scale *= 10) digits++;
  const end = position + digits;
  for (let index = end - 1; index >= position; index--) {
    target[index] = 0x30 + (rest % 10);
    rest = Math.floor(rest / 10);
  }
  return end;
}
