import { ServerEvents } from '@rtwire/builders';
import type { EventId, EventIdSequence } from '@rtwire/serializer';
import {
  clientEventProblem,
  decodeClientEvent,
  MAX_NESTING_DEPTH,
  type RealtimeClientEvent,
  type RealtimeServerEvent,
} from '@rtwire/types';
import { createFrameSink, type FrameFormat, type FrameSink } from '../frame-sink.ts';
import type { RealtimeModel } from '../model.ts';
import { ConversationItems } from './conversation-items.ts';
import type { EngineContext } from './engine-context.ts';
import { FaultBoundary } from './fault-boundary.ts';
import { InputAudio } from './input-audio.ts';
import { type CommittedAudio, InputTranscriptions } from './input-transcriptions.ts';
import { type Refusal, refusals } from './refusals.ts';
import { Responses } from './responses.ts';
import { defaultSession, defaultTranscriptionSession, type SessionType } from './session-config.ts';
import { createEventIdSequence, createSessionIds } from './session-ids.ts';
import type { RealtimeSession, RealtimeSessionOptions } from './session-options.ts';
import { SessionSettings } from './session-settings.ts';

const DEFAULT_MAX_ITEMS = 4096;
/** See `RealtimeSessionOptions.maxConversationBytes`: the relay's largest frame. */
const DEFAULT_MAX_CONVERSATION_BYTES = 16 * 1024 * 1024;
const DEFAULT_INSTRUCTIONS = 'You are a helpful, concise voice assistant.';
/** Client events a transcription session takes; the rest need a conversation or responses. */
const TRANSCRIPTION_EVENTS: ReadonlySet<string> = new Set([
  'session.update',
  'input_audio_buffer.append',
  'input_audio_buffer.commit',
  'input_audio_buffer.clear',
]);

/**
 * The engine's {@link RealtimeSession}: it decodes client frames and hands each event to
 * the concern that owns it (session settings, the conversation, input audio and turn taking,
 * transcriptions, responses), which share one {@link EngineContext}. It owns only what they
 * share: the fault boundary, the close, the byte count. Made by `createRealtimeSession`.
 *
 * @example
 * ```ts
 * const session: RealtimeSession = new RealtimeSessionEngine({ model, send });
 * session.receive('{"type":"response.create"}');
 * ```
 */
export class RealtimeSessionEngine implements RealtimeSession {
  readonly #type: SessionType;
  readonly #context: EngineContext;
  readonly #boundary: FaultBoundary;
  readonly #settings: SessionSettings;
  readonly #items: ConversationItems;
  readonly #transcriptions: InputTranscriptions;
  readonly #inputAudio: InputAudio;
  readonly #responses: Responses;
  /** What the model declares one response holds in buffers of its own (read once). */
  readonly #modelHeldBytes: number;
  /** The last item of a transcription session, which keeps no conversation. */
  #lastInputItemId: string | null = null;
  #closed = false;

  constructor(options: RealtimeSessionOptions<FrameFormat>) {
    const { model } = options;
    this.#modelHeldBytes = declaredHeldBytes(model);
    this.#type = options.type === 'transcription' ? 'transcription' : 'realtime';
    this.#boundary = new FaultBoundary({
      close: () => this.close(),
      isClosed: () => this.#closed,
      closeHost: options.close?.bind(options),
    });
    this.#context = this.#makeContext(options);
    const context = this.#context;
    this.#items = new ConversationItems(context, {
      maxItems: options.maxConversationItems ?? DEFAULT_MAX_ITEMS,
      maxBytes: options.maxConversationBytes ?? DEFAULT_MAX_CONVERSATION_BYTES,
    });
    const conversationId = context.id('conv');
    const nowSeconds = Math.floor((options.now ?? Date.now)() / 1000);
    const sessionId = context.id('sess');
    this.#settings = new SessionSettings(
      context,
      this.#type === 'transcription'
        ? defaultTranscriptionSession(sessionId, nowSeconds)
        : defaultSession(
            sessionId,
            options.modelName ?? 'gpt-realtime',
            nowSeconds,
            options.instructions ?? DEFAULT_INSTRUCTIONS,
          ),
    );
    const items = this.#items;
    this.#transcriptions = new InputTranscriptions(context, model, {
      track: this.#type === 'realtime',
      transcribed: (itemId, transcript, shown) => items.transcribed(itemId, transcript, shown),
    });
    this.#inputAudio = new InputAudio(
      context,
      {
        responseActive: () => this.#responses.active,
        interruptResponse: () => this.#responses.cancel('turn_detected'),
        createResponse: () => this.#responses.start({}, undefined),
        committed: (committed) => this.#committed(committed),
      },
      options.turnDetector,
    );
    this.#responses = new Responses(context, {
      model,
      conversationId,
      settings: this.#settings,
      items,
      transcriptions: this.#transcriptions,
      inputAudio: this.#inputAudio,
      rateLimits: options.rateLimits?.bind(options),
      sendReady: options.sendReady?.bind(options),
    });
    this.#configure();
    queueMicrotask(() => this.#boundary.guard(() => this.#settings.announce()));
  }

  get heldBytes(): number {
    if (this.#closed) return 0;
    const responses = this.#responses;
    return (
      this.#items.heldBytes +
      this.#inputAudio.keptBytes +
      this.#settings.heldBytes +
      (responses.active ? responses.heldBytes + this.#modelHeldBytes : 0)
    );
  }

  receive(frame: string | Uint8Array, decoded?: RealtimeClientEvent): void {
    if (this.#closed) return;
    this.#boundary.guard(() => this.#receive(frame, decoded));
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#inputAudio.close();
    this.#responses.close();
    this.#transcriptions.close();
  }

  #receive(frame: string | Uint8Array, decoded: RealtimeClientEvent | undefined): void {
    this.#settings.announce();
    const event = decoded ?? this.#decode(frame);
    if (event === undefined) return;
    if (this.#type === 'transcription' && !TRANSCRIPTION_EVENTS.has(event.type)) {
      this.#context.refuse(refusals.notInTranscriptionSession(event.type), event.event_id);
      return;
    }
    // The decoder checks fields' JSON types; the live API also refuses unknown parameters,
    // values outside the spec's enums and bounds, and union members it cannot tell apart.
    const problem = clientEventProblem(event);
    if (problem !== undefined) {
      // An event_id past the spec's length is the problem itself, so it is not echoed.
      this.#context.refuse(
        refusals.invalidParameter(problem),
        problem.param === 'event_id' ? null : event.event_id,
      );
      return;
    }
    this.#handle(event);
  }

  /** The frame's client event, or `undefined` once the client heard why it is not one. */
  #decode(frame: string | Uint8Array): RealtimeClientEvent | undefined {
    // Set, not left to the default: a frame given as anything but text is bounded too, so
    // nothing behind this (merge, copies, encoders) meets a value deeper than the limit.
    const result = decodeClientEvent(frame, { maxNesting: MAX_NESTING_DEPTH });
    if (!result.ok) {
      this.#context.refuse(refusals.undecodable(result.error), result.error.eventId);
      return undefined;
    }
    if (!result.known) {
      const { event_id: eventId } = result.event as { event_id?: unknown };
      this.#context.refuse(
        refusals.unknownEvent(),
        typeof eventId === 'string' ? eventId : undefined,
      );
      return undefined;
    }
    return result.event;
  }

  #handle(event: RealtimeClientEvent): void {
    switch (event.type) {
      case 'session.update':
        if (this.#settings.update(event)) {
          this.#configure();
          this.#settings.reportUpdated();
        }
        return;
      case 'conversation.item.create':
        this.#items.create(event);
        return;
      case 'conversation.item.retrieve':
        this.#items.retrieve(event);
        return;
      case 'conversation.item.delete':
        this.#items.delete(event);
        return;
      case 'conversation.item.truncate':
        this.#items.truncate(event);
        return;
      case 'input_audio_buffer.append':
        this.#inputAudio.append(event);
        return;
      case 'input_audio_buffer.commit':
        this.#inputAudio.commit(event.event_id);
        return;
      case 'input_audio_buffer.clear':
        this.#inputAudio.clear();
        return;
      case 'response.create':
        this.#responses.create(event);
        return;
      case 'response.cancel':
        this.#responses.cancelEvent(event);
        return;
      case 'output_audio_buffer.clear':
        this.#responses.clearOutputAudio(event);
        return;
      default: {
        const unknown: never = event;
        throw new TypeError(
          `RealtimeSessionEngine: unhandled ${(unknown as { type: string }).type}`,
        );
      }
    }
  }

  /** Applies the session's settings to input audio: audio kept, the turn detector. */
  #configure(): void {
    const session = this.#settings.current;
    this.#inputAudio.configure(session, this.#transcriptions.keepsAudio(session));
  }

  /** Committed input audio: an item of the conversation (or not, in a transcription session), then its transcription. */
  #committed(committed: CommittedAudio): void {
    if (this.#type === 'transcription') {
      // No conversation: only the commit and the transcription are reported.
      const previousItemId = this.#lastInputItemId;
      this.#lastInputItemId = committed.itemId;
      this.#context.emit(
        ServerEvents.inputAudioBufferCommitted(
          this.#context.nextEventId(),
          committed.itemId,
          previousItemId,
        ),
      );
    } else {
      this.#items.commitInputAudio(committed.itemId, committed.durationMs);
    }
    this.#transcriptions.start(this.#settings.current, committed);
  }

  #makeContext(options: RealtimeSessionOptions<FrameFormat>): EngineContext {
    const boundary = this.#boundary;
    const send = options.send as (frame: string | Uint8Array) => void;
    const sink: FrameSink = createFrameSink(
      options.frames ?? 'bytes',
      (frame: string | Uint8Array) => {
        if (this.#closed) return;
        try {
          send(frame);
        } catch {
          // The host's socket is broken: the session ends here, and what its handling goes on
          // to send is dropped.
          boundary.fault();
        }
      },
    );
    // By default one sequence: deltas get its ids written in place, every other event takes
    // them as strings from the same counter. The host's own ids come as strings everywhere.
    const custom = options.eventIds;
    const sequence = custom === undefined ? createEventIdSequence() : undefined;
    const nextEventId = custom ?? (() => (sequence as EventIdSequence).next());
    const frameEventId: () => EventId = custom ?? (() => sequence as EventIdSequence);
    const emit = (event: RealtimeServerEvent) => sink.event(event);
    const engine = this;
    return {
      sink,
      nextEventId,
      frameEventId,
      id: options.ids ?? createSessionIds(),
      emit,
      refuse: (refusal: Refusal, eventId: string | null | undefined) =>
        emit(ServerEvents.errorEvent(nextEventId(), { ...refusal, event_id: eventId ?? null })),
      guard: (run) => boundary.guard(run),
      fault: () => boundary.fault(),
      get closed() {
        return engine.#closed;
      },
    };
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
