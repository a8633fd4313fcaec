import type { RealtimeConversationItem } from '@rtwire/types';

/**
 * The conversation's items in order. Ids are unique; insertion honours `previous_item_id`
 * (`null` = at the start, missing = at the end), as `conversation.item.create` defines.
 */
export class Conversation {
  readonly #items: RealtimeConversationItem[] = [];

  /** The id of the last item, or `null` for an empty conversation. */
  get lastItemId(): string | null {
    return this.#items.at(-1)?.id ?? null;
  }

  /** All items, oldest first. */
  get items(): readonly RealtimeConversationItem[] {
    return this.#items;
  }

  /** The item with this id. */
  get(id: string): RealtimeConversationItem | undefined {
    return this.#items.find((item) => item.id === id);
  }

  /**
   * Inserts `item` (which must carry an id) after `previousItemId` and returns the id of the
   * item before it, or `undefined` when `previousItemId` names no item.
   */
  insert(
    item: RealtimeConversationItem,
    previousItemId: string | null | undefined,
  ): { previousItemId: string | null } | undefined {
    if (previousItemId === undefined) {
      const previous = this.lastItemId;
      this.#items.push(item);
      return { previousItemId: previous };
    }
    if (previousItemId === null) {
      this.#items.unshift(item);
      return { previousItemId: null };
    }
    const index = this.#items.findIndex((existing) => existing.id === previousItemId);
    if (index < 0) return undefined;
    this.#items.splice(index + 1, 0, item);
    return { previousItemId };
  }

  /** Replaces the item with the same id (a finished version of a streamed item). */
  replace(item: RealtimeConversationItem): void {
    const index = this.#items.findIndex((existing) => existing.id === item.id);
    if (index >= 0) this.#items[index] = item;
  }

  /** Removes the item; false when there was none. */
  delete(id: string): boolean {
    const index = this.#items.findIndex((item) => item.id === id);
    if (index < 0) return false;
    this.#items.splice(index, 1);
    return true;
  }
}
