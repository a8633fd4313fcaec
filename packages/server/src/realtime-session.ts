import { createEventIds, ServerEvents } from '@rtwire/builders';
import {
  type ClientEventOf,
  decodeClientEvent,
  errorCodeOf,
  errorParamOf,
  MAX_NESTING_DEPTH,
  type RealtimeClientEvent,
  type RealtimeConversationItem,
  type RealtimeServerEvent,
  type RealtimeSessionCreateResponseGA,
  type ServerEventOf,
} from '@rtwire/types';
import { Conversation } from './conversation.ts';
import { createFrameSink, type FrameFormat, type FrameOf, type FrameSink } from './frame-sink.ts';
import { deepFreeze, frozenCopy } from './frozen.ts';
import { estimateHeldBytes } from './held-bytes.ts';
import { InputAudioBuffer } from './input-audio-buffer.ts';
import type {
  EngineSession,
  FunctionCallOutput,
  RealtimeModel,
  ResponseOutput,
  ResponseRequest,
} from './model.ts';
import { type AudioFormatType, decodeBase64 } from './pcm.ts';
import { type Refusal, refusals } from './refusals.ts';
import { ResponseStream } from './response-stream.ts';
import {
  audioFormatOf,
  defaultSession,
  defaultTranscriptionSession,
  isSessionUpdateError,
  mergeSession,
  type SessionType,
  transcriptionOf,
  turnBehaviourOf,
  turnDetectionOf,
} from './session-config.ts';
import { runTranscription } from './transcription.ts';
import {
  createEnergyTurnDetector,
  type TurnDetector,
  type TurnDetectorFactory,
  type TurnEvent,
} from './turn-detection.ts';

/** The kinds of ids a session makes. */
export type IdKind = 'sess' | 'item' | 'resp' | 'call' | 'conv';

/** One entry of `rate_limits.updated`. */
export type RateLimit = ServerEventOf<'rate_limits.updated'>['rate_limits'][number];

/** Options of {@link createRealtimeSession}. */
export interface RealtimeSessionOptions<F extends FrameFormat = 'bytes'> {
  /** The model that answers (and, with `transcribe`, transcribes). */
  readonly model: RealtimeModel;
  /**
   * Sends one server frame: UTF-8 JSON bytes by default, a string with `frames: 'string'`.
   * Either way it is a **text** frame: `ws.send(frame, { binary: false })` in Node, the string
   * as it is on a web-standard `WebSocket` (whose `send(Uint8Array)` always sends binary).
   */
  send(frame: FrameOf<F>): void;
  /** The form of `send`'s frames (default `bytes`). */
  readonly frames?: F;
  /**
   * Whether `send` can take more now: `undefined` when it can, else a promise that resolves
   * when it can (the host's queue for the client drained). What a model's
   * `output.ready()` waits on, so a model reading a source faster than real time reads it no
   * faster than the client reads. Unset: always ready.
   */
  sendReady?(): Promise<void> | undefined;
  /**
   * `realtime` (default) for a conversation; `transcription` for a transcription session,
   * what the live API opens for `?intent=transcription`: input audio, turn detection and
   * input transcription only, no conversation and no responses. Fixed for the connection.
   */
  readonly type?: SessionType;
  /**
   * Makes the turn detector whenever the session's turn detection settings change (default:
   * the built-in energy VAD for `server_vad` and `semantic_vad`).
   */
  readonly turnDetector?: TurnDetectorFactory;
  /**
   * The limits reported in `rate_limits.updated`, asked for as each response starts (the
   * live API sends the event then). Without it, or when it returns nothing, none is sent.
   */
  rateLimits?(response: { readonly responseId: string }): readonly RateLimit[] | undefined;
  /** Most items the conversation holds before the oldest leave (default 4,096). */
  readonly maxConversationItems?: number;
  /**
   * Most bytes the conversation holds before the oldest items leave, as the live API drops old
   * context (default 16 MiB). Each item is measured once as it comes (string lengths plus a
   * small cost per field, so a value of many small parts counts for the heap it takes); an
   * item a client creates that alone is larger is refused with an `error` event
   * (`item_too_large`). The default is the relay's largest frame (`MAX_FRAME_BYTES`, 16 MiB);
   * an item is counted a little above its JSON (a fixed cost per field), so one that fills a
   * whole 16 MiB frame may be refused: raise both together. It is far more than a model's context takes
   * (a 32k-token context is about 128 KiB of text; 16 MiB of base64 is 4.4 minutes of PCM16
   * at 24 kHz), so only old context a model no longer reads leaves. With the input audio kept
   * for transcription (15 MiB at most), a session holds about 31 MiB at most beside its send
   * queue; see {@link RealtimeSession.heldBytes}.
   */
  readonly maxConversationBytes?: number;
  /**
   * Closes the connection. The engine calls it once, with 1011 and a fixed reason, when an
   * unexpected throw ends the session (a callback such as `send` or `ids` threw, or a model
   * threw a value the engine could not read), after the call that met the throw returned.
   * The session is closed by then: it sends nothing more and ignores what it receives.
   */
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
  /**
   * Handles one client frame (JSON text or its UTF-8 bytes). Never throws: whatever throws
   * while the engine handles it ends this session (see `close` in the options).
   */
  receive(frame: string | Uint8Array): void;
  /**
   * Bytes the session holds now, a running count the host can read after every frame: its
   * conversation (at most `maxConversationBytes`), the input audio kept for transcription
   * (at most 15 MiB), its settings, and, while a response runs, the text it holds until
   * `response.done` and what its model declares it may hold (`RealtimeModel.maxHeldBytes`).
   * Frames are handed to `send` as they are made, so what waits to go out is the host's to
   * count. 0 once closed.
   */
  readonly heldBytes: number;
  /** Aborts a running response and transcription, stops every timer; nothing is sent afterwards. */
  close(): void;
}

type RealtimeSessionShape = RealtimeSessionCreateResponseGA;
type ResponseParams = NonNullable<ClientEventOf<'response.create'>['response']>;

const MIN_COMMIT_MS = 100;
const DEFAULT_MAX_ITEMS = 4096;
/** See `RealtimeSessionOptions.maxConversationBytes`: the relay's largest frame. */
const DEFAULT_MAX_CONVERSATION_BYTES = 16 * 1024 * 1024;
/** What the host's `close` hears when an unexpected throw ends the session. */
const FAULT_CLOSE = { code: 1011, reason: 'internal error' } as const;
const DEFAULT_INSTRUCTIONS = 'You are a helpful, concise voice assistant.';
/** Client events a transcription session takes; the rest need a conversation or responses. */
const TRANSCRIPTION_EVENTS: ReadonlySet<string> = new Set([
  'session.update',
  'input_audio_buffer.append',
  'input_audio_buffer.commit',
  'input_audio_buffer.clear',
]);

/**
 * Starts a Realtime session on the GA protocol with `model` answering: `session.created`
 * (in a microtask, so the caller can finish wiring first), `session.update` merged and
 * checked as the live API does, conversation items, the input audio buffer with turn
 * detection (server VAD built in, pluggable) and its idle timeout, input transcription,
 * responses (in the conversation or out of band, one at a time, cancelled by
 * `response.cancel`, a barge-in or `output_audio_buffer.clear`) and `rate_limits.updated`.
 * A transcription session (`type: 'transcription'`) has the input side only. Every client
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
  readonly #closeHost: ((code: number, reason: string) => void) | undefined;
  readonly #sendReady: (() => Promise<void> | undefined) | undefined;
  readonly #nextEventId: () => string;
  readonly #id: (kind: IdKind) => string;
  readonly #type: SessionType;
  readonly #turnDetectorFactory: TurnDetectorFactory | undefined;
  readonly #rateLimits: RealtimeSessionOptions['rateLimits'];
  readonly #conversation: Conversation;
  readonly #audio = new InputAudioBuffer();
  /** Audio length of items, user input and assistant output alike, for replies and truncation. */
  readonly #audioMs = new Map<string, number>();
  /** Input transcriptions in flight, by item: what `ResponseRequest.transcript` waits on. */
  readonly #transcribing = new Map<string, Promise<void>>();
  /** Transcripts made for a `readsTranscripts` model that the session did not ask to see. */
  readonly #heard = new Map<string, string>();
  readonly #conversationId: string;
  /** Aborted when the session closes: transcriptions in flight end with it. */
  readonly #lifetime = new AbortController();
  #session: EngineSession;
  /** What the session's settings hold, measured when they change. */
  #sessionBytes = 0;
  /** What the model declares one response holds in buffers of its own (read once). */
  readonly #modelHeldBytes: number;
  #response: ResponseStream | undefined;
  #responseAbort: AbortController | undefined;
  #lastResponseId: string | undefined;
  /** The last item of a transcription session, which keeps no conversation. */
  #lastInputItemId: string | null = null;
  #turn: { readonly detector: TurnDetector; readonly key: string } | undefined;
  /** Whether the turn detector reported speech that has not stopped. */
  #speaking = false;
  /** The item id `speech_started` announced, used by the commit that follows. */
  #pendingItemId: string | undefined;
  #idleTimer: ReturnType<typeof setTimeout> | undefined;
  #announced = false;
  #closed = false;

  constructor(options: RealtimeSessionOptions<FrameFormat>) {
    this.#model = options.model;
    this.#modelHeldBytes = declaredHeldBytes(options.model);
    this.#closeHost = options.close?.bind(options);
    this.#sendReady = options.sendReady?.bind(options);
    const send = options.send as (frame: string | Uint8Array) => void;
    this.#sink = createFrameSink(options.frames ?? 'bytes', (frame: string | Uint8Array) => {
      if (this.#closed) return;
      try {
        send(frame);
      } catch {
        // The host's socket is broken: the session ends here, and what its handling goes on
        // to send is dropped.
        this.#fault();
      }
    });
    this.#nextEventId = options.eventIds ?? createEventIds('event_');
    this.#id = options.ids ?? defaultIds();
    this.#type = options.type === 'transcription' ? 'transcription' : 'realtime';
    this.#turnDetectorFactory = options.turnDetector;
    this.#rateLimits = options.rateLimits?.bind(options);
    this.#conversation = new Conversation({
      maxItems: options.maxConversationItems ?? DEFAULT_MAX_ITEMS,
      maxBytes: options.maxConversationBytes ?? DEFAULT_MAX_CONVERSATION_BYTES,
      onEvict: (id) => {
        this.#audioMs.delete(id);
        this.#heard.delete(id);
      },
    });
    this.#conversationId = this.#id('conv');
    const nowSeconds = Math.floor((options.now ?? Date.now)() / 1000);
    const sessionId = this.#id('sess');
    this.#session = deepFreeze(
      this.#type === 'transcription'
        ? defaultTranscriptionSession(sessionId, nowSeconds)
        : defaultSession(
            sessionId,
            options.modelName ?? 'gpt-realtime',
            nowSeconds,
            options.instructions ?? DEFAULT_INSTRUCTIONS,
          ),
    );
    this.#sessionBytes = estimateHeldBytes(this.#session);
    this.#configure();
    queueMicrotask(() => this.#guard(() => this.#announce()));
  }

  get heldBytes(): number {
    if (this.#closed) return 0;
    const response = this.#response?.active === true ? this.#response : undefined;
    return (
      this.#conversation.bytes +
      this.#audio.keptBytes +
      this.#sessionBytes +
      (response === undefined ? 0 : response.heldBytes + this.#modelHeldBytes)
    );
  }

  /** `session.created`, once: in a microtask, or before answering a frame that came sooner. */
  #announce(): void {
    if (this.#announced) return;
    this.#announced = true;
    this.#emit(ServerEvents.sessionCreated(this.#nextEventId(), this.#session));
  }

  receive(frame: string | Uint8Array): void {
    if (this.#closed) return;
    this.#guard(() => this.#receive(frame));
  }

  #receive(frame: string | Uint8Array): void {
    this.#announce();
    // Set, not left to the default: a frame given as anything but text is bounded too, so
    // nothing behind this (merge, copies, encoders) meets a value deeper than the limit.
    const result = decodeClientEvent(frame, { maxNesting: MAX_NESTING_DEPTH });
    if (!result.ok) {
      const { error } = result;
      const param = errorParamOf(error.path);
      this.#refuse(
        errorCodeOf(error) === 'invalid_json'
          ? refusals.notJson(error.message, param)
          : refusals.invalidEvent(error.message, param),
        error.eventId,
      );
      return;
    }
    if (!result.known) {
      const { event_id: eventId } = result.event as { event_id?: unknown };
      this.#refuse(refusals.unknownEvent(), typeof eventId === 'string' ? eventId : undefined);
      return;
    }
    const event = result.event;
    if (this.#type === 'transcription' && !TRANSCRIPTION_EVENTS.has(event.type)) {
      this.#refuse(refusals.notInTranscriptionSession(event.type), event.event_id);
      return;
    }
    this.#handle(event);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#disarmIdle();
    this.#responseAbort?.abort();
    this.#lifetime.abort();
    this.#closeDetector();
    this.#turn = undefined;
  }

  /**
   * Runs one way into the session (a client frame, a timer, a model's promise or output, a
   * detector's report): whatever throws in it ends this session, never its host's process.
   */
  #guard(run: () => void): void {
    try {
      run();
    } catch {
      this.#fault();
    }
  }

  /**
   * An unexpected throw: the session closes (nothing more is sent, what comes is ignored) and
   * its host hears 1011 once the current call has returned, as a socket's close would come.
   * The error is not kept or passed on: it may carry anything a model or a callback put in it.
   */
  #fault(): void {
    if (this.#closed) return;
    try {
      this.close();
    } catch {
      // Closed already; what failed on the way out has nothing left to stop.
    }
    const closeHost = this.#closeHost;
    if (closeHost === undefined) return;
    queueMicrotask(() => {
      try {
        closeHost(FAULT_CLOSE.code, FAULT_CLOSE.reason);
      } catch {
        // The host's own close failed; the session is closed either way.
      }
    });
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
        this.#audioCommit(event.event_id);
        return;
      case 'input_audio_buffer.clear':
        this.#audioClear();
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

  /** The session as a realtime one (the fields only conversations have). */
  get #realtime(): RealtimeSessionShape {
    return this.#session as RealtimeSessionShape;
  }

  #sessionUpdate(event: ClientEventOf<'session.update'>): void {
    const next = mergeSession(this.#session, event.session);
    if (isSessionUpdateError(next)) {
      this.#refuse({ type: 'invalid_request_error', ...next }, event.event_id);
      return;
    }
    this.#session = deepFreeze(next);
    this.#sessionBytes = estimateHeldBytes(this.#session);
    this.#configure();
    this.#emit(ServerEvents.sessionUpdated(this.#nextEventId(), this.#session));
  }

  /** Applies the session's settings: audio kept for transcription, the turn detector. */
  #configure(): void {
    // Audio is kept between commits only for a model that will transcribe it.
    this.#audio.keepAudio =
      this.#model.transcribe !== undefined &&
      (this.#model.readsTranscripts === true || transcriptionOf(this.#session) !== undefined);
    const settings = turnDetectionOf(this.#session);
    const format = audioFormatOf(this.#session, 'input');
    const key = settings === undefined ? '' : `${format} ${JSON.stringify(settings)}`;
    if (key === (this.#turn?.key ?? '')) return;
    this.#closeDetector();
    this.#turn = undefined;
    this.#speaking = false;
    if (settings === undefined) {
      this.#disarmIdle();
      return;
    }
    // Set once the detector exists: a report from inside the factory, or from a detector
    // since replaced or closed, is not the current detector's and is dropped.
    let turn: { readonly detector: TurnDetector; readonly key: string } | undefined;
    const context = {
      settings,
      format,
      report: (reported: TurnEvent) => {
        // A detector may report from its own timer or promise: the guard is the session's.
        if (turn !== undefined && this.#turn === turn) this.#guard(() => this.#onTurn(reported));
      },
    };
    let detector: TurnDetector | undefined;
    try {
      detector = this.#turnDetectorFactory?.(context);
    } catch {
      detector = undefined;
    }
    turn = { detector: detector ?? createEnergyTurnDetector(context), key };
    this.#turn = turn;
  }

  #closeDetector(): void {
    try {
      this.#turn?.detector.close?.();
    } catch {
      // As in append and reset: a custom detector that throws must not take the session down.
    }
  }

  #itemCreate(event: ClientEventOf<'conversation.item.create'>): void {
    const requested = event.item.id;
    if (typeof requested === 'string' && this.#conversation.get(requested) !== undefined) {
      this.#refuse(refusals.itemExists(), event.event_id);
      return;
    }
    // Measured before it is copied, and only as far as the budget: a huge item costs no walk.
    const bytes = estimateHeldBytes(event.item, this.#conversation.maxBytes + 1);
    if (!this.#conversation.fits(bytes)) {
      this.#refuse(refusals.itemTooLarge(this.#conversation.maxBytes), event.event_id);
      return;
    }
    const item = {
      ...frozenCopy(event.item, MAX_NESTING_DEPTH),
      id: requested ?? this.#id('item'),
      object: 'realtime.item',
      status: 'completed',
    } as RealtimeConversationItem;
    const placed = this.#conversation.insert(item, event.previous_item_id, bytes);
    if (placed === undefined) {
      this.#refuse(refusals.previousItemNotFound(), event.event_id);
      return;
    }
    this.#emit(
      ServerEvents.conversationItemAdded(this.#nextEventId(), placed.previousItemId, item),
    );
    this.#emit(ServerEvents.conversationItemDone(this.#nextEventId(), placed.previousItemId, item));
  }

  #itemRetrieve(event: ClientEventOf<'conversation.item.retrieve'>): void {
    const item = this.#conversation.get(event.item_id);
    if (item === undefined) {
      this.#refuse(refusals.itemNotFound(), event.event_id);
      return;
    }
    this.#emit(ServerEvents.conversationItemRetrieved(this.#nextEventId(), item));
  }

  #itemDelete(event: ClientEventOf<'conversation.item.delete'>): void {
    if (!this.#conversation.delete(event.item_id)) {
      this.#refuse(refusals.itemNotFound(), event.event_id);
      return;
    }
    this.#audioMs.delete(event.item_id);
    this.#heard.delete(event.item_id);
    this.#emit(ServerEvents.conversationItemDeleted(this.#nextEventId(), event.item_id));
  }

  #itemTruncate(event: ClientEventOf<'conversation.item.truncate'>): void {
    const item = this.#conversation.get(event.item_id);
    if (item === undefined) {
      this.#refuse(refusals.itemNotFound(), event.event_id);
      return;
    }
    const message =
      item.type === 'message' && item.role === 'assistant'
        ? (item as Extract<RealtimeConversationItem, { role: 'assistant' }>)
        : undefined;
    if (message?.content[event.content_index]?.type !== 'output_audio') {
      this.#refuse(refusals.truncateNotAudio(), event.event_id);
      return;
    }
    const audioMs = this.#audioMs.get(event.item_id) ?? 0;
    if (event.audio_end_ms < 0 || event.audio_end_ms > audioMs) {
      this.#refuse(refusals.truncateOutOfRange(audioMs), event.event_id);
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
      this.#refuse(refusals.audioNotBase64(), event.event_id);
      return;
    }
    const span = this.#audio.append(bytes, audioFormatOf(this.#session, 'input'));
    const turn = this.#turn;
    if (turn === undefined) return;
    try {
      turn.detector.append(bytes, span);
    } catch {
      // A custom detector that throws detects nothing; the session goes on.
    }
  }

  #audioClear(): void {
    this.#audio.clear();
    this.#endTurn();
    this.#emit(ServerEvents.inputAudioBufferCleared(this.#nextEventId()));
  }

  /** Forgets the turn in progress: the detector starts afresh, no speech is on. */
  #endTurn(): void {
    this.#speaking = false;
    this.#pendingItemId = undefined;
    try {
      this.#turn?.detector.reset();
    } catch {
      // As in append: a throwing detector must not take the session down.
    }
  }

  #onTurn(event: TurnEvent): void {
    if (this.#closed) return;
    const behaviour = turnBehaviourOf(this.#session);
    if (event.type === 'speech_started') {
      if (this.#speaking) return;
      this.#speaking = true;
      this.#disarmIdle();
      this.#pendingItemId = this.#id('item');
      this.#emit(
        ServerEvents.inputAudioBufferSpeechStarted(
          this.#nextEventId(),
          wholeMs(event.audioStartMs),
          this.#pendingItemId,
        ),
      );
      if (behaviour?.interruptResponse === true) this.#cancelResponse('turn_detected');
      return;
    }
    if (!this.#speaking) return;
    this.#speechStopped(event.audioEndMs);
    const committed = this.#commit(undefined, false);
    if (committed && behaviour?.createResponse === true && this.#response?.active !== true) {
      this.#startResponse({}, undefined);
    }
  }

  /** Ends the speech in progress: `speech_stopped` for the item `speech_started` announced. */
  #speechStopped(audioEndMs: number): void {
    this.#speaking = false;
    this.#emit(
      ServerEvents.inputAudioBufferSpeechStopped(
        this.#nextEventId(),
        wholeMs(audioEndMs),
        this.#pendingItemId ?? this.#id('item'),
      ),
    );
  }

  /** `input_audio_buffer.commit`: ends a turn in progress first, as the live API does. */
  #audioCommit(eventId: string | null | undefined): void {
    if (this.#speaking) this.#speechStopped(this.#audio.sessionMs);
    this.#commit(eventId, false);
  }

  /**
   * Commits the buffer as a user audio item (and starts its transcription); false, with an
   * error event, when it holds under 100 ms, unless `force` (an idle timeout commits what
   * there is, empty or not).
   */
  #commit(eventId: string | null | undefined, force: boolean): boolean {
    const format = audioFormatOf(this.#session, 'input');
    const durationMs = this.#audio.durationMs(format);
    if (durationMs < MIN_COMMIT_MS && !force) {
      this.#refuse(refusals.commitTooShort(MIN_COMMIT_MS, durationMs), eventId);
      return false;
    }
    const itemId = this.#pendingItemId ?? this.#id('item');
    const audio = this.#audio.take();
    this.#endTurn();
    if (this.#type === 'transcription') {
      // No conversation: only the commit and the transcription are reported.
      const previousItemId = this.#lastInputItemId;
      this.#lastInputItemId = itemId;
      this.#emit(
        ServerEvents.inputAudioBufferCommitted(this.#nextEventId(), itemId, previousItemId),
      );
    } else {
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
      this.#emit(
        ServerEvents.inputAudioBufferCommitted(this.#nextEventId(), itemId, previousItemId),
      );
      this.#emit(ServerEvents.conversationItemAdded(this.#nextEventId(), previousItemId, item));
      this.#emit(ServerEvents.conversationItemDone(this.#nextEventId(), previousItemId, item));
    }
    const settings = transcriptionOf(this.#session);
    if (settings !== undefined) {
      this.#transcribe(itemId, audio, format, durationMs, settings, true);
    } else if (this.#model.readsTranscripts === true && this.#model.transcribe !== undefined) {
      // The model needs the words even when the client did not ask to see them.
      this.#transcribe(itemId, audio, format, durationMs, {}, false);
    }
    return true;
  }

  #transcribe(
    itemId: string,
    audio: Uint8Array,
    format: AudioFormatType,
    durationMs: number,
    settings: Readonly<Record<string, unknown>>,
    report: boolean,
  ): void {
    const running = runTranscription(
      {
        model: this.#model,
        nextEventId: this.#nextEventId,
        emit: (event) => {
          if (report) this.#emit(event);
        },
        signal: this.#lifetime.signal,
      },
      { itemId, audio, format, durationMs, settings },
    ).then(
      (transcript) => this.#guard(() => this.#transcribed(itemId, transcript, report)),
      // It reports a model's errors itself; a rejection is the engine failing to.
      () => this.#fault(),
    );
    if (this.#type === 'realtime') this.#transcribing.set(itemId, running);
  }

  /** A transcription ended (`undefined`: it failed, or the session closed). */
  #transcribed(itemId: string, transcript: string | undefined, report: boolean): void {
    this.#transcribing.delete(itemId);
    if (!report) {
      // Unasked for, the words stay the model's: the item keeps `transcript: null`, as live.
      if (transcript !== undefined) this.#heard.set(itemId, transcript);
      return;
    }
    // The item now carries what was heard, as later responses and retrieves see it.
    const item = this.#conversation.get(itemId);
    const part = item?.type === 'message' ? item.content[0] : undefined;
    if (transcript === undefined || item?.type !== 'message' || part?.type !== 'input_audio') {
      return;
    }
    this.#conversation.replace({
      ...item,
      content: [{ ...part, transcript }, ...item.content.slice(1)],
    } as RealtimeConversationItem);
  }

  #responseCreate(event: ClientEventOf<'response.create'>): void {
    const active = this.#response;
    if (active?.active === true) {
      this.#refuse(refusals.responseActive(active.responseId), event.event_id);
      return;
    }
    this.#startResponse(event.response ?? {}, event.event_id);
  }

  #startResponse(params: ResponseParams, eventId: string | null | undefined): void {
    const session = this.#realtime;
    const modalities = params.output_modalities ?? session.output_modalities ?? ['audio'];
    if (modalities.length !== 1) {
      this.#refuse(refusals.badModalities('response.output_modalities'), eventId);
      return;
    }
    const modality = modalities.includes('audio') ? 'audio' : 'text';
    const outOfBand = params.conversation === 'none';
    // An out-of-band response (a classifier, a summary) is not a turn: the idle clock runs on.
    if (!outOfBand) this.#disarmIdle();
    const responseId = this.#id('resp');
    this.#lastResponseId = responseId;
    const outputVoice = params.audio?.output?.voice ?? session.audio?.output?.voice;
    const voice = typeof outputVoice === 'string' ? outputVoice : 'marin';
    const outputFormat = audioFormatOf(session, 'output');
    const maxOutputTokens = params.max_output_tokens ?? session.max_output_tokens ?? 'inf';
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
          // The writer makes a fresh item for every event and never touches it again, so the
          // conversation can keep (and freeze) the very object the event carries.
          if (finished) this.#conversation.replace(item);
          else this.#conversation.insert(item, undefined);
        },
        onAudio: (itemId, ms) => this.#audioMs.set(itemId, ms),
        onEnd: (audioMs) => {
          if (!outOfBand) this.#armIdle(audioMs);
        },
        sendReady: () => (this.#closed ? undefined : this.#sendReady?.()),
      },
    );
    const abort = new AbortController();
    this.#response = stream;
    this.#responseAbort = abort;
    const request: ResponseRequest = {
      responseId,
      items:
        params.input === undefined
          ? this.#conversation.items
          : (frozenCopy(params.input) as readonly RealtimeConversationItem[]),
      outOfBand,
      instructions: params.instructions ?? session.instructions ?? undefined,
      tools: frozenCopy(params.tools) ?? session.tools ?? [],
      toolChoice: frozenCopy(params.tool_choice) ?? session.tool_choice ?? 'auto',
      modality,
      voice,
      inputAudioFormat: audioFormatOf(session, 'input'),
      outputAudioFormat: outputFormat,
      maxOutputTokens,
      metadata,
      audioDurationMs: (itemId) => this.#audioMs.get(itemId) ?? 0,
      transcript: async (itemId) => {
        await this.#transcribing.get(itemId);
        const item = this.#conversation.get(itemId);
        const part = item?.type === 'message' ? item.content[0] : undefined;
        if (part?.type !== 'input_audio') return undefined;
        return part.transcript ?? this.#heard.get(itemId);
      },
    };
    stream.start();
    this.#reportRateLimits(responseId);
    let answer: Promise<void> | void;
    try {
      answer = this.#model.respond(request, this.#guardedOutput(stream.output), abort.signal);
    } catch (error) {
      // A model's throw fails its response; a throw from failing it ends the session.
      stream.fail(error);
      return;
    }
    Promise.resolve(answer).then(
      () => this.#guard(() => stream.finish()),
      (error: unknown) => this.#guard(() => stream.fail(error)),
    );
  }

  /**
   * The response's output as the model gets it: each call passes the session's fault
   * boundary, so a throw inside the engine (a broken `send`, say) ends the session rather than
   * reaching the model, which could swallow it and go on writing to a broken session.
   */
  #guardedOutput(output: ResponseOutput): ResponseOutput {
    const guard = (run: () => void) => this.#guard(run);
    const ignored: FunctionCallOutput = { arguments() {}, done() {} };
    return {
      text: (delta) => guard(() => output.text(delta)),
      audio: (chunk) => guard(() => output.audio(chunk)),
      functionCall: (call) => {
        let inner = ignored;
        guard(() => {
          inner = output.functionCall(call);
        });
        return {
          arguments: (delta) => guard(() => inner.arguments(delta)),
          done: () => guard(() => inner.done()),
        };
      },
      usage: (usage) => guard(() => output.usage(usage)),
      incomplete: (reason) => guard(() => output.incomplete(reason)),
      ready: () => {
        let ready: Promise<void> = Promise.resolve();
        guard(() => {
          ready = output.ready();
        });
        return ready;
      },
    };
  }

  /** `rate_limits.updated`, as the live API sends it when a response starts. */
  #reportRateLimits(responseId: string): void {
    if (this.#rateLimits === undefined) return;
    let limits: RateLimit[] | undefined;
    try {
      const reported = this.#rateLimits({ responseId });
      // Copied inside: limits nested past the bound (or cyclic) are dropped as a throw is.
      limits = Array.isArray(reported) ? frozenCopy([...reported]) : undefined;
    } catch {
      return;
    }
    if (limits === undefined || limits.length === 0) return;
    this.#emit(ServerEvents.rateLimitsUpdated(this.#nextEventId(), limits));
  }

  /**
   * Starts server VAD's idle timeout, when the session has one: `idle_timeout_ms` after the
   * response's audio would have finished playing (`response.done` plus its length), as the
   * live API counts it.
   */
  #armIdle(audioMs: number): void {
    this.#disarmIdle();
    const timeoutMs = turnBehaviourOf(this.#session)?.idleTimeoutMs;
    if (timeoutMs === undefined || this.#closed || this.#speaking) return;
    const startMs = this.#audio.sessionMs;
    this.#idleTimer = setTimeout(
      () => this.#guard(() => this.#idleTimeout(startMs)),
      audioMs + timeoutMs,
    );
  }

  #disarmIdle(): void {
    if (this.#idleTimer === undefined) return;
    clearTimeout(this.#idleTimer);
    this.#idleTimer = undefined;
  }

  /**
   * The user stayed silent: `input_audio_buffer.timeout_triggered` for the audio since the
   * response, that audio committed (empty or not) and a response to it, so the model can
   * prompt the user.
   */
  #idleTimeout(startMs: number): void {
    this.#idleTimer = undefined;
    if (this.#closed || this.#speaking || this.#response?.active === true) return;
    const itemId = this.#id('item');
    this.#emit(
      ServerEvents.inputAudioBufferTimeoutTriggered(
        this.#nextEventId(),
        wholeMs(startMs),
        Math.max(wholeMs(startMs), wholeMs(this.#audio.sessionMs)),
        itemId,
      ),
    );
    this.#pendingItemId = itemId;
    this.#commit(undefined, true);
    this.#startResponse({}, undefined);
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
      this.#refuse(refusals.cancelNotActive(), event.event_id);
      return;
    }
    this.#cancelResponse('client_cancelled');
  }

  #outputAudioClear(event: ClientEventOf<'output_audio_buffer.clear'>): void {
    const responseId = this.#response?.responseId ?? this.#lastResponseId;
    if (responseId === undefined) {
      this.#refuse(refusals.noOutputAudio(), event.event_id);
      return;
    }
    this.#cancelResponse('client_cancelled');
    this.#emit({
      type: 'output_audio_buffer.cleared',
      event_id: this.#nextEventId(),
      response_id: responseId,
    });
  }

  #refuse(refusal: Refusal, eventId: string | null | undefined): void {
    this.#emit(
      ServerEvents.errorEvent(this.#nextEventId(), { ...refusal, event_id: eventId ?? null }),
    );
  }

  #emit(event: RealtimeServerEvent): void {
    this.#sink.event(event);
  }
}

/** A model's `maxHeldBytes`, or 0 when it declares none (or something that is no size). */
function declaredHeldBytes(model: RealtimeModel): number {
  try {
    const declared = model.maxHeldBytes;
    return typeof declared === 'number' && Number.isFinite(declared) && declared > 0 ? declared : 0;
  } catch {
    return 0;
  }
}

/** Audio times go out as whole milliseconds (the events' fields are integers). */
function wholeMs(ms: number): number {
  return Number.isFinite(ms) && ms > 0 ? Math.floor(ms) : 0;
}

/** Unique ids per kind: one random stem per session, then a counter. */
function defaultIds(): (kind: string) => string {
  const stem = Math.random().toString(36).slice(2, 10);
  let counter = 0;
  return (kind) => `${kind}_rt${stem}${(++counter).toString(36).padStart(4, '0')}`;
}
