/**
 * `text` cut to at most `left` characters, never between a surrogate pair: what a bound on
 * a backend's text keeps of a delta that crosses it.
 *
 * @example
 * ```ts
 * within('hello', 3); // 'hel'
 * ```
 */
export function within(text: string, left: number): string {
  if (text.length <= left) return text;
  let end = Math.max(0, left);
  const last = text.charCodeAt(end - 1);
  if (end > 0 && last >= 0xd800 && last <= 0xdbff) end--;
  return text.slice(0, end);
}
