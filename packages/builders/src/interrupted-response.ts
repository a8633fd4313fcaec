import type {
  RealtimeConversationItem,
  RealtimeResponseStatusDetails,
  RealtimeServerEvent,
  ServerEventOf,
} from '@rtwire/types';
import type { EventIdSource } from './event-ids.ts';
import { ResponseEventBuilder } from './generated/context-builders.ts';

/** A content part that was announced (`response.content_part.added`) and never done. */
export interface OpenContentPart {
  readonly contentIndex: number;
  /** The part as it was announced. */
  readonly part: ServerEventOf<'response.content_part.done'>['part'];
}

/** An output item that was announced (`response.output_item.added`) and never done. */
export interface OpenOutputItem {
  readonly outputIndex: number;
  /** The item as it was announced. */
  readonly item: RealtimeConversationItem;
  /** Its parts still open, in the order they were announced. */
  readonly parts: readonly OpenContentPart[];
}

/** A response seen streaming (by a relay, say) that will never finish on its own. */
export interface InterruptedResponse {
  readonly responseId: string;
  /** Its items still open, in the order they were announced. */
  readonly items: readonly OpenOutputItem[];
}

/**
 * The events that close a response someone else was streaming and that will never finish (its
 * upstream is gone): every open content part done, then every open item done as `incomplete`,
 * then `response.done` with `status` (default `failed`) and `statusDetails`, in the order the
 * live API closes a response, with the same context builders as {@link ResponseWriter}. The
 * parts and items carry what was announced: the deltas between were not kept.
 *
 * @example
 * ```ts
 * const events = interruptedResponseEvents(
 *   { responseId: 'resp_1', items: [{ outputIndex: 0, item, parts: [{ contentIndex: 0, part: { type: 'audio', transcript: '' } }] }] },
 *   { eventIds: createEventIds(), statusDetails: { type: 'failed', error: { type: 'server_error', code: 'upstream_lost' } } },
 * );
 * for (const event of events) send(event);
 * ```
 */
export function interruptedResponseEvents(
  response: InterruptedResponse,
  options: {
    readonly eventIds: EventIdSource;
    readonly status?: 'failed' | 'incomplete' | 'cancelled';
    readonly statusDetails?: RealtimeResponseStatusDetails | null;
  },
): RealtimeServerEvent[] {
  const { eventIds } = options;
  const events: RealtimeServerEvent[] = [];
  const output: RealtimeConversationItem[] = [];
  const builder = new ResponseEventBuilder(response.responseId);
  for (const open of response.items) {
    const itemId = typeof open.item.id === 'string' ? open.item.id : '';
    const itemEvents = builder.forItem(itemId, open.outputIndex);
    for (const { contentIndex, part } of open.parts) {
      events.push(itemEvents.forContent(contentIndex).contentPartDone(eventIds(), part));
    }
    const done = { ...open.item, status: 'incomplete' } as RealtimeConversationItem;
    output.push(done);
    events.push(itemEvents.outputItemDone(eventIds(), done));
  }
  const status = options.status ?? 'failed';
  // Written here, not with `ServerEvents`: a relay bundling this needs no other constructor.
  events.push({
    type: 'response.done',
    event_id: eventIds(),
    response: {
      object: 'realtime.response',
      id: response.responseId,
      status,
      status_details:
        options.statusDetails === undefined ? { type: status } : options.statusDetails,
      output,
    } as ServerEventOf<'response.done'>['response'],
  });
  return events;
}
