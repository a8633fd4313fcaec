/**
 * Freezes a JSON value and everything in it, in place, and returns it. The engine keeps its
 * conversation and session as frozen values so it can hand them to a model, or put them in
 * an event, without a defensive copy on every response.
 */
export function deepFreeze<T>(value: T): T {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return value;
  Object.freeze(value);
  for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  return value;
}

/**
 * A frozen deep copy of a JSON value (the client's, or a writer's that it goes on changing).
 * Values here are JSON by construction (decoded frames, builder output), so one walk copies
 * and freezes: several times cheaper than `structuredClone` on the small items of a response.
 */
export function frozenCopy<T>(value: T): T {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    const copy = new Array<unknown>(value.length);
    for (let index = 0; index < value.length; index++) copy[index] = frozenCopy(value[index]);
    return Object.freeze(copy) as T;
  }
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const field = (value as Record<string, unknown>)[key];
    // JSON has no `undefined`; dropping it keeps the copy what an encoder would send.
    if (field === undefined) continue;
    // A parsed `"__proto__"` member is an own field; plain assignment would set the prototype.
    if (key === '__proto__') {
      Object.defineProperty(copy, key, {
        value: frozenCopy(field),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    } else {
      copy[key] = frozenCopy(field);
    }
  }
  return Object.freeze(copy) as T;
}
