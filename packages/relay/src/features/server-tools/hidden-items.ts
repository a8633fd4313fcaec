import { isJsonObject, type JsonObject } from '../../json-object.ts';

/**
 * Withheld items remembered (for `previous_item_id`, and to answer a client naming one as the
 * API answers an unknown item); the oldest are forgotten past this.
 */
export const MAX_HIDDEN_REMEMBERED = 4096;

/**
 * What the client must not see of a conversation with hidden server tool calls: the ids of the
 * hidden items (calls and the relay's outputs), the outputs the relay added and not yet saw
 * echoed, each withheld item's `previous_item_id`, and per response the output indices
 * withheld. All bounded: the oldest entries are forgotten past {@link MAX_HIDDEN_REMEMBERED}.
 *
 * @example
 * ```ts
 * const hidden = new HiddenItems();
 * hidden.withhold('resp_1', 0);
 * hidden.renumbered({ response_id: 'resp_1', output_index: 1 }); // { …, output_index: 0 }
 * ```
 */
export class HiddenItems {
  /** Every hidden item's id. */
  readonly ids = new Set<string>();
  /** Ids of the outputs the relay added upstream (their echoes are withheld). */
  readonly relayItems = new Set<string>();
  /** Per response: the output indices withheld from the client, ascending. */
  readonly withheld = new Map<string, number[]>();
  /** Each withheld item's `previous_item_id`. */
  readonly #previousOf = new Map<string, string | null>();
  /** Responses with an item shown after a withheld one: their events' indices move down. */
  readonly #shifted = new Set<string>();

  /** Whether nothing is hidden, withheld or awaited: every frame can pass unread. */
  get empty(): boolean {
    return (
      this.ids.size === 0 &&
      this.relayItems.size === 0 &&
      this.withheld.size === 0 &&
      this.#previousOf.size === 0
    );
  }

  /**
   * Whether some response's events must have their `output_index` moved down: one of its items
   * came after an item withheld. Until then (a call after the spoken reply, the usual order)
   * no event of any response needs reading for its index, its deltas included.
   */
  get renumbering(): boolean {
    return this.#shifted.size > 0;
  }

  /** Whether events of `responseId` may need their `output_index` moved down. */
  shifts(responseId: string): boolean {
    return this.#shifted.has(responseId);
  }

  /** An item of `responseId` shown at `index`: once it follows a withheld one, indices move. */
  shown(responseId: string, index: number): void {
    if (this.withheldBefore(responseId, index) > 0) this.#shifted.add(responseId);
  }

  /** `responseId` is done (or its upstream lost): nothing of it is withheld or moved any more. */
  forgetResponse(responseId: string): void {
    this.withheld.delete(responseId);
    this.#shifted.delete(responseId);
  }

  /** Every response's withheld outputs are forgotten (the upstream that made them is gone). */
  forgetResponses(): void {
    this.withheld.clear();
    this.#shifted.clear();
  }

  /** Remembers `id` as hidden. */
  hide(id: string): void {
    if (this.ids.has(id)) return;
    forgetOldest(this.ids);
    this.ids.add(id);
  }

  /** An output the relay adds upstream: hidden, and its echo awaited. */
  addRelayItem(id: string): void {
    forgetOldest(this.relayItems);
    this.relayItems.add(id);
    this.hide(id);
  }

  /** Output `index` of `responseId` is withheld: the later ones move down. */
  withhold(responseId: string, index: number | undefined): void {
    const indices = this.withheld.get(responseId) ?? [];
    if (index !== undefined) indices.push(index);
    this.withheld.set(responseId, indices);
  }

  /** A withheld item `id` followed `previous`: items after it are shown following that. */
  rememberPrevious(id: string, previous: unknown): void {
    const map = this.#previousOf;
    if (map.size >= MAX_HIDDEN_REMEMBERED) map.delete(map.keys().next().value as string);
    map.set(id, typeof previous === 'string' ? previous : null);
  }

  /** Whether `previous_item_id` of an event names a withheld item. */
  namesWithheld(previous: unknown): boolean {
    return typeof previous === 'string' && this.#previousOf.has(previous);
  }

  /** The event with a `previous_item_id` naming a withheld item replaced by the last item shown. */
  withVisiblePrevious(event: JsonObject): JsonObject {
    const map = this.#previousOf;
    let previous = event.previous_item_id;
    if (typeof previous !== 'string' || !map.has(previous)) return event;
    for (let hops = 0; typeof previous === 'string' && map.has(previous) && hops < 64; hops++) {
      previous = map.get(previous);
    }
    return { ...event, previous_item_id: previous ?? null };
  }

  /** How many outputs of `responseId` before `index` are withheld. */
  withheldBefore(responseId: string, index: number): number {
    const withheld = this.withheld.get(responseId);
    if (withheld === undefined) return 0;
    let before = 0;
    for (const hidden of withheld) if (hidden < index) before++;
    return before;
  }

  /** The event with its `output_index` moved down past the items withheld before it. */
  renumbered(event: JsonObject): JsonObject {
    if (typeof event.response_id !== 'string' || typeof event.output_index !== 'number') {
      return event;
    }
    const before = this.withheldBefore(event.response_id, event.output_index);
    return before === 0 ? event : { ...event, output_index: event.output_index - before };
  }

  /** Whether the client must never see `item` (withheld, or a call of a hidden tool). */
  isHidden(item: JsonObject, hiddenTools: ReadonlySet<string>): boolean {
    if (typeof item.id === 'string' && this.ids.has(item.id)) return true;
    return item.type === 'function_call' && hiddenTools.has(item.name as string);
  }
}

function forgetOldest(set: Set<string>): void {
  if (set.size >= MAX_HIDDEN_REMEMBERED) set.delete(set.values().next().value as string);
}

/**
 * A fresh id for an item the relay adds: `item_relay_` and 16 random hex digits, unpredictable,
 * so a client cannot name the relay's items without having seen them.
 *
 * @example
 * ```ts
 * relayItemId(); // 'item_relay_9f2c…'
 * ```
 */
export function relayItemId(): string {
  const bytes = globalThis.crypto.getRandomValues(new Uint8Array(8));
  let hex = '';
  for (const byte of bytes) hex += byte.toString(16).padStart(2, '0');
  return `item_relay_${hex}`;
}

/** The item of an event (`item`), when it is an object. */
export function itemOf(event: JsonObject): JsonObject | undefined {
  return isJsonObject(event.item) ? event.item : undefined;
}
