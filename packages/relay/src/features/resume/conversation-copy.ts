import { exceedsNesting, MAX_NESTING_DEPTH } from '@rtwire/types';
import { isJsonObject, type JsonObject } from '../../json-object.ts';

type Json = JsonObject;

/**
 * What the relay keeps of a session to rebuild it on a new upstream: the session as the
 * upstream last confirmed it, and the conversation's items in order, as the upstream reported
 * them. Bounded: past `maxBytes` the oldest items are dropped (and counted), and nothing
 * nested deeper than a frame may be (`MAX_NESTING_DEPTH`) is kept.
 */
export interface ConversationCopy {
  /** The last `session` of a `session.created` / `session.updated`. */
  session: Json | undefined;
  /** Items by id, in conversation order; `undefined` while an item is added but not done. */
  readonly items: Map<string, Json | undefined>;
  /** Approximate bytes of `items` (their JSON). */
  bytes: number;
  readonly maxBytes: number;
  /** Items dropped to stay under `maxBytes` since the session began. */
  dropped: number;
  /**
   * `false` once the upstream reported a session or an item the copy refused to keep (nested
   * too deep to replay): a replay would rebuild a different conversation, so there is none,
   * and nothing more is kept.
   */
  resumable: boolean;
}

/**
 * An empty copy holding at most `maxBytes` of items.
 *
 * @example
 * ```ts
 * const copy = createConversationCopy(256 * 1024);
 * ```
 */
export function createConversationCopy(maxBytes: number): ConversationCopy {
  return {
    session: undefined,
    items: new Map(),
    bytes: 0,
    maxBytes,
    dropped: 0,
    resumable: true,
  };
}

/** The upstream event types {@link observeUpstreamEvent} learns from. */
export const COPIED_TYPES: ReadonlySet<string> = new Set([
  'session.created',
  'session.updated',
  'conversation.item.added',
  'conversation.item.created',
  'conversation.item.done',
  'conversation.item.deleted',
  'conversation.item.truncated',
]);

/**
 * What {@link observeUpstreamEvent} did with an event: `refused` when it carried a session or
 * an item nested deeper than a frame may be, which the copy does not keep (and is then no
 * longer resumable).
 */
export type CopyOutcome = 'observed' | 'refused';

/**
 * The deepest a kept session or item may nest: it sits at level 2 of its frame (and of the
 * replay's `session.update` / `conversation.item.create`), which may nest `MAX_NESTING_DEPTH`.
 */
const MAX_KEPT_DEPTH = MAX_NESTING_DEPTH - 1;

/**
 * Learns from one parsed upstream event of a {@link COPIED_TYPES} type. A session or item
 * nested deeper than a frame may be is not kept (the frame reader has no depth limit, and a
 * replay of it would be refused): the copy stops being resumable and says `refused`.
 *
 * @example
 * ```ts
 * if (COPIED_TYPES.has(type)) observeUpstreamEvent(copy, JSON.parse(frame));
 * ```
 */
export function observeUpstreamEvent(copy: ConversationCopy, event: Json): CopyOutcome {
  if (!copy.resumable) return 'observed';
  switch (event.type) {
    case 'session.created':
    case 'session.updated':
      if (!isJsonObject(event.session)) return 'observed';
      if (exceedsNesting(event.session, MAX_KEPT_DEPTH)) return refuse(copy);
      copy.session = event.session;
      return 'observed';
    case 'conversation.item.added': {
      const id = isJsonObject(event.item) ? event.item.id : undefined;
      if (typeof id === 'string' && !copy.items.has(id)) copy.items.set(id, undefined);
      return 'observed';
    }
    case 'conversation.item.created':
    case 'conversation.item.done': {
      const item = isJsonObject(event.item) ? event.item : undefined;
      if (item === undefined || typeof item.id !== 'string') return 'observed';
      if (exceedsNesting(item, MAX_KEPT_DEPTH)) return refuse(copy);
      const kept = keptItem(item);
      const previous = copy.items.get(item.id);
      copy.bytes += jsonLength(kept) - (previous === undefined ? 0 : jsonLength(previous));
      copy.items.set(item.id, kept);
      trim(copy);
      return 'observed';
    }
    case 'conversation.item.deleted': {
      if (typeof event.item_id !== 'string') return 'observed';
      const previous = copy.items.get(event.item_id);
      if (previous !== undefined) copy.bytes -= jsonLength(previous);
      copy.items.delete(event.item_id);
      return 'observed';
    }
    case 'conversation.item.truncated': {
      // As the API does: the text the user never heard leaves the context with the audio.
      const item = typeof event.item_id === 'string' ? copy.items.get(event.item_id) : undefined;
      if (item === undefined || !Array.isArray(item.content)) return 'observed';
      const index = event.content_index;
      const before = jsonLength(item);
      item.content = item.content.map((part, at) =>
        at === index && isJsonObject(part) ? { ...part, transcript: '' } : part,
      );
      copy.bytes += jsonLength(item) - before;
      return 'observed';
    }
    default:
      return 'observed';
  }
}

// What was kept is let go: a copy with a hole in it is never replayed.
function refuse(copy: ConversationCopy): CopyOutcome {
  copy.resumable = false;
  copy.session = undefined;
  copy.items.clear();
  copy.bytes = 0;
  return 'refused';
}

/** Session fields a `session.update` takes, by session type (the rest are the server's). */
const UPDATABLE: Record<string, readonly string[]> = {
  realtime: [
    'type',
    'output_modalities',
    'instructions',
    'audio',
    'include',
    'tracing',
    'tools',
    'tool_choice',
    'max_output_tokens',
    'truncation',
    'prompt',
  ],
  transcription: ['type', 'audio', 'include'],
};

/**
 * The client events that rebuild the copied session on a fresh upstream: a `session.update`
 * with the confirmed configuration, then each finished item in order as a
 * `conversation.item.create` that keeps its id. Audio replays as its transcript (user audio as
 * `input_text`, assistant audio as `output_text`); function calls and outputs as they were.
 * Event ids start with `eventIdPrefix`, so an `error` about one can be told apart.
 *
 * @example
 * ```ts
 * for (const event of replayEvents(copy, 'event_relay_resume_')) upstream.send(encodeClientEvent(event), false);
 * ```
 */
export function replayEvents(copy: ConversationCopy, eventIdPrefix: string): Json[] {
  const events: Json[] = [];
  let sequence = 0;
  const session = copy.session;
  if (session !== undefined) {
    const fields = UPDATABLE[session.type === 'transcription' ? 'transcription' : 'realtime'] ?? [];
    const update: Json = {};
    for (const key of fields) if (session[key] !== undefined) update[key] = session[key];
    events.push({
      type: 'session.update',
      event_id: `${eventIdPrefix}${++sequence}`,
      session: update,
    });
  }
  if (session?.type === 'transcription') return events;
  for (const item of copy.items.values()) {
    if (item === undefined) continue;
    const replayed = replayItem(item);
    if (replayed !== undefined) {
      events.push({
        type: 'conversation.item.create',
        event_id: `${eventIdPrefix}${++sequence}`,
        item: replayed,
      });
    }
  }
  return events;
}

/** Ids of the items {@link replayEvents} replays. */
export function replayedItemIds(copy: ConversationCopy): string[] {
  const ids: string[] = [];
  for (const [id, item] of copy.items)
    if (item !== undefined && replayItem(item) !== undefined) ids.push(id);
  return ids;
}

function replayItem(item: Json): Json | undefined {
  const id = item.id;
  switch (item.type) {
    case 'message': {
      if (!Array.isArray(item.content)) return undefined;
      const role = item.role;
      const content = item.content.flatMap((part): Json[] => {
        if (!isJsonObject(part)) return [];
        switch (part.type) {
          case 'input_text':
          case 'output_text':
            return [{ type: part.type, text: typeof part.text === 'string' ? part.text : '' }];
          case 'input_audio':
          case 'output_audio': {
            const text = typeof part.transcript === 'string' ? part.transcript : '';
            if (text === '') return [];
            return [{ type: role === 'assistant' ? 'output_text' : 'input_text', text }];
          }
          case 'input_image':
            return [part];
          default:
            return [];
        }
      });
      if (content.length === 0) return undefined;
      return { id, type: 'message', role, content };
    }
    case 'function_call':
      return {
        id,
        type: 'function_call',
        call_id: item.call_id,
        name: item.name,
        arguments: item.arguments ?? '',
      };
    case 'function_call_output':
      return { id, type: 'function_call_output', call_id: item.call_id, output: item.output ?? '' };
    default:
      return undefined;
  }
}

/** An item as kept: audio bytes never (only transcripts replay), the rest as reported. */
function keptItem(item: Json): Json {
  if (!Array.isArray(item.content)) return { ...item };
  return {
    ...item,
    content: item.content.map((part) => {
      if (!isJsonObject(part) || !('audio' in part)) return part;
      const { audio: _audio, ...rest } = part;
      return rest;
    }),
  };
}

/**
 * The length of `value`'s JSON text, escapes aside (a string counts its characters and two
 * quotes), walked without recursion so no nesting can overflow the stack. Keys are read as
 * `JSON.stringify` reads them (own enumerable); `undefined` members count their key.
 *
 * @example
 * ```ts
 * jsonLength({ a: [1, 'xy'] }); // 14, as '{"a":[1,"xy"]}'.length
 * ```
 */
export function jsonLength(value: unknown): number {
  let length = 0;
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const current = pending.pop();
    switch (typeof current) {
      case 'string':
        length += current.length + 2;
        break;
      case 'number':
        length += Number.isFinite(current) ? String(current).length : 4;
        break;
      case 'boolean':
        length += current ? 4 : 5;
        break;
      case 'object':
        if (current === null) {
          length += 4;
        } else if (Array.isArray(current)) {
          // Brackets and the commas between members.
          length += 1 + Math.max(1, current.length);
          for (const member of current) pending.push(member);
        } else {
          let members = 0;
          for (const key in current) {
            if (!Object.hasOwn(current, key)) continue;
            members++;
            // The quoted key and its colon.
            length += key.length + 3;
            pending.push((current as Json)[key]);
          }
          length += 1 + Math.max(1, members);
        }
        break;
      default:
        // undefined, functions, symbols: JSON leaves them out or writes null.
        length += 4;
    }
  }
  return length;
}

function trim(copy: ConversationCopy): void {
  for (const [id, item] of copy.items) {
    if (copy.bytes <= copy.maxBytes) return;
    if (item !== undefined) copy.bytes -= jsonLength(item);
    copy.items.delete(id);
    copy.dropped++;
  }
}
