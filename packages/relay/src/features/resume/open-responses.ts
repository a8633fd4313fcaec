import {
  type InterruptedResponse,
  interruptedResponseEvents,
  type OpenContentPart,
  type OpenOutputItem,
} from '@rtwire/builders';
import type { RealtimeConversationItem, RealtimeServerEvent } from '@rtwire/types';
import { exceedsNesting, MAX_NESTING_DEPTH } from '@rtwire/types';
import { isJsonObject, type JsonObject } from '../../json-object.ts';
import { nextRelayEventId } from '../../session/error-event.ts';

/** Responses tracked at once (to close on a drop); the API runs far fewer side by side. */
const MAX_TRACKED_RESPONSES = 64;

/** Output items tracked per response. */
const MAX_OPEN_ITEMS = 256;

/** Content parts tracked per item. */
const MAX_OPEN_PARTS = 16;

/** One announced item of a streaming response, with its parts not yet done by index. */
interface TrackedItem {
  readonly item: JsonObject;
  readonly index: number;
  readonly parts: Map<number, JsonObject>;
}

/**
 * The responses an upstream is streaming now (the conversation's and any out-of-band one
 * beside it), each with its output items and content parts announced and not yet done: what
 * the client must see closed when the upstream is lost. Learns from the few lifecycle events
 * (`response.created`, `.output_item.*`, `.content_part.*`, `response.done`); deltas are never
 * read. Bounded in responses, items and parts.
 *
 * @example
 * ```ts
 * const open = new OpenResponses();
 * open.observe('response.created', event);
 * for (const closing of open.closeAll()) sendToClient(closing);
 * ```
 */
export class OpenResponses {
  readonly #responses = new Map<string, Map<string, TrackedItem>>();

  /** How many responses are streaming. */
  get size(): number {
    return this.#responses.size;
  }

  /** Learns from one lifecycle event of a response. */
  observe(type: string, event: JsonObject): void {
    switch (type) {
      case 'response.created': {
        const response = isJsonObject(event.response) ? event.response : {};
        if (typeof response.id === 'string' && this.#responses.size < MAX_TRACKED_RESPONSES) {
          this.#responses.set(response.id, new Map());
        }
        return;
      }
      case 'response.output_item.added': {
        const items = this.#itemsOf(event);
        const item = isJsonObject(event.item) ? event.item : undefined;
        if (
          items === undefined ||
          items.size >= MAX_OPEN_ITEMS ||
          typeof item?.id !== 'string' ||
          typeof event.output_index !== 'number'
        ) {
          return;
        }
        // Sent back to the client on a drop, wrapped two levels deeper than it came.
        const kept = exceedsNesting(item, MAX_NESTING_DEPTH - 3) ? itemShell(item) : item;
        items.set(item.id, { item: kept, index: event.output_index, parts: new Map() });
        return;
      }
      case 'response.output_item.done': {
        const item = isJsonObject(event.item) ? event.item : undefined;
        if (typeof item?.id === 'string') this.#itemsOf(event)?.delete(item.id);
        return;
      }
      case 'response.content_part.added': {
        const tracked = this.#itemOf(event);
        const part = isJsonObject(event.part) ? event.part : undefined;
        if (
          tracked === undefined ||
          part === undefined ||
          typeof event.content_index !== 'number' ||
          tracked.parts.size >= MAX_OPEN_PARTS
        ) {
          return;
        }
        const kept = exceedsNesting(part, MAX_NESTING_DEPTH - 3) ? { type: part.type } : part;
        tracked.parts.set(event.content_index, kept);
        return;
      }
      case 'response.content_part.done': {
        if (typeof event.content_index === 'number') {
          this.#itemOf(event)?.parts.delete(event.content_index);
        }
        return;
      }
      case 'response.done': {
        const response = isJsonObject(event.response) ? event.response : {};
        if (typeof response.id === 'string') this.#responses.delete(response.id);
        return;
      }
    }
  }

  /**
   * Forgets every response and returns the events that close them for the client as the API
   * closes a failed one (`upstream_lost`): each open part done, each open item done as
   * `incomplete`, then `response.done` with status `failed`.
   */
  closeAll(): RealtimeServerEvent[] {
    const closing: RealtimeServerEvent[] = [];
    for (const [responseId, items] of this.#responses) {
      closing.push(
        ...interruptedResponseEvents(interrupted(responseId, items), {
          eventIds: nextRelayEventId,
          statusDetails: {
            type: 'failed',
            error: {
              type: 'server_error',
              code: 'upstream_lost',
              message: 'the upstream connection was lost',
            },
          } as never,
        }),
      );
    }
    this.#responses.clear();
    return closing;
  }

  #itemsOf(event: JsonObject): Map<string, TrackedItem> | undefined {
    return typeof event.response_id === 'string'
      ? this.#responses.get(event.response_id)
      : undefined;
  }

  #itemOf(event: JsonObject): TrackedItem | undefined {
    return typeof event.item_id === 'string' ? this.#itemsOf(event)?.get(event.item_id) : undefined;
  }
}

function interrupted(responseId: string, items: Map<string, TrackedItem>): InterruptedResponse {
  const open: OpenOutputItem[] = [];
  for (const { item, index, parts } of items.values()) {
    const openParts: OpenContentPart[] = [];
    for (const [contentIndex, part] of parts) {
      openParts.push({ contentIndex, part: part as unknown as OpenContentPart['part'] });
    }
    open.push({
      outputIndex: index,
      item: item as unknown as RealtimeConversationItem,
      parts: openParts,
    });
  }
  return { responseId, items: open };
}

/** An item's own scalar fields (and no content), for one too deep to send back whole. */
function itemShell(item: JsonObject): JsonObject {
  const shell: JsonObject = {};
  for (const [key, value] of Object.entries(item)) {
    if (typeof value !== 'object' || value === null) shell[key] = value;
  }
  if (Array.isArray(item.content)) shell.content = [];
  return shell;
}
