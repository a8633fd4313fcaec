import type { EventTypeFilter } from './feature.ts';

/**
 * Whether a feature that declared `filter` reads an event of `type`: nothing when it declared
 * nothing, every frame for `'*'`.
 *
 * @example
 * ```ts
 * readsType(new Set(['response.done']), 'response.done'); // true
 * readsType(undefined, 'response.done'); // false
 * ```
 */
export function readsType(filter: EventTypeFilter | undefined, type: string | undefined): boolean {
  if (filter === undefined) return false;
  if (filter === '*') return true;
  if (typeof filter === 'function') return filter(type);
  return type !== undefined && filter.has(type);
}
