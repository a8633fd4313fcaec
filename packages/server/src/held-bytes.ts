/** What a string costs beside its characters, and what a slot of an object or array costs. */
const STRING_COST = 16;
const SLOT_COST = 8;
const OBJECT_COST = 32;
const ARRAY_COST = 16;

/** Past this an estimate stops counting: the most any one value of a session is taken to hold. */
const DEFAULT_CAP = 2 ** 31;

/**
 * An estimate of the memory a JSON value holds, in bytes: each string's length (in UTF-16 code
 * units) plus a small fixed cost, and a fixed cost per object, array, key and slot, so a
 * value made of many small parts (`[[],[],…]`) counts for more than its JSON text, as it takes
 * more heap. Cheap: one iterative walk, no string is built or copied, any depth is fine; the
 * walk stops as soon as the count passes `cap`, so a huge (or, built in process, cyclic)
 * value costs no more than `cap` to measure.
 *
 * @example
 * ```ts
 * estimateHeldBytes({ type: 'input_text', text: 'hello' }); // 111
 * estimateHeldBytes(item, budget) > budget; // too large, found without walking all of it
 * ```
 */
export function estimateHeldBytes(value: unknown, cap: number = DEFAULT_CAP): number {
  let total = costOf(value);
  if (typeof value !== 'object' || value === null) return total;
  const pending: object[] = [value];
  while (pending.length > 0 && total <= cap) {
    const current = pending.pop() as object;
    if (Array.isArray(current)) {
      for (let index = 0; index < current.length; index++) {
        const child: unknown = current[index];
        total += costOf(child);
        if (typeof child === 'object' && child !== null) pending.push(child);
      }
      continue;
    }
    for (const key in current) {
      if (!Object.hasOwn(current, key)) continue;
      const child: unknown = (current as Record<string, unknown>)[key];
      total += key.length + costOf(child);
      if (typeof child === 'object' && child !== null) pending.push(child);
    }
  }
  return total;
}

/** What a value costs in the slot that holds it, its parts apart. */
function costOf(value: unknown): number {
  if (typeof value === 'string') return SLOT_COST + STRING_COST + value.length;
  if (typeof value !== 'object' || value === null) return SLOT_COST;
  return SLOT_COST + (Array.isArray(value) ? ARRAY_COST : OBJECT_COST);
}
