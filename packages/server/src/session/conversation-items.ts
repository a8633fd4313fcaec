import { ServerEvents } from '@rtwire/builders';
import {
  type ClientEventOf,
  MAX_NESTING_DEPTH,
  type RealtimeConversationItem,
} from '@rtwire/types';
import { frozenCopy } from '../frozen.ts';
import { estimateHeldBytes } from '../held-bytes.ts';
import { Conversation, type ConversationLimits } from './conversation.ts';
import type { EngineContext } from './engine-context.ts';
import { refusals } from './refusals.ts';

type AssistantMessage = Extract<RealtimeConversationItem, { role: 'assistant' }>;

/**
 * The conversation concern: the bounded {@link Conversation} and what the session knows of
 * its items beside them (how much audio each holds, the transcripts a model heard that the
 * client did not ask to see), the client's `conversation.item.*` events, and the items that
 * commits and responses add. What leaves the conversation leaves these maps with it.
 *
 * @example
 * ```ts
 * const items = new ConversationItems(context, { maxItems: 4096, maxBytes: 16 * 1024 * 1024 });
 * items.create(event); // conversation.item.added, .done
 * items.commitInputAudio('item_1', 1200); // input_audio_buffer.committed, item added and done
 * ```
 */
export class ConversationItems {
  readonly #context: EngineContext;
  readonly #conversation: Conversation;
  /** Audio length of items, user input and assistant output alike, for replies and truncation. */
  readonly #audioMs = new Map<string, number>();
  /** Transcripts made for a `readsTranscripts` model that the session did not ask to see. */
  readonly #heard = new Map<string, string>();

  constructor(context: EngineContext, limits: Omit<ConversationLimits, 'onEvict'>) {
    this.#context = context;
    this.#conversation = new Conversation({
      ...limits,
      onEvict: (id) => this.#forget(id),
    });
  }

  /** The items, oldest first, as a frozen snapshot. */
  get items(): readonly RealtimeConversationItem[] {
    return this.#conversation.items;
  }

  /** The id of the last item, or `null`. */
  get lastItemId(): string | null {
    return this.#conversation.lastItemId;
  }

  /** What the items hold (at most `maxBytes`). */
  get heldBytes(): number {
    return this.#conversation.bytes;
  }

  /** Milliseconds of audio an item holds (0 when none or unknown). */
  audioMs(itemId: string): number {
    return this.#audioMs.get(itemId) ?? 0;
  }

  /** An output item was announced (`finished`: or finished) by a response in the conversation. */
  outputItem(item: RealtimeConversationItem, finished: boolean): void {
    // The writer makes a fresh item for every event and never touches it again, so the
    // conversation can keep (and freeze) the very object the event carries.
    if (finished) this.#conversation.replace(item);
    else this.#conversation.insert(item, undefined);
  }

  /** Audio was streamed for an output item, `ms` in all so far. */
  outputAudio(itemId: string, ms: number): void {
    this.#audioMs.set(itemId, ms);
  }

  /**
   * Committed input audio becomes a user audio item: `input_audio_buffer.committed`, then
   * the item added and done.
   */
  commitInputAudio(itemId: string, durationMs: number): void {
    const context = this.#context;
    const item: RealtimeConversationItem = {
      id: itemId,
      object: 'realtime.item',
      type: 'message',
      status: 'completed',
      role: 'user',
      content: [{ type: 'input_audio', transcript: null }],
    };
    const previousItemId = this.#conversation.lastItemId;
    this.#conversation.insert(item, undefined);
    this.#audioMs.set(itemId, durationMs);
    context.emit(
      ServerEvents.inputAudioBufferCommitted(context.nextEventId(), itemId, previousItemId),
    );
    context.emit(ServerEvents.conversationItemAdded(context.nextEventId(), previousItemId, item));
    context.emit(ServerEvents.conversationItemDone(context.nextEventId(), previousItemId, item));
  }

  /**
   * An input transcription finished: a transcript the client asked for goes into the item,
   * where later responses and retrieves see it; one made only for the model is kept aside,
   * and the item keeps `transcript: null`, as live.
   */
  transcribed(itemId: string, transcript: string, shown: boolean): void {
    if (!shown) {
      // Only for an item still held: what left the conversation is not kept beside it.
      if (this.#conversation.get(itemId) !== undefined) this.#heard.set(itemId, transcript);
      return;
    }
    const item = this.#conversation.get(itemId);
    const part = item?.type === 'message' ? item.content[0] : undefined;
    if (item?.type !== 'message' || part?.type !== 'input_audio') return;
    this.#conversation.replace({
      ...item,
      content: [{ ...part, transcript }, ...item.content.slice(1)],
    } as RealtimeConversationItem);
  }

  /** The transcript of a user audio item as far as it is known (`undefined`: none). */
  transcriptOf(itemId: string): string | undefined {
    const item = this.#conversation.get(itemId);
    const part = item?.type === 'message' ? item.content[0] : undefined;
    if (part?.type !== 'input_audio') return undefined;
    return part.transcript ?? this.#heard.get(itemId);
  }

  /** `conversation.item.create`. */
  create(event: ClientEventOf<'conversation.item.create'>): void {
    const context = this.#context;
    const requested = event.item.id;
    if (typeof requested === 'string' && this.#conversation.get(requested) !== undefined) {
      context.refuse(refusals.itemExists(), event.event_id);
      return;
    }
    // Measured before it is copied, and only as far as the budget: a huge item costs no walk.
    const bytes = estimateHeldBytes(event.item, this.#conversation.maxBytes + 1);
    if (!this.#conversation.fits(bytes)) {
      context.refuse(refusals.itemTooLarge(this.#conversation.maxBytes), event.event_id);
      return;
    }
    const item = {
      ...frozenCopy(event.item, MAX_NESTING_DEPTH),
      id: requested ?? context.id('item'),
      object: 'realtime.item',
      status: 'completed',
    } as RealtimeConversationItem;
    const placed = this.#conversation.insert(item, event.previous_item_id, bytes);
    if (placed === undefined) {
      context.refuse(refusals.previousItemNotFound(), event.event_id);
      return;
    }
    context.emit(
      ServerEvents.conversationItemAdded(context.nextEventId(), placed.previousItemId, item),
    );
    context.emit(
      ServerEvents.conversationItemDone(context.nextEventId(), placed.previousItemId, item),
    );
  }

  /** `conversation.item.retrieve`. */
  retrieve(event: ClientEventOf<'conversation.item.retrieve'>): void {
    const item = this.#conversation.get(event.item_id);
    if (item === undefined) {
      this.#context.refuse(refusals.itemNotFound(), event.event_id);
      return;
    }
    this.#context.emit(ServerEvents.conversationItemRetrieved(this.#context.nextEventId(), item));
  }

  /** `conversation.item.delete`. */
  delete(event: ClientEventOf<'conversation.item.delete'>): void {
    if (!this.#conversation.delete(event.item_id)) {
      this.#context.refuse(refusals.itemNotFound(), event.event_id);
      return;
    }
    this.#forget(event.item_id);
    this.#context.emit(
      ServerEvents.conversationItemDeleted(this.#context.nextEventId(), event.item_id),
    );
  }

  /** `conversation.item.truncate`: an assistant's audio cut where the user stopped hearing it. */
  truncate(event: ClientEventOf<'conversation.item.truncate'>): void {
    const context = this.#context;
    const item = this.#conversation.get(event.item_id);
    if (item === undefined) {
      context.refuse(refusals.itemNotFound(), event.event_id);
      return;
    }
    const message =
      item.type === 'message' && item.role === 'assistant' ? (item as AssistantMessage) : undefined;
    if (message?.content[event.content_index]?.type !== 'output_audio') {
      context.refuse(refusals.truncateNotAudio(), event.event_id);
      return;
    }
    const audioMs = this.audioMs(event.item_id);
    if (event.audio_end_ms < 0 || event.audio_end_ms > audioMs) {
      context.refuse(refusals.truncateOutOfRange(audioMs), event.event_id);
      return;
    }
    // As the live API does: text the user never heard leaves the context with the audio.
    this.#conversation.replace({
      ...message,
      content: message.content.map((part, index) =>
        index === event.content_index ? { ...part, transcript: '' } : part,
      ),
    });
    this.#audioMs.set(event.item_id, event.audio_end_ms);
    context.emit(
      ServerEvents.conversationItemTruncated(
        context.nextEventId(),
        event.item_id,
        event.content_index,
        event.audio_end_ms,
      ),
    );
  }

  #forget(id: string): void {
    this.#audioMs.delete(id);
    this.#heard.delete(id);
  }
}
