import { TranslationServerEvents } from '@rtwire/builders';
import type { EventIdSequence } from '@rtwire/serializer';
import {
  CLIENT_EVENT_TYPES,
  decodeTranslationClientEvent,
  MAX_NESTING_DEPTH,
  type RealtimeClientEvent,
  type RealtimeTranslationClientEvent,
  TRANSLATION_CLIENT_EVENT_TYPES,
  type TranslationClientEventOf,
  translationClientEventProblem,
} from '@rtwire/types';
import type { FrameFormat } from '../frame-sink.ts';
import { decodeBase64 } from '../pcm.ts';
import { FAULT_CLOSE, FaultBoundary } from '../session/fault-boundary.ts';
import { type Refusal, refusals } from '../session/refusals.ts';
import { createEventIdSequence, createSessionIds } from '../session/session-ids.ts';
import { modelFailure } from './model-failure.ts';
import { createTranslationFrames, type TranslationFrames } from './translation-frames.ts';
import { TranslationInput } from './translation-input.ts';
import type { TranslationModel, TranslationRequest } from './translation-model.ts';
import { TranslationOutputWriter } from './translation-output-writer.ts';
import { defaultTranslationSession } from './translation-session-config.ts';
import type {
  TranslationSession,
  TranslationSessionOptions,
} from './translation-session-options.ts';
import { TranslationSessionSettings } from './translation-settings.ts';

/** PCM16 samples per ms at 24 kHz: the translation protocol's only input format. */
const SAMPLES_PER_MS = 24;
/** The longest chunk a model is handed: a second of audio. */
const MAX_CHUNK_SAMPLES = 1000 * SAMPLES_PER_MS;
const DEFAULT_BACKLOG_MS = 30_000;
const DEFAULT_CLOSE_TIMEOUT_MS = 10_000;
/** The longest delay `setTimeout` keeps: 2^31 - 1 ms. */
const MAX_TIMER_MS = 2 ** 31 - 1;
const TRANSLATION_TYPES: ReadonlySet<string> = new Set(TRANSLATION_CLIENT_EVENT_TYPES);
const REALTIME_TYPES: ReadonlySet<string> = new Set(CLIENT_EVENT_TYPES);
/** What the host hears when the session ends as the protocol ends it. */
const NORMAL_CLOSE = { code: 1000, reason: 'session closed' } as const;
/** What the host hears after a model's failure ended the session. */
const MODEL_CLOSE = { code: FAULT_CLOSE.code, reason: 'model error' } as const;

/**
 * The engine of a translation session: it decodes client frames, refuses what a translation
 * session does not take (Realtime events, unknown or invalid parameters), keeps the settings,
 * hands the input audio to the model through a bounded queue, and runs the model's one
 * `translate` call behind the engine's fault boundary, its output stamped and encoded by a
 * {@link TranslationOutputWriter}. Made by `createTranslationSession`.
 *
 * @example
 * ```ts
 * const session: TranslationSession = new TranslationSessionEngine({ model, send });
 * session.receive('{"type":"session.close"}');
 * ```
 */
export class TranslationSessionEngine implements TranslationSession {
  readonly #model: TranslationModel;
  readonly #boundary: FaultBoundary;
  readonly #frames: TranslationFrames;
  readonly #settings: TranslationSessionSettings;
  readonly #input: TranslationInput;
  readonly #writer: TranslationOutputWriter;
  readonly #abort = new AbortController();
  readonly #sessionId: string;
  readonly #backlogMs: number;
  readonly #closeTimeoutMs: number;
  readonly #closeHost: ((code: number, reason: string) => void) | undefined;
  readonly #modelHeldBytes: number;
  /** Input audio received, in samples: the session's input time. */
  #inputSamples = 0;
  /** PCM16's odd last byte of an append, waiting for the next append's first. */
  #carry: number | undefined;
  /** Whether appended audio is being dropped (the client heard why once). */
  #dropping = false;
  /** Set by `session.close`: the input ended, the model finishes. */
  #closing = false;
  #closeTimer: ReturnType<typeof setTimeout> | undefined;
  #closed = false;

  constructor(options: TranslationSessionOptions<FrameFormat>) {
    this.#model = options.model;
    this.#closeHost = options.close?.bind(options);
    this.#boundary = new FaultBoundary({
      close: () => this.close(),
      isClosed: () => this.#closed,
      closeHost: this.#closeHost,
    });
    this.#backlogMs = positive(options.maxInputBacklogMs, DEFAULT_BACKLOG_MS);
    // Past a timer's range (24.8 days) a runtime fires it at once: held to the range.
    this.#closeTimeoutMs = Math.min(
      positive(options.closeTimeoutMs, DEFAULT_CLOSE_TIMEOUT_MS),
      MAX_TIMER_MS,
    );
    this.#modelHeldBytes = declaredHeldBytes(options.model);
    this.#frames = this.#makeFrames(options);
    const frames = this.#frames;
    const id = options.ids ?? createSessionIds();
    this.#sessionId = id('sess');
    this.#settings = new TranslationSessionSettings(
      {
        nextEventId: frames.nextEventId,
        emit: (event) => frames.event(event),
        refuse: (refusal, eventId) => this.#refuse(refusal, eventId),
      },
      defaultTranslationSession(
        this.#sessionId,
        options.modelName ?? 'gpt-realtime-translate',
        Math.floor((options.now ?? Date.now)() / 1000),
        initialLanguage(options.language),
      ),
    );
    this.#input = new TranslationInput(this.#backlogMs * SAMPLES_PER_MS * 2);
    this.#writer = new TranslationOutputWriter({
      frames,
      inputMs: () => this.#inputSamples / SAMPLES_PER_MS,
      inputTranscription: () => this.#settings.model.inputTranscription,
      sendReady: options.sendReady?.bind(options),
      fault: () => this.#boundary.fault(),
    });
    queueMicrotask(() =>
      this.#boundary.guard(() => {
        this.#settings.announce();
        this.#start();
      }),
    );
  }

  get heldBytes(): number {
    if (this.#closed) return 0;
    return this.#input.heldBytes + this.#settings.heldBytes + this.#modelHeldBytes;
  }

  receive(
    frame: string | Uint8Array,
    decoded?: RealtimeTranslationClientEvent | RealtimeClientEvent,
  ): void {
    if (this.#closed) return;
    this.#boundary.guard(() => this.#receive(frame, decoded));
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#closeTimer !== undefined) clearTimeout(this.#closeTimer);
    this.#closeTimer = undefined;
    this.#writer.end();
    this.#input.abort();
    this.#abort.abort();
  }

  /** The model's one call: it runs until the session ends. */
  #start(): void {
    if (this.#closed) return;
    const settings = this.#settings;
    const request: TranslationRequest = {
      sessionId: this.#sessionId,
      audio: this.#input,
      get settings() {
        return settings.model;
      },
    };
    let answer: Promise<void> | void;
    try {
      answer = this.#model.translate(request, this.#writer.output, this.#abort.signal);
    } catch (error) {
      this.#failed(error);
      return;
    }
    Promise.resolve(answer).then(
      () => this.#boundary.guard(() => this.#finish()),
      (error: unknown) => this.#boundary.guard(() => this.#failed(error)),
    );
  }

  #receive(
    frame: string | Uint8Array,
    decoded: RealtimeTranslationClientEvent | RealtimeClientEvent | undefined,
  ): void {
    this.#settings.announce();
    const event = decoded ?? this.#decode(frame);
    if (event === undefined) return;
    if (!TRANSLATION_TYPES.has(event.type)) {
      // Only a host's Realtime decoding brings one here: answered as its frame would be.
      this.#refuse(refusals.notInTranslationSession(event.type), event.event_id);
      return;
    }
    // The decoder checks fields' JSON types; the live API also refuses unknown parameters and
    // values outside the spec's enums and bounds.
    const problem = translationClientEventProblem(event);
    if (problem !== undefined) {
      // An event_id past the spec's length is the problem itself, so it is not echoed.
      this.#refuse(
        refusals.invalidParameter(problem),
        problem.param === 'event_id' ? null : event.event_id,
      );
      return;
    }
    // After `session.close` nothing more is taken: the model is finishing.
    if (this.#closing) return;
    this.#handle(event as RealtimeTranslationClientEvent);
  }

  /** The frame's client event, or `undefined` once the client heard why it is not one. */
  #decode(frame: string | Uint8Array): RealtimeTranslationClientEvent | undefined {
    const result = decodeTranslationClientEvent(frame, { maxNesting: MAX_NESTING_DEPTH });
    if (!result.ok) {
      this.#refuse(refusals.undecodable(result.error), result.error.eventId);
      return undefined;
    }
    if (!result.known) {
      const { type, event_id: eventId } = result.event as { type: string; event_id?: unknown };
      // A Realtime event is named (its type is the protocol's, not the client's words).
      this.#refuse(
        REALTIME_TYPES.has(type) ? refusals.notInTranslationSession(type) : refusals.unknownEvent(),
        typeof eventId === 'string' ? eventId : undefined,
      );
      return undefined;
    }
    return result.event;
  }

  #handle(event: RealtimeTranslationClientEvent): void {
    switch (event.type) {
      case 'session.update':
        this.#settings.update(event);
        return;
      case 'session.input_audio_buffer.append':
        this.#append(event);
        return;
      case 'session.close':
        this.#closeRequested();
        return;
      default: {
        const unknown: never = event;
        throw new TypeError(
          `TranslationSessionEngine: unhandled ${(unknown as { type: string }).type}`,
        );
      }
    }
  }

  /** Input audio: whole samples, stamped with their place in the session, queued for the model. */
  #append(event: TranslationClientEventOf<'session.input_audio_buffer.append'>): void {
    let bytes = decodeBase64(event.audio);
    if (bytes === undefined) {
      this.#refuse(refusals.audioNotBase64(), event.event_id);
      return;
    }
    if (this.#carry !== undefined) {
      const joined = new Uint8Array(bytes.length + 1);
      joined[0] = this.#carry;
      joined.set(bytes, 1);
      bytes = joined;
      this.#carry = undefined;
    }
    if (bytes.length % 2 === 1) {
      this.#carry = bytes[bytes.length - 1];
      bytes = bytes.subarray(0, bytes.length - 1);
    }
    if (bytes.length === 0) return;
    // Decoded into a buffer of its own at offset 0: a view, not a copy.
    const pcm = new Int16Array(bytes.buffer, bytes.byteOffset, bytes.length >> 1);
    // A long append reaches the model as chunks of at most a second, each a copy: a view
    // would keep the whole append alive for as long as any second of it is held (queued,
    // kept by a model), past what `heldBytes` counts and past the backlog's bound.
    const long = pcm.length > MAX_CHUNK_SAMPLES;
    let dropped = false;
    for (let offset = 0; offset < pcm.length; offset += MAX_CHUNK_SAMPLES) {
      const end = offset + MAX_CHUNK_SAMPLES;
      const piece = long ? pcm.slice(offset, end) : pcm;
      const startMs = this.#inputSamples / SAMPLES_PER_MS;
      this.#inputSamples += piece.length;
      const queued = this.#input.push({
        pcm: piece,
        startMs,
        endMs: this.#inputSamples / SAMPLES_PER_MS,
        settings: this.#settings.model,
      });
      if (!queued) dropped = true;
    }
    if (!dropped) {
      this.#dropping = false;
      return;
    }
    if (this.#dropping) return;
    this.#dropping = true;
    this.#refuse(refusals.inputAudioDropped(this.#backlogMs), event.event_id);
  }

  /** `session.close`: the input ends; once the model has finished, `session.closed`. */
  #closeRequested(): void {
    this.#closing = true;
    this.#input.end();
    this.#closeTimer = setTimeout(
      () =>
        this.#boundary.guard(() => {
          this.#closeTimer = undefined;
          this.#finish();
        }),
      this.#closeTimeoutMs,
    );
  }

  /** The model returned (or took too long to after `session.close`): `session.closed`. */
  #finish(): void {
    if (this.#closed) return;
    const frames = this.#frames;
    frames.event(TranslationServerEvents.sessionClosed(frames.nextEventId()));
    this.#end(NORMAL_CLOSE);
  }

  /** The model threw: the client hears an `error` event, then the session ends. */
  #failed(error: unknown): void {
    if (this.#closed) return;
    this.#refuse(modelFailure(error, 'The model failed to translate.'), null);
    this.#end(MODEL_CLOSE);
  }

  /** Closes the session, and the host's connection once the current call has returned. */
  #end(how: { readonly code: number; readonly reason: string }): void {
    if (this.#closed) return;
    this.close();
    const closeHost = this.#closeHost;
    if (closeHost === undefined) return;
    queueMicrotask(() => {
      try {
        closeHost(how.code, how.reason);
      } catch {
        // The host's own close failed; the session is closed either way.
      }
    });
  }

  #refuse(refusal: Refusal, eventId: string | null | undefined): void {
    const frames = this.#frames;
    frames.event(
      TranslationServerEvents.errorEvent(frames.nextEventId(), {
        ...refusal,
        event_id: eventId ?? null,
      }),
    );
  }

  #makeFrames(options: TranslationSessionOptions<FrameFormat>): TranslationFrames {
    const boundary = this.#boundary;
    const send = options.send as (frame: string | Uint8Array) => void;
    // By default one sequence: deltas get its ids written in place, every other event takes
    // them as strings from the same counter. The host's own ids come as strings everywhere.
    const custom = options.eventIds;
    const sequence = custom === undefined ? createEventIdSequence() : undefined;
    return createTranslationFrames(
      options.frames ?? 'bytes',
      (frame) => {
        if (this.#closed) return;
        try {
          send(frame);
        } catch {
          // The host's socket is broken: the session ends here.
          boundary.fault();
        }
      },
      {
        nextEventId: custom ?? (() => (sequence as EventIdSequence).next()),
        frameEventId: custom ?? (() => sequence as EventIdSequence),
      },
    );
  }
}

/** A model's declared held bytes, or 0 when it declares none (or something that is no size). */
function declaredHeldBytes(model: TranslationModel): number {
  try {
    const declared = model.maxTranslationHeldBytes;
    return typeof declared === 'number' && Number.isFinite(declared) && declared > 0 ? declared : 0;
  } catch {
    return 0;
  }
}

/** The `language` option, checked as `session.update` checks a language: a setup mistake throws. */
function initialLanguage(language: string | undefined): string {
  if (language === undefined) return 'en';
  if (typeof language !== 'string' || language.trim() === '' || language.length > 64) {
    throw new TypeError(
      'createTranslationSession: language must be a language code of 1 to 64 characters',
    );
  }
  return language;
}

/** An option that must be a positive number, else its default. */
function positive(value: number | undefined, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : fallback;
}
