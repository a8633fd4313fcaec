/**
 * The value `JSON.stringify` serializes for `value` under `key`: the result of `toJSON(key)`
 * when there is one, and boxed primitives unwrapped. Throws for BigInt, as `JSON.stringify`
 * does.
 */
export function toJsonValue(value: unknown, key: string | number): unknown {
  if (typeof value === 'object' && value !== null) {
    const toJSON = (value as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function') value = toJSON.call(value, String(key));
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      const prototype = Object.getPrototypeOf(value);
      if (prototype !== Object.prototype && prototype !== null) return unbox(value, key);
    }
  }
  if (typeof value === 'bigint') throw bigIntError(key);
  return value;
}

function unbox(value: object, key: string | number): unknown {
  if (value instanceof Number) return Number(value);
  if (value instanceof String) return String(value);
  if (value instanceof Boolean) return value.valueOf();
  if (value instanceof BigInt) throw bigIntError(key);
  return value;
}

function bigIntError(key: string | number): TypeError {
  return new TypeError(
    `encode: the value at key ${JSON.stringify(String(key))} is a BigInt, which JSON cannot represent`,
  );
}

/** Whether `JSON.stringify` leaves a member with this (already resolved) value out. */
export function isOmitted(value: unknown): boolean {
  return value === undefined || typeof value === 'function' || typeof value === 'symbol';
}
