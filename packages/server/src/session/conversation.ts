import type { RealtimeConversationItem } from '@rtwire/types';
import { deepFreeze } from '../frozen.ts';
import { estimateHeldBytes } from '../held-bytes.ts';

/**
 * The bounds of a {@link Conversation}.
 *
 * @example
 * ```ts
 * const limits: ConversationLimits = { maxItems: 4096, maxBytes: 16 * 1024 * 1024, onEvict: forget };
 * ```
 */
export interface ConversationLimits {
  /** Most items held. */
  readonly maxItems: number;
  /** Most bytes held, as {@link estimateHeldBytes} counts them. */
  readonly maxBytes: number;
  /** Called with the id of each item that left to stay within the bounds. */
  readonly onEvict?: (id: string) => void;
}

/**
 * The conversation's items in order, each a frozen value: the engine changes an item by
 * replacing it, so snapshots handed to a model or put into events never need a copy. Ids are
 * unique; insertion honours `previous_item_id` (`null` = at the start, missing = at the end),
 * as `conversation.item.create` defines. It holds at most `maxItems` items and `maxBytes`
 * bytes (each item's size estimated once, as it comes): past either, the oldest leave, as they
 * leave a model's context when the live API truncates, so an hours-long session (or a client
 * creating items in a loop) cannot grow without bound. The item being added or replaced never
 * leaves for its own sake: an item that alone passes `maxBytes` is for the caller to refuse
 * ({@link fits}).
 *
 * @example
 * ```ts
 * const conversation = new Conversation({ maxItems: 4096, maxBytes: 16 * 1024 * 1024 });
 * conversation.insert(item, undefined); // { previousItemId: … }
 * conversation.bytes; // what it holds now
 * ```
 */
export class Conversation {
  readonly #items: RealtimeConversationItem[] = [];
  readonly #byId = new Map<string, RealtimeConversationItem>();
  readonly #sizes = new Map<string, number>();
  readonly #maxItems: number;
  readonly #maxBytes: number;
  readonly #onEvict: (id: string) => void;
  #bytes = 0;
  #snapshot: readonly RealtimeConversationItem[] | undefined;

  constructor(limits: ConversationLimits) {
    this.#maxItems = Math.max(1, Math.floor(limits.maxItems));
    this.#maxBytes = Math.max(0, limits.maxBytes);
    this.#onEvict = limits.onEvict ?? (() => {});
  }

  /** The id of the last item, or `null` for an empty conversation. */
  get lastItemId(): string | null {
    return this.#items.at(-1)?.id ?? null;
  }

  /** How many items the conversation holds. */
  get size(): number {
    return this.#items.length;
  }

  /** The bytes its items hold, as estimated when each came. */
  get bytes(): number {
    return this.#bytes;
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

  /** The most bytes it holds. */
  get maxBytes(): number {
    return this.#maxBytes;
  }

  /** Whether an item of `bytes` can be held at all. */
  fits(bytes: number): boolean {
    return bytes <= this.#maxBytes;
  }

  /**
   * Inserts `item` (which must carry an id; it is frozen) after `previousItemId` and returns
   * the id of the item now before it (`null` at the start), or `undefined` when
   * `previousItemId` names no item. `bytes` is its size when the caller measured it already.
   */
  insert(
    item: RealtimeConversationItem,
    previousItemId: string | null | undefined,
    bytes: number = estimateHeldBytes(item),
  ): { previousItemId: string | null } | undefined {
    const id = item.id as string;
    if (previousItemId === undefined) {
      this.#items.push(item);
    } else if (previousItemId === null) {
      this.#items.unshift(item);
    } else {
      const index = this.#indexOf(previousItemId);
      if (index < 0) return undefined;
      this.#items.splice(index + 1, 0, item);
    }
    this.#byId.set(id, deepFreeze(item));
    this.#sizes.set(id, bytes);
    this.#bytes += bytes;
    this.#snapshot = undefined;
    this.#evictFor(item);
    // After the evictions, so it never names an item that just left.
    const index = this.#indexOf(id);
    return { previousItemId: index > 0 ? (this.#items[index - 1]?.id ?? null) : null };
  }

  /** Replaces the item with the same id (a finished or changed version; it is frozen). */
  replace(item: RealtimeConversationItem, bytes: number = estimateHeldBytes(item)): void {
    const id = item.id as string;
    const index = this.#indexOf(id);
    if (index < 0) return;
    this.#items[index] = deepFreeze(item);
    this.#byId.set(id, item);
    this.#bytes += bytes - (this.#sizes.get(id) ?? 0);
    this.#sizes.set(id, bytes);
    this.#snapshot = undefined;
    this.#evictFor(item);
  }

  /** Removes the item; false when there was none. */
  delete(id: string): boolean {
    const index = this.#indexOf(id);
    if (index < 0) return false;
    this.#items.splice(index, 1);
    this.#forget(id);
    this.#snapshot = undefined;
    return true;
  }

  /** The oldest items leave, all but `kept`, until both bounds hold (or `kept` is alone). */
  #evictFor(kept: RealtimeConversationItem): void {
    while (this.#items.length > this.#maxItems || this.#bytes > this.#maxBytes) {
      const oldest = this.#items[0] === kept ? 1 : 0;
      const [evicted] = this.#items.splice(oldest, 1);
      if (evicted === undefined) return;
      const id = evicted.id as string;
      this.#forget(id);
      this.#onEvict(id);
    }
  }

  #forget(id: string): void {
    this.#byId.delete(id);
    this.#bytes -= this.#sizes.get(id) ?? 0;
    this.#sizes.delete(id);
  }

  /** Position of an item, searched from the end, where the items a session changes are. */
  #indexOf(id: string): number {
    if (!this.#byId.has(id)) return -1;
    return this.#items.findLastIndex((item) => item.id === id);
  }
}
