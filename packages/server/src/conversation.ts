import type { RealtimeConversationItem } from '@rtwire/types';
import { deepFreeze } from './frozen.ts';

/**
 * The conversation's items in order, each a frozen value: the engine changes an item by
 * replacing it, so snapshots handed to a model or put into events never need a copy. Ids are
 * unique; insertion honours `previous_item_id` (`null` = at the start, missing = at the end),
 * as `conversation.item.create` defines. It holds at most `limit` items: past that the oldest
 * leave, as they leave a model's context when the live API truncates, so an hours-long
 * session (or a client creating items in a loop) cannot grow without bound.
 */
export class Conversation {
  readonly #items: RealtimeConversationItem[] = [];
  readonly #byId = new Map<string, RealtimeConversationItem>();
  readonly #limit: number;
  readonly #onEvict: (id: string) => void;
  #snapshot: readonly RealtimeConversationItem[] | undefined;

  constructor(limit: number, onEvict: (id: string) => void = () => {}) {
    this.#limit = Math.max(1, Math.floor(limit));
    this.#onEvict = onEvict;
  }

  /** The id of the last item, or `null` for an empty conversation. */
  get lastItemId(): string | null {
    return this.#items.at(-1)?.id ?? null;
  }

  /** How many items the conversation holds. */
  get size(): number {
    return this.#items.length;
  }

  /** All items, oldest first: a frozen array, kept until the conversation changes. */
  get items(): readonly RealtimeConversationItem[] {
    this.#snapshot ??= Object.freeze(this.#items.slice());
    return this.#snapshot;
  }

  /** The item with this id. */
  get(id: string): RealtimeConversationItem | undefined {
    return this.#byId.get(id);
  }

  /**
   * Inserts `item` (which must carry an id; it is frozen) after `previousItemId` and returns
   * the id of the item before it, or `undefined` when `previousItemId` names no item.
   */
  insert(
    item: RealtimeConversationItem,
    previousItemId: string | null | undefined,
  ): { previousItemId: string | null } | undefined {
    const id = item.id as string;
    let placed: string | null;
    if (previousItemId === undefined) {
      placed = this.lastItemId;
      this.#items.push(item);
    } else if (previousItemId === null) {
      placed = null;
      this.#items.unshift(item);
    } else {
      const index = this.#indexOf(previousItemId);
      if (index < 0) return undefined;
      placed = previousItemId;
      this.#items.splice(index + 1, 0, item);
    }
    this.#byId.set(id, deepFreeze(item));
    this.#snapshot = undefined;
    while (this.#items.length > this.#limit) {
      const evicted = this.#items.shift() as RealtimeConversationItem;
      this.#byId.delete(evicted.id as string);
      this.#onEvict(evicted.id as string);
    }
    return { previousItemId: placed };
  }

  /** Replaces the item with the same id (a finished or changed version; it is frozen). */
  replace(item: RealtimeConversationItem): void {
    const index = this.#indexOf(item.id as string);
    if (index < 0) return;
    this.#items[index] = deepFreeze(item);
    this.#byId.set(item.id as string, item);
    this.#snapshot = undefined;
  }

  /** Removes the item; false when there was none. */
  delete(id: string): boolean {
    const index = this.#indexOf(id);
    if (index < 0) return false;
    this.#items.splice(index, 1);
    this.#byId.delete(id);
    this.#snapshot = undefined;
    return true;
  }

  /** Position of an item, searched from the end, where the items a session changes are. */
  #indexOf(id: string): number {
    if (!this.#byId.has(id)) return -1;
    return this.#items.findLastIndex((item) => item.id === id);
  }
}
