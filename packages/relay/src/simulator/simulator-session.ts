import { createEventIds, ServerEvents } from '@rtwire/builders';
import {
  type ClientEventOf,
  decodeClientEvent,
  type RealtimeClientEvent,
  type RealtimeConversationItem,
  type RealtimeServerEvent,
} from '@rtwire/types';
import { offendingEventId } from '../error-event.ts';
import { Conversation } from './conversation.ts';
import { InputAudioBuffer, type VadTransition } from './input-audio-buffer.ts';
import { createPacer, type Pacer } from './pacer.ts';
import { decodeBase64 } from './pcm.ts';
import { deriveReply } from './reply.ts';
import { type RunningResponse, runResponse } from './response-runner.ts';
import {
  audioFormatOf,
  defaultSession,
  isSessionUpdateError,
  mergeSession,
  type SimulatedSession,
  serverVadOf,
} from './session-config.ts';

/** Options of {@link createSimulatorSession}. */
export interface SimulatorSessionOptions {
  /** Sends one server frame (JSON text) to the client. */
  send(frame: string | Uint8Array): void;
  /** Closes the connection; the simulator never does on its own but for fatal misuse. */
  close?(code: number, reason: string): void;
  /** Reported in `session.model` (default `gpt-realtime`). */
  readonly model?: string;
  /** `realtime` paces audio at playback speed (default); `fast` sends as fast as it is made. */
  readonly pace?: 'realtime' | 'fast';
  /** Event ids (default: unique `event_…` ids). */
  readonly eventIds?: () => string;
  /** Ids of sessions, items, responses and calls (default: unique per kind). */
  readonly ids?: (kind: 'sess' | 'item' | 'resp' | 'call' | 'conv') => string;
  /** Clock in ms, for `expires_at` (default `Date.now`). */
  readonly now?: () => number;
}

/** A running simulated session: feed it client frames, close it when the client goes. */
export interface SimulatorSession {
  /** Handles one client frame (JSON text or UTF-8 bytes). */
  receive(frame: string | Uint8Array): void;
  /** Stops every timer; nothing is sent afterwards. */
  close(): void;
}

type ErrorDetails = ServerEventError['error'];
type ServerEventError = Extract<RealtimeServerEvent, { type: 'error' }>;

const MIN_COMMIT_MS = 100;

/**
 * Starts a simulated Realtime session: an in-process stand-in for the OpenAI Realtime API
 * that speaks the GA protocol deterministically, for tests and offline development.
 * `session.created` is sent in a microtask, so the caller can finish wiring first.
 *
 * @example
 * ```ts
 * const session = createSimulatorSession({ send: (frame) => socket.send(frame), pace: 'fast' });
 * socket.onmessage = ({ data }) => session.receive(data);
 * socket.onclose = () => session.close();
 * ```
 */
export function createSimulatorSession(options: SimulatorSessionOptions): SimulatorSession {
  return new Simulator(options);
}

class Simulator implements SimulatorSession {
  readonly #send: (frame: string | Uint8Array) => void;
  readonly #nextEventId: () => string;
  readonly #id: (kind: 'sess' | 'item' | 'resp' | 'call' | 'conv') => string;
  readonly #pacer: Pacer;
  readonly #conversation = new Conversation();
  readonly #audio = new InputAudioBuffer();
  /** Audio length of items, user input and assistant output alike, for replies and truncation. */
  readonly #audioMs = new Map<string, number>();
  readonly #conversationId: string;
  #session: SimulatedSession;
  #response: RunningResponse | undefined;
  #lastResponseId: string | undefined;
  /** The item id server VAD announced in `speech_started`, used by the commit that follows. */
  #pendingItemId: string | undefined;
  #closed = false;

  constructor(options: SimulatorSessionOptions) {
    this.#send = options.send;
    this.#nextEventId = options.eventIds ?? createEventIds('event_');
    this.#id = options.ids ?? defaultIds();
    this.#pacer = createPacer(options.pace ?? 'realtime');
    this.#conversationId = this.#id('conv');
    const now = options.now ?? Date.now;
    this.#session = defaultSession(
      this.#id('sess'),
      options.model ?? 'gpt-realtime',
      Math.floor(now() / 1000),
    );
    queueMicrotask(() =>
      this.#emit(ServerEvents.sessionCreated(this.#nextEventId(), this.#session)),
    );
  }

  receive(frame: string | Uint8Array): void {
    if (this.#closed) return;
    const result = decodeClientEvent(frame);
    if (!result.ok) {
      const json = result.error.code === 'invalid_json' || result.error.code === 'invalid_utf8';
      this.#error({
        type: 'invalid_request_error',
        code: json ? 'invalid_json' : 'invalid_event',
        message: result.error.message,
        param: result.error.path || null,
        event_id: offendingEventId(frame) ?? null,
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
    this.#closed = true;
    this.#pacer.clear();
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
      if (vad?.interruptResponse === true && this.#response?.active === true) {
        this.#response.cancel('turn_detected');
      }
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
    this.#audio.clear();
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
    if (this.#session.audio?.input?.transcription != null) {
      const transcript = `(${durationMs} ms of audio)`;
      this.#emit(
        ServerEvents.inputAudioTranscriptionDelta(this.#nextEventId(), itemId, 0, transcript),
      );
      this.#emit(
        ServerEvents.inputAudioTranscriptionCompleted(this.#nextEventId(), itemId, 0, transcript, {
          type: 'duration',
          seconds: durationMs / 1000,
        }),
      );
    }
    return true;
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
    const context = params.input ?? this.#conversation.items;
    const reply = deriveReply(
      context,
      params.tools ?? this.#session.tools ?? [],
      (id) => this.#audioMs.get(id) ?? 0,
    );
    const responseId = this.#id('resp');
    const itemId = this.#id('item');
    this.#lastResponseId = responseId;
    const outputVoice = params.audio?.output?.voice ?? this.#session.audio?.output?.voice;
    this.#response = runResponse(
      {
        responseId,
        itemId,
        callId: this.#id('call'),
        reply,
        modality,
        outputFormat: audioFormatOf(this.#session, 'output'),
        voice: typeof outputVoice === 'string' ? outputVoice : 'marin',
        conversationId: outOfBand ? null : this.#conversationId,
        previousItemId: outOfBand ? null : this.#conversation.lastItemId,
        metadata: params.metadata ?? null,
        inputTokens: Math.ceil(JSON.stringify(context).length / 16),
      },
      this.#pacer,
      (event) => this.#onResponseEvent(event, outOfBand),
      this.#nextEventId,
      (audioMs) => {
        if (audioMs > 0) this.#audioMs.set(itemId, audioMs);
      },
    );
  }

  /** Keeps the conversation in step with the response's items, then sends the event. */
  #onResponseEvent(event: RealtimeServerEvent, outOfBand: boolean): void {
    if (!outOfBand) {
      if (event.type === 'conversation.item.added') {
        this.#conversation.insert(structuredClone(event.item), undefined);
      } else if (event.type === 'conversation.item.done') {
        this.#conversation.replace(structuredClone(event.item));
      }
    }
    this.#emit(event);
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
    active.cancel('client_cancelled');
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
    if (this.#response?.active === true) this.#response.cancel('client_cancelled');
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
    if (!this.#closed) this.#send(JSON.stringify(event));
  }
}

/** Unique ids per kind: one random stem per session, then a counter. */
function defaultIds(): (kind: string) => string {
  const stem = Math.random().toString(36).slice(2, 10);
  let counter = 0;
  return (kind) => `${kind}_sim${stem}${(++counter).toString(36).padStart(4, '0')}`;
}
