/**
 * Sets `key` on `target` unless `value` is `undefined`.
 *
 * This is how every builder treats an `Option<T>` of the Rust `openai_protocol` crate: `null`
 * is a value and is written (the live API sends `null` for absent objects), `undefined` leaves
 * the field out.
 */
export function setOptional<T extends object, K extends string>(
  target: T,
  key: K,
  value: unknown,
): void {
  if (value !== undefined) (target as Record<string, unknown>)[key] = value;
}
