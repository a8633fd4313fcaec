import type { RealtimeConversationItem, RealtimeServerEvent } from '@rtwire/types';
import type { EventIdSource } from './event-ids.ts';

/**
 * What an open item's writer needs from the {@link ResponseWriter} that opened it. Internal:
 * it keeps the item writers free of the response's bookkeeping.
 */
export interface ItemHost {
  readonly emit: (event: RealtimeServerEvent) => void;
  readonly nextEventId: EventIdSource;
  /** Whether items are also announced as `conversation.item.added` / `.done`. */
  readonly inConversation: boolean;
  /** Called once, when the item is finished (or cut short by a cancel). */
  finishItem(item: RealtimeConversationItem): void;
}
