/**
 * The kinds of ids a session makes.
 *
 * @example
 * ```ts
 * const kind: IdKind = 'item';
 * ```
 */
export type IdKind = 'sess' | 'item' | 'resp' | 'call' | 'conv';

/**
 * Unique ids per kind: one random stem per session, then a counter, so an id costs a
 * concatenation and two sessions' ids do not collide.
 *
 * @example
 * ```ts
 * const id = createSessionIds();
 * id('item'); // 'item_rt4k2x9q0m0001'
 * ```
 */
export function createSessionIds(): (kind: IdKind) => string {
  const stem = Math.random().toString(36).slice(2, 10);
  let counter = 0;
  return (kind) => `${kind}_rt${stem}${(++counter).toString(36).padStart(4, '0')}`;
}
