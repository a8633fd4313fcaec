/**
 * Compares two strings in time that depends only on their lengths, so a client cannot find a
 * token by timing rejections.
 *
 * @example
 * ```ts
 * constantTimeEqual(presented, expected); // true or false
 * ```
 */
export function constantTimeEqual(left: string, right: string): boolean {
  let difference = left.length ^ right.length;
  const length = Math.max(left.length, right.length);
  for (let index = 0; index < length; index++) {
    difference |= (left.charCodeAt(index) | 0) ^ (right.charCodeAt(index) | 0);
  }
  return difference === 0;
}
