import { createEventIds, ServerEvents } from '@rtwire/builders';
import {
  type ClientEventOf,
  decodeClientEvent,
  type RealtimeClientEvent,
  type RealtimeConversationItem,
  type RealtimeServerEvent,
} from '@rtwire/types';
import { Conversation } from './conversation.ts';
import { createFrameSink, type FrameFormat, type FrameOf, type FrameSink } from './frame-sink.ts';
import { InputAudioBuffer, type VadTransition } from './input-audio-buffer.ts';
import type { EngineSession, RealtimeModel, ResponseRequest } from './model.ts';
import { decodeBase64 } from './pcm.ts';
import { ResponseStream } from './response-stream.ts';
import {
  audioFormatOf,
  defaultSession,
  isSessionUpdateError,
  mergeSession,
  serverVadOf,
} from './session-config.ts';

/** The kinds of ids a session makes. */
export type IdKind = 'sess' | 'item' | 'resp' | 'call' | 'conv';

/** Options of {@link createRealtimeSession}. */
export interface RealtimeSessionOptions<F extends FrameFormat = 'bytes'> {
  /** The model that answers. */
  readonly model: RealtimeModel;
  /**
   * Sends one server frame: UTF-8 JSON bytes by default, a string with `frames: 'string'`.
   * Either way it is a **text** frame: `ws.send(frame, { binary: false })` in Node, the string
   * as it is on a web-standard `WebSocket` (whose `send(Uint8Array)` always sends binary).
   */
  send(frame: FrameOf<F>): void;
  /** The form of `send`'s frames (default `bytes`). */
  readonly frames?: F;
  /** Closes the connection; the engine calls it only for fatal misuse (it never has yet). */
  close?(code: number, reason: string): void;
  /** Reported in `session.model` (default `gpt-realtime`). */
  readonly modelName?: string;
  /** The session's instructions until the client sets its own. */
  readonly instructions?: string;
  /** Event ids (default: unique `event_…` ids). */
  readonly eventIds?: () => string;
  /** Ids of sessions, items, responses and calls (default: unique per kind). */
  readonly ids?: (kind: IdKind) => string;
  /** Clock in ms, for `expires_at` (default `Date.now`). */
  readonly now?: () => number;
}

/** A running session: feed it client frames, close it when the client goes. */
export interface RealtimeSession {
  /** Handles one client frame (JSON text or its UTF-8 bytes). Never throws. */
  receive(frame: string | Uint8Array): void;
  /** Aborts a running response and transcription, stops every timer; nothing is sent afterwards. */
  close(): void;
}

type ErrorDetails = ServerEventError['error'];
type ServerEventError = Extract<RealtimeServerEvent, { type: 'error' }>;

const MIN_COMMIT_MS = 100;
/** Decode errors that mean the frame is not a JSON object at all (the relay answers them alike). */
const NOT_JSON_OBJECT: ReadonlySet<string> = new Set([
  'invalid_json',
  'invalid_utf8',
  'invalid_input',
  'not_an_object',
]);
const DEFAULT_INSTRUCTIONS = 'You are a helpful, concise voice assistant.';

/**
 * Starts a Realtime session on the GA protocol with `model` answering: `session.created`
 * (in a microtask, so the caller can finish wiring first), `session.update` merged and
 * checked as the live API does, conversation items, the input audio buffer with server VAD,
 * input transcription, and responses (in the conversation or out of band, one at a time,
 * cancelled by `response.cancel`, a barge-in or `output_audio_buffer.clear`). Every client
 * event the live API refuses gets its `error` event. Frames are encoded by
 * `@rtwire/serializer`, deltas with precomputed prefixes and audio straight from PCM.
 *
 * @example
 * ```ts
 * const session = createRealtimeSession({ model, send: (frame) => ws.send(frame, { binary: false }) });
 * ws.on('message', (data) => session.receive(data as Buffer));
 * ws.on('close', () => session.close());
 * ```
 */
export function createRealtimeSession<F extends FrameFormat = 'bytes'>(
  options: RealtimeSessionOptions<F>,
): RealtimeSession {
  return new Engine(options);
}

class Engine implements RealtimeSession {
  readonly #model: RealtimeModel;
  readonly #sink: FrameSink;
  readonly #nextEventId: () => string;
  readonly #id: (kind: IdKind) => string;
  readonly #conversation = new Conversation();
  readonly #audio = new InputAudioBuffer();
  /** Audio length of items, user input and assistant output alike, for replies and truncation. */
  readonly #audioMs = new Map<string, number>();
  /** Input transcriptions in flight, by item: what `ResponseRequest.transcript` waits on. */
  readonly #transcribing = new Map<string, Promise<void>>();
  readonly #conversationId: string;
  /** Aborted when the session closes: transcriptions in flight end with it. */
  readonly #lifetime = new AbortController();
  #session: EngineSession;
  #response: ResponseStream | undefined;
  #responseAbort: AbortController | undefined;
  #lastResponseId: string | undefined;
  /** The item id server VAD announced in `speech_started`, used by the commit that follows. */
  #pendingItemId: string | undefined;
  #closed = false;

  constructor(options: RealtimeSessionOptions<FrameFormat>) {
    this.#model = options.model;
    const send = options.send as (frame: string | Uint8Array) => void;
    this.#sink = createFrameSink(options.frames ?? 'bytes', (frame: string | Uint8Array) => {
      if (!this.#closed) send(frame);
    });
    this.#nextEventId = options.eventIds ?? createEventIds('event_');
    this.#id = options.ids ?? defaultIds();
    this.#conversationId = this.#id('conv');
    const now = options.now ?? Date.now;
    this.#session = defaultSession(
      this.#id('sess'),
      options.modelName ?? 'gpt-realtime',
      Math.floor(now() / 1000),
      options.instructions ?? DEFAULT_INSTRUCTIONS,
    );
    queueMicrotask(() =>
      this.#emit(ServerEvents.sessionCreated(this.#nextEventId(), this.#session)),
    );
  }

  receive(frame: string | Uint8Array): void {
    if (this.#closed) return;
    const result = decodeClientEvent(frame);
    if (!result.ok) {
      const { error } = result;
      this.#error({
        type: 'invalid_request_error',
        code: NOT_JSON_OBJECT.has(error.code) ? 'invalid_json' : 'invalid_event',
        message: error.message,
        param: error.path || null,
        event_id: error.eventId ?? null,
      });
      return;
    }
    if (!result.known) {
      const event = result.event as { type: string; event_id?: unknown };
      this.#error({
        type: 'invalid_request_error',
        code: 'invalid_value',
        message: 'Unsupported client event type.',
        param: 'type',
        event_id: typeof event.event_id === 'string' ? event.event_id : null,
      });
      return;
    }
    this.#handle(result.event);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#responseAbort?.abort();
    this.#lifetime.abort();
  }

  #handle(event: RealtimeClientEvent): void {
    switch (event.type) {
      case 'session.update':
        this.#sessionUpdate(event);
        return;
      case 'conversation.item.create':
        this.#itemCreate(event);
        return;
      case 'conversation.item.retrieve':
        this.#itemRetrieve(event);
        return;
      case 'conversation.item.delete':
        this.#itemDelete(event);
        return;
      case 'conversation.item.truncate':
        this.#itemTruncate(event);
        return;
      case 'input_audio_buffer.append':
        this.#audioAppend(event);
        return;
      case 'input_audio_buffer.commit':
        this.#audioCommit(event.event_id ?? null, true);
        return;
      case 'input_audio_buffer.clear':
        this.#audio.clear();
        this.#pendingItemId = undefined;
        this.#emit(ServerEvents.inputAudioBufferCleared(this.#nextEventId()));
        return;
      case 'response.create':
        this.#responseCreate(event);
        return;
      case 'response.cancel':
        this.#responseCancel(event);
        return;
      case 'output_audio_buffer.clear':
        this.#outputAudioClear(event);
        return;
    }
  }

  #sessionUpdate(event: ClientEventOf<'session.update'>): void {
    const next = mergeSession(this.#session, event.session);
    if (isSessionUpdateError(next)) {
      this.#error({
        type: 'invalid_request_error',
        ...next,
        event_id: event.event_id ?? null,
      });
      return;
    }
    this.#session = next;
    // Audio is kept between commits only for a model that will transcribe it.
    this.#audio.keepAudio =
      this.#model.transcribe !== undefined && next.audio?.input?.transcription != null;
    this.#emit(ServerEvents.sessionUpdated(this.#nextEventId(), this.#session));
  }

  #itemCreate(event: ClientEventOf<'conversation.item.create'>): void {
    const requested = event.item.id;
    if (typeof requested === 'string' && this.#conversation.get(requested) !== undefined) {
      this.#error({
        type: 'invalid_request_error',
        code: 'invalid_value',
        message: 'An item with this id already exists in the conversation.',
        param: 'item.id',
        event_id: event.event_id ?? null,
      });
      return;
    }
    const item = {
      ...structuredClone(event.item),
      id: requested ?? this.#id('item'),
      object: 'realtime.item',
      status: 'completed',
    } as RealtimeConversationItem;
    const placed = this.#conversation.insert(item, event.previous_item_id);
    if (placed === undefined) {
      this.#error({
        type: 'invalid_request_error',
        code: 'item_not_found',
        message: 'previous_item_id names no item of the conversation.',
        param: 'previous_item_id',
        event_id: event.event_id ?? null,
      });
      return;
    }
    this.#emit(
      ServerEvents.conversationItemAdded(this.#nextEventId(), placed.previousItemId, item),
    );
    this.#emit(
      ServerEvents.conversationItemDone(
        this.#nextEventId(),
        placed.previousItemId,
        structuredClone(item),
      ),
    );
  }

  #itemRetrieve(event: ClientEventOf<'conversation.item.retrieve'>): void {
    const item = this.#conversation.get(event.item_id);
    if (item === undefined) {
      this.#itemNotFound(event.event_id);
      return;
    }
    this.#emit(ServerEvents.conversationItemRetrieved(this.#nextEventId(), structuredClone(item)));
  }

  #itemDelete(event: ClientEventOf<'conversation.item.delete'>): void {
    if (!this.#conversation.delete(event.item_id)) {
      this.#itemNotFound(event.event_id);
      return;
    }
    this.#audioMs.delete(event.item_id);
    this.#emit(ServerEvents.conversationItemDeleted(this.#nextEventId(), event.item_id));
  }

  #itemTruncate(event: ClientEventOf<'conversation.item.truncate'>): void {
    const item = this.#conversation.get(event.item_id);
    if (item === undefined) {
      this.#itemNotFound(event.event_id);
      return;
    }
    const part =
      item.type === 'message' && item.role === 'assistant'
        ? item.content[event.content_index]
        : undefined;
    if (part?.type !== 'output_audio') {
      this.#error({
        type: 'invalid_request_error',
        code: 'invalid_value',
        message: 'Only assistant audio content can be truncated.',
        param: 'content_index',
        event_id: event.event_id ?? null,
      });
      return;
    }
    const audioMs = this.#audioMs.get(event.item_id) ?? 0;
    if (event.audio_end_ms < 0 || event.audio_end_ms > audioMs) {
      this.#error({
        type: 'invalid_request_error',
        code: 'invalid_value',
        message: `audio_end_ms must be between 0 and the item's audio length (${audioMs} ms).`,
        param: 'audio_end_ms',
        event_id: event.event_id ?? null,
      });
      return;
    }
    // As the live API does: text the user never heard leaves the context with the audio.
    part.transcript = '';
    this.#audioMs.set(event.item_id, event.audio_end_ms);
    this.#emit(
      ServerEvents.conversationItemTruncated(
        this.#nextEventId(),
        event.item_id,
        event.content_index,
        event.audio_end_ms,
      ),
    );
  }

  #audioAppend(event: ClientEventOf<'input_audio_buffer.append'>): void {
    const bytes = decodeBase64(event.audio);
    if (bytes === undefined) {
      this.#error({
        type: 'invalid_request_error',
        code: 'invalid_value',
        message: 'audio must be base64-encoded audio in the session input format.',
        param: 'audio',
        event_id: event.event_id ?? null,
      });
      return;
    }
    const vad = serverVadOf(this.#session);
    const transitions = this.#audio.append(bytes, audioFormatOf(this.#session, 'input'), vad);
    for (const transition of transitions) this.#onVad(transition);
  }

  #onVad(transition: VadTransition): void {
    const vad = serverVadOf(this.#session);
    if (transition.kind === 'speech_started') {
      this.#pendingItemId = this.#id('item');
      this.#emit(
        ServerEvents.inputAudioBufferSpeechStarted(
          this.#nextEventId(),
          transition.audioStartMs,
          this.#pendingItemId,
        ),
      );
      if (vad?.interruptResponse === true) this.#cancelResponse('turn_detected');
      return;
    }
    this.#emit(
      ServerEvents.inputAudioBufferSpeechStopped(
        this.#nextEventId(),
        transition.audioEndMs,
        this.#pendingItemId ?? this.#id('item'),
      ),
    );
    const committed = this.#audioCommit(null, false);
    if (committed && vad?.createResponse === true && this.#response?.active !== true) {
      this.#startResponse({}, null);
    }
  }

  /** Commits the buffer as a user audio message; false (and an error event) when too short. */
  #audioCommit(eventId: string | null, manual: boolean): boolean {
    const format = audioFormatOf(this.#session, 'input');
    const durationMs = this.#audio.durationMs(format);
    if (durationMs < MIN_COMMIT_MS) {
      this.#error({
        type: 'invalid_request_error',
        code: 'input_audio_buffer_commit_empty',
        message: `Buffer too small. Expected at least ${MIN_COMMIT_MS}ms of audio, but buffer only has ${durationMs}ms of audio.`,
        param: null,
        event_id: eventId,
      });
      return false;
    }
    if (manual && this.#audio.speaking) {
      const stopped = this.#audio.stopSpeech();
      if (stopped.kind === 'speech_stopped') {
        this.#emit(
          ServerEvents.inputAudioBufferSpeechStopped(
            this.#nextEventId(),
            stopped.audioEndMs,
            this.#pendingItemId ?? this.#id('item'),
          ),
        );
      }
    }
    const itemId = this.#pendingItemId ?? this.#id('item');
    this.#pendingItemId = undefined;
    const audio = this.#audio.take();
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
    this.#emit(ServerEvents.inputAudioBufferCommitted(this.#nextEventId(), itemId, previousItemId));
    this.#emit(ServerEvents.conversationItemAdded(this.#nextEventId(), previousItemId, item));
    this.#emit(
      ServerEvents.conversationItemDone(this.#nextEventId(), previousItemId, structuredClone(item)),
    );
    const settings = this.#session.audio?.input?.transcription;
    if (settings != null) {
      const running = this.#transcribe(
        itemId,
        audio,
        format,
        durationMs,
        settings as Record<string, unknown>,
      ).finally(() => this.#transcribing.delete(itemId));
      this.#transcribing.set(itemId, running);
    }
    return true;
  }

  /** Runs the model's transcription of a committed item and reports it, or its failure. */
  async #transcribe(
    itemId: string,
    audio: Uint8Array,
    format: ReturnType<typeof audioFormatOf>,
    durationMs: number,
    settings: Readonly<Record<string, unknown>>,
  ): Promise<void> {
    const fail = (message: string) =>
      this.#emit(
        ServerEvents.inputAudioTranscriptionFailed(this.#nextEventId(), itemId, 0, {
          type: 'server_error',
          code: 'transcription_failed',
          message,
          param: null,
        }),
      );
    if (this.#model.transcribe === undefined) {
      fail('This model does not transcribe input audio.');
      return;
    }
    const signal = this.#lifetime.signal;
    let transcript = '';
    try {
      const result = this.#model.transcribe(
        { itemId, audio, format, durationMs, settings },
        signal,
      );
      if (typeof result === 'object' && result !== null && Symbol.asyncIterator in result) {
        for await (const delta of result as AsyncIterable<string>) {
          if (signal.aborted) return;
          if (typeof delta !== 'string' || delta === '') continue;
          transcript += delta;
          this.#emit(
            ServerEvents.inputAudioTranscriptionDelta(this.#nextEventId(), itemId, 0, delta),
          );
        }
      } else {
        const whole = await result;
        if (signal.aborted) return;
        transcript = typeof whole === 'string' ? whole : '';
        if (transcript !== '') {
          this.#emit(
            ServerEvents.inputAudioTranscriptionDelta(this.#nextEventId(), itemId, 0, transcript),
          );
        }
      }
    } catch {
      if (!signal.aborted) fail('Input audio transcription failed.');
      return;
    }
    if (signal.aborted) return;
    // The item now carries what was heard, as later responses and retrieves see it.
    const item = this.#conversation.get(itemId);
    const part = item?.type === 'message' ? item.content[0] : undefined;
    if (part?.type === 'input_audio') part.transcript = transcript;
    this.#emit(
      ServerEvents.inputAudioTranscriptionCompleted(this.#nextEventId(), itemId, 0, transcript, {
        type: 'duration',
        seconds: durationMs / 1000,
      }),
    );
  }

  #responseCreate(event: ClientEventOf<'response.create'>): void {
    if (this.#response?.active === true) {
      this.#error({
        type: 'invalid_request_error',
        code: 'conversation_already_has_active_response',
        message: `Conversation already has an active response in progress: ${this.#response.responseId}. Wait until the response is finished before creating a new one.`,
        param: null,
        event_id: event.event_id ?? null,
      });
      return;
    }
    this.#startResponse(event.response ?? {}, event.event_id ?? null);
  }

  #startResponse(
    params: NonNullable<ClientEventOf<'response.create'>['response']>,
    eventId: string | null,
  ): void {
    const modalities = params.output_modalities ?? this.#session.output_modalities ?? ['audio'];
    const modality = modalities.includes('audio') ? 'audio' : 'text';
    if (modalities.length !== 1) {
      this.#error({
        type: 'invalid_request_error',
        code: 'invalid_value',
        message: "output_modalities must be ['text'] or ['audio'].",
        param: 'response.output_modalities',
        event_id: eventId,
      });
      return;
    }
    const outOfBand = params.conversation === 'none';
    const responseId = this.#id('resp');
    this.#lastResponseId = responseId;
    const outputVoice = params.audio?.output?.voice ?? this.#session.audio?.output?.voice;
    const voice = typeof outputVoice === 'string' ? outputVoice : 'marin';
    const outputFormat = audioFormatOf(this.#session, 'output');
    const maxOutputTokens = params.max_output_tokens ?? this.#session.max_output_tokens ?? 'inf';
    const metadata = params.metadata ?? null;
    const stream = new ResponseStream(
      {
        responseId,
        modality,
        outputFormat,
        voice,
        conversationId: outOfBand ? null : this.#conversationId,
        previousItemId: outOfBand ? null : this.#conversation.lastItemId,
        maxOutputTokens,
        metadata,
      },
      {
        sink: this.#sink,
        nextEventId: this.#nextEventId,
        nextItemId: () => this.#id('item'),
        nextCallId: () => this.#id('call'),
        onItem: (item, finished) => {
          if (outOfBand) return;
          if (finished) this.#conversation.replace(structuredClone(item));
          else this.#conversation.insert(structuredClone(item), undefined);
        },
        onAudio: (itemId, ms) => this.#audioMs.set(itemId, ms),
      },
    );
    const abort = new AbortController();
    this.#response = stream;
    this.#responseAbort = abort;
    const request: ResponseRequest = {
      responseId,
      items: structuredClone(
        params.input ?? this.#conversation.items,
      ) as RealtimeConversationItem[],
      outOfBand,
      instructions: params.instructions ?? this.#session.instructions ?? undefined,
      tools: structuredClone(params.tools ?? this.#session.tools ?? []),
      toolChoice: structuredClone(params.tool_choice ?? this.#session.tool_choice ?? 'auto'),
      modality,
      voice,
      inputAudioFormat: audioFormatOf(this.#session, 'input'),
      outputAudioFormat: outputFormat,
      maxOutputTokens,
      metadata,
      audioDurationMs: (itemId) => this.#audioMs.get(itemId) ?? 0,
      transcript: async (itemId) => {
        await this.#transcribing.get(itemId);
        const item = this.#conversation.get(itemId);
        const part = item?.type === 'message' ? item.content[0] : undefined;
        return part?.type === 'input_audio' ? (part.transcript ?? undefined) : undefined;
      },
    };
    stream.start();
    let answer: Promise<void> | void;
    try {
      answer = this.#model.respond(request, stream.output, abort.signal);
    } catch (error) {
      stream.fail(error);
      return;
    }
    Promise.resolve(answer).then(
      () => stream.finish(),
      (error: unknown) => stream.fail(error),
    );
  }

  /** Ends the active response as cancelled and tells its model to stop. */
  #cancelResponse(reason: 'client_cancelled' | 'turn_detected'): void {
    const active = this.#response;
    if (active?.active !== true) return;
    active.cancel(reason);
    this.#responseAbort?.abort();
  }

  #responseCancel(event: ClientEventOf<'response.cancel'>): void {
    const active = this.#response;
    const named = event.response_id;
    if (active?.active !== true || (typeof named === 'string' && named !== active.responseId)) {
      this.#error({
        type: 'invalid_request_error',
        code: 'response_cancel_not_active',
        message: 'Cancellation failed: no active response found.',
        param: null,
        event_id: event.event_id ?? null,
      });
      return;
    }
    this.#cancelResponse('client_cancelled');
  }

  #outputAudioClear(event: ClientEventOf<'output_audio_buffer.clear'>): void {
    const responseId = this.#response?.responseId ?? this.#lastResponseId;
    if (responseId === undefined) {
      this.#error({
        type: 'invalid_request_error',
        code: 'invalid_value',
        message: 'There is no output audio to clear.',
        param: null,
        event_id: event.event_id ?? null,
      });
      return;
    }
    this.#cancelResponse('client_cancelled');
    this.#emit({
      type: 'output_audio_buffer.cleared',
      event_id: this.#nextEventId(),
      response_id: responseId,
    });
  }

  #itemNotFound(eventId: string | null | undefined): void {
    this.#error({
      type: 'invalid_request_error',
      code: 'item_not_found',
      message: 'No conversation item with this id.',
      param: 'item_id',
      event_id: eventId ?? null,
    });
  }

  #error(error: ErrorDetails): void {
    this.#emit(ServerEvents.errorEvent(this.#nextEventId(), error));
  }

  #emit(event: RealtimeServerEvent): void {
    this.#sink.event(event);
  }
}

/** Unique ids per kind: one random stem per session, then a counter. */
function defaultIds(): (kind: string) => string {
  const stem = Math.random().toString(36).slice(2, 10);
  let counter = 0;
  return (kind) => `${kind}_rt${stem}${(++counter).toString(36).padStart(4, '0')}`;
}
