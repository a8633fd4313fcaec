// Shapes of the events as far as the order check reads them. The events come from any server
// (the conformance suite) and from this repository's tests: every field is read as untrusted.
/**
 * An event as the order checks read it: any object with a `type` (typed events of
 * `@rtwire/types` and raw JSON alike); every other field is read as untrusted.
 *
 * @example
 * ```ts
 * const events: OrderedEvent[] = [{ type: 'response.created' }];
 * ```
 */
export type OrderedEvent = { readonly type: string };
type Event = OrderedEvent & Record<string, unknown>;
type ConversationItem = { readonly id?: string; readonly type: string } & Record<string, unknown>;

/**
 * Checks the events of every response in `events` against the protocol order the live API
 * follows, and returns what is wrong (empty when nothing is):
 *
 * `response.created` → per item `response.output_item.added` → `conversation.item.added` (in
 * conversation) → `response.content_part.added` → deltas → `*.done` →
 * `response.content_part.done` → `response.output_item.done` → `conversation.item.done` →
 * `response.done`; text and transcript `done` equal their deltas joined, function arguments
 * too; `response.done.output` equals the items done; nothing of a response after its done.
 *
 * @example
 * ```ts
 * const problems = protocolOrderErrors(session.events); // [] when the order holds
 * ```
 */
export function protocolOrderErrors(events: readonly OrderedEvent[]): string[] {
  const errors: string[] = [];
  const responses = new Map<string, ResponseState>();
  const finished = new Set<string>();
  const tracker: Tracker = { current: undefined };
  for (const raw of events) {
    const event = raw as Event;
    // Playback events name the response but follow its generation, done or not.
    if (event.type.startsWith('output_audio_buffer.')) continue;
    const responseId = responseIdOf(event, tracker);
    if (responseId === undefined) continue;
    if (finished.has(responseId)) {
      errors.push(`${event.type} after response.done of ${responseId}`);
      continue;
    }
    if (event.type === 'response.created') {
      if (responses.has(responseId)) errors.push(`second response.created for ${responseId}`);
      responses.set(responseId, newState());
      continue;
    }
    const state = responses.get(responseId);
    if (state === undefined) {
      errors.push(`${event.type} before response.created of ${responseId}`);
      continue;
    }
    step(state, event, errors, tracker);
    if (event.type === 'response.done') {
      finished.add(responseId);
      const output = (event.response as { output?: ConversationItem[] } | null)?.output ?? [];
      if (state.item !== undefined) errors.push(`response.done with item ${state.item.id} open`);
      if (!sameJson(output, state.done, 0)) {
        errors.push(`response.done.output of ${responseId} is not the items done`);
      }
    }
  }
  return errors;
}

/** Deep enough for any item the spec describes; past it a value counts as different. */
const MAX_COMPARED_DEPTH = 64;

/**
 * Whether two JSON values are equal, whatever the order of their keys (a server may write the
 * items of `response.done` with its fields in another order than it wrote them before).
 */
function sameJson(a: unknown, b: unknown, depth: number): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (depth >= MAX_COMPARED_DEPTH || Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((value, index) => sameJson(value, b[index], depth + 1));
  }
  const left = a as Record<string, unknown>;
  const right = b as Record<string, unknown>;
  const keys = Object.keys(left).filter((key) => left[key] !== undefined);
  if (keys.length !== Object.keys(right).filter((key) => right[key] !== undefined).length)
    return false;
  return keys.every(
    (key) => Object.hasOwn(right, key) && sameJson(left[key], right[key], depth + 1),
  );
}

interface ItemState {
  id: string;
  phase: 'added' | 'conversation_added' | 'part_added' | 'deltas' | 'part_done' | 'done';
  text: string;
  audioTranscript: string;
  args: string;
  kind: 'message' | 'function_call' | 'other';
}

interface ResponseState {
  item: ItemState | undefined;
  /** The last item done, until its conversation.item.done arrives (in conversation). */
  awaitingConversationDone: string | undefined;
  done: ConversationItem[];
}

const newState = (): ResponseState => ({
  item: undefined,
  awaitingConversationDone: undefined,
  done: [],
});

/** conversation.item.* of a response's items carry no response id: they are matched by item. */
const itemEvents = new Set(['conversation.item.added', 'conversation.item.done']);
/** The response whose items `conversation.item.*` events may belong to. */
interface Tracker {
  current: { responseId: string; items: Set<string> } | undefined;
}

function responseIdOf(event: Event, tracker: Tracker): string | undefined {
  if (typeof event.response_id === 'string') return event.response_id;
  const response = event.response as { id?: unknown } | undefined;
  if (
    (event.type === 'response.created' || event.type === 'response.done') &&
    typeof response?.id === 'string'
  ) {
    if (event.type === 'response.created') {
      tracker.current = { responseId: response.id, items: new Set() };
    }
    return response.id;
  }
  const current = tracker.current;
  if (itemEvents.has(event.type) && current !== undefined) {
    const id = (event.item as { id?: unknown } | null | undefined)?.id;
    if (typeof id === 'string' && current.items.has(id)) return current.responseId;
  }
  return undefined;
}

function step(state: ResponseState, event: Event, errors: string[], tracker: Tracker): void {
  const item = state.item;
  const expect = (ok: boolean, what: string) => {
    if (!ok) errors.push(`${event.type}: ${what}`);
  };
  switch (event.type) {
    case 'response.output_item.added': {
      expect(item === undefined, 'an item is still open');
      const added = (event.item ?? {}) as ConversationItem;
      tracker.current?.items.add(added.id as string);
      state.item = {
        id: added.id as string,
        phase: 'added',
        text: '',
        audioTranscript: '',
        args: '',
        kind:
          added.type === 'message'
            ? 'message'
            : added.type === 'function_call'
              ? 'function_call'
              : 'other',
      };
      return;
    }
    case 'conversation.item.added':
      if (item !== undefined && (event.item as { id?: string } | null)?.id === item.id) {
        expect(item.phase === 'added', `in phase ${item.phase}`);
        item.phase = 'conversation_added';
      }
      return;
    case 'response.content_part.added':
      expect(
        item !== undefined && (item.phase === 'added' || item.phase === 'conversation_added'),
        'out of order',
      );
      if (item) item.phase = 'part_added';
      return;
    case 'response.output_text.delta':
    case 'response.output_audio.delta':
    case 'response.output_audio_transcript.delta':
      expect(
        item !== undefined && (item.phase === 'part_added' || item.phase === 'deltas'),
        'out of order',
      );
      if (item) {
        item.phase = 'deltas';
        if (event.type === 'response.output_text.delta') item.text += deltaText(event);
        if (event.type === 'response.output_audio_transcript.delta')
          item.audioTranscript += deltaText(event);
      }
      return;
    case 'response.function_call_arguments.delta':
      expect(item?.kind === 'function_call' && item.phase !== 'done', 'out of order');
      if (item) item.args += deltaText(event);
      return;
    case 'response.function_call_arguments.done':
      expect(item?.kind === 'function_call', 'no open call');
      expect(item?.args === event.arguments, 'arguments are not the deltas joined');
      return;
    case 'response.output_text.done':
      expect(item?.text === event.text, 'text is not the deltas joined');
      return;
    case 'response.output_audio_transcript.done':
      expect(item?.audioTranscript === event.transcript, 'transcript is not the deltas joined');
      return;
    case 'response.output_audio.done':
      return;
    case 'response.content_part.done':
      expect(
        item !== undefined && (item.phase === 'part_added' || item.phase === 'deltas'),
        'out of order',
      );
      if (item) item.phase = 'part_done';
      return;
    case 'response.output_item.done': {
      expect(item !== undefined, 'no open item');
      if (item?.kind === 'message') expect(item.phase === 'part_done', `in phase ${item.phase}`);
      const done = (event.item ?? {}) as ConversationItem;
      state.done.push(done);
      state.awaitingConversationDone = done.id as string;
      state.item = undefined;
      return;
    }
    case 'conversation.item.done':
      if ((event.item as { id?: string } | null)?.id === state.awaitingConversationDone) {
        state.awaitingConversationDone = undefined;
      }
      return;
    case 'response.done':
      return;
  }
}

/**
 * Checks a WebRTC call's playback events (`output_audio_buffer.started`, `.stopped`,
 * `.cleared`) and returns what is wrong: each `started` comes after its response's
 * `response.created` and is closed by one `stopped` or `cleared` of the same response before
 * the next `started`; nothing stops or clears a playback that did not start.
 *
 * @example
 * ```ts
 * const problems = playbackOrderErrors(dataChannelEvents); // [] when playback is in order
 * ```
 */
export function playbackOrderErrors(events: readonly OrderedEvent[]): string[] {
  const errors: string[] = [];
  const created = new Set<string>();
  let playing: string | undefined;
  for (const raw of events) {
    const event = raw as Event;
    if (event.type === 'response.created') {
      const id = (event.response as { id?: unknown } | undefined)?.id;
      if (typeof id === 'string') created.add(id);
      continue;
    }
    if (!event.type.startsWith('output_audio_buffer.')) continue;
    const id = event.response_id;
    if (typeof id !== 'string') {
      errors.push(`${event.type} without a response_id`);
      continue;
    }
    if (event.type === 'output_audio_buffer.started') {
      if (!created.has(id)) errors.push(`started before response.created of ${id}`);
      if (playing !== undefined) errors.push(`started for ${id} while ${playing} plays`);
      playing = id;
    } else if (playing !== id) {
      errors.push(`${event.type} of ${id}, which is not playing`);
    } else {
      playing = undefined;
    }
  }
  return errors;
}

/**
 * A delta's text, to join: a server's delta that is not a string (an object without a
 * prototype cannot even be turned into one) joins as nothing, and the `.done` that follows
 * reports the mismatch.
 */
function deltaText(event: Event): string {
  return typeof event.delta === 'string' ? event.delta : '';
}
