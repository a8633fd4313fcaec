// Test-only: a small Realtime server for the resume tests, runtime-neutral (each app wires it
// to its own WebSocket server and passes @rtwire/builders from its own dependencies). It keeps
// a conversation, answers session.update, conversation.item.create / delete, audio commits and
// response.create; a reply states how many items it holds and the last user text, so a test can
// tell whether the history was replayed.

// biome-ignore lint/suspicious/noExplicitAny: the builders are passed in untyped, from each app
type Untyped = any;

/** What the fake needs of `@rtwire/builders`. */
export interface FakeBuilders {
  readonly ResponseWriter: Untyped;
  readonly ServerEvents: Untyped;
}

/** How one connection of the fake behaves. */
export interface FakeRealtimeOptions {
  /** `expires_at` this many seconds from now (absent: a far one, as the API's). */
  readonly expiresInSeconds?: number;
  /** Replies in audio (with transcript) instead of text. */
  readonly audio?: boolean;
  /** Delay between deltas (ms), so a test can drop the connection mid-response. */
  readonly deltaDelayMs?: number;
}

type Json = Record<string, unknown>;

/** One connection's fake server: feed it client frames, it sends server frames. */
export interface FakeRealtime {
  receive(text: string): void;
  /** Every client event received, parsed. */
  readonly received: Json[];
  /** The conversation's items, in order. */
  readonly items: Json[];
  stop(): void;
}

let connections = 0;

export function createFakeRealtime(
  builders: FakeBuilders,
  send: (text: string) => void,
  options: FakeRealtimeOptions = {},
): FakeRealtime {
  const { ResponseWriter, ServerEvents } = builders;
  const connection = ++connections;
  let sequence = 0;
  const id = (kind: string) => `${kind}_fake${connection}_${++sequence}`;
  const emit = (event: unknown) => send(JSON.stringify(event));
  const received: Json[] = [];
  const items: Json[] = [];
  const timers = new Set<ReturnType<typeof setTimeout>>();
  let audioBytes = 0;
  const session: Json = {
    type: 'realtime',
    object: 'realtime.session',
    id: id('sess'),
    model: 'gpt-realtime',
    output_modalities: [options.audio ? 'audio' : 'text'],
    instructions: '',
    tools: [],
    tool_choice: 'auto',
    max_output_tokens: 'inf',
    tracing: null,
    prompt: null,
    expires_at: Math.floor(Date.now() / 1000) + (options.expiresInSeconds ?? 3600),
  };
  emit(ServerEvents.sessionCreated(id('event'), session));

  const lastItemId = () => (items.at(-1)?.id as string | undefined) ?? null;
  const addItem = (item: Json) => {
    const previous = lastItemId();
    items.push(item);
    emit(ServerEvents.conversationItemAdded(id('event'), previous, item));
    emit(ServerEvents.conversationItemDone(id('event'), previous, item));
  };

  const respond = () => {
    const lastUser = [...items].reverse().find((item) => item.role === 'user') as
      | { content: { text?: string; transcript?: string }[] }
      | undefined;
    const said = lastUser?.content.map((part) => part.text ?? part.transcript ?? '').join('') ?? '';
    const text = `I have ${items.length} items; you said: ${said}`;
    const events: unknown[] = [];
    const writer = new ResponseWriter({
      responseId: id('resp'),
      emit: (event: unknown) => events.push(event),
      eventIds: () => id('event'),
      previousItemId: lastItemId(),
      outputModalities: [options.audio ? 'audio' : 'text'],
    });
    writer.start();
    const message = writer.message({
      itemId: id('item'),
      modality: options.audio ? 'audio' : 'text',
    });
    for (const word of text.split(/(?<= )/)) {
      if (options.audio) {
        message.audio('AAAAAAAA');
        message.transcript(word);
      } else message.text(word);
    }
    message.done();
    writer.done();
    const finished = writer.output.at(-1);
    if (finished) items.push(finished);
    // Streamed one event at a time when asked, so the connection can drop in the middle.
    const delay = options.deltaDelayMs ?? 0;
    if (delay === 0) {
      for (const event of events) emit(event);
      return;
    }
    let index = 0;
    const next = () => {
      const event = events[index++];
      if (event === undefined) return;
      emit(event);
      const timer = setTimeout(next, delay);
      timers.add(timer);
    };
    next();
  };

  return {
    received,
    items,
    stop: () => {
      for (const timer of timers) clearTimeout(timer);
    },
    receive(text) {
      const event = JSON.parse(text) as Json;
      received.push(event);
      switch (event.type) {
        case 'session.update':
          Object.assign(session, event.session);
          emit(ServerEvents.sessionUpdated(id('event'), session));
          return;
        case 'conversation.item.create': {
          const item = event.item as Json;
          addItem({
            ...item,
            id: item.id ?? id('item'),
            object: 'realtime.item',
            status: 'completed',
          });
          return;
        }
        case 'conversation.item.delete':
          items.splice(
            items.findIndex((item) => item.id === event.item_id),
            1,
          );
          emit(ServerEvents.conversationItemDeleted(id('event'), event.item_id));
          return;
        case 'input_audio_buffer.append':
          audioBytes += String(event.audio).length;
          return;
        case 'input_audio_buffer.commit': {
          const itemId = id('item');
          const previous = lastItemId();
          emit(ServerEvents.inputAudioBufferCommitted(id('event'), itemId, previous));
          addItem({
            id: itemId,
            object: 'realtime.item',
            type: 'message',
            status: 'completed',
            role: 'user',
            content: [{ type: 'input_audio', transcript: `${audioBytes} audio chars` }],
          });
          audioBytes = 0;
          return;
        }
        case 'response.create':
          respond();
          return;
      }
    },
  };
}
