import {
  type CancelReason,
  type FunctionCallWriter,
  type MessageWriter,
  ResponseWriter,
} from '@rtwire/builders';
import { type ContentEventEncoder, type EventId, encoderFor } from '@rtwire/serializer';
import type { RealtimeConversationItem, RealtimeServerEvent } from '@rtwire/types';
import type { FrameSink } from '../frame-sink.ts';
import {
  type FunctionCallOutput,
  type ModelUsage,
  RealtimeModelError,
  type ResponseOutput,
} from '../model.ts';
import { type AudioFormatType, bytesPerMs } from '../pcm.ts';
import { responseUsage } from './response-usage.ts';

/**
 * The most characters one text, transcript or arguments delta event carries: a longer delta
 * from a model goes out as several, so no frame grows with what a model writes at once.
 *
 * @example
 * ```ts
 * for (const piece of deltaPieces(delta)) send(piece); // each at most MAX_DELTA_CHARS
 * ```
 */
export const MAX_DELTA_CHARS = 16_384;

/**
 * The most audio bytes one `response.output_audio.delta` carries (683 ms of PCM16 24 kHz).
 *
 * @example
 * ```ts
 * pcm.subarray(offset, offset + MAX_AUDIO_DELTA_BYTES);
 * ```
 */
export const MAX_AUDIO_DELTA_BYTES = 32_768;

const RESOLVED: Promise<void> = Promise.resolve();
const ignoreDelta = (_delta: string): void => {};

/**
 * Everything fixed about one response before it starts.
 *
 * @example
 * ```ts
 * const plan: ResponsePlan = {
 *   responseId: 'resp_1', modality: 'text', outputFormat: 'audio/pcm', voice: 'marin',
 *   conversationId: 'conv_1', previousItemId: null, maxOutputTokens: 'inf', metadata: null,
 * };
 * ```
 */
export interface ResponsePlan {
  readonly responseId: string;
  readonly modality: 'text' | 'audio';
  readonly outputFormat: AudioFormatType;
  readonly voice: string;
  /** `null` for an out-of-band response. */
  readonly conversationId: string | null;
  readonly previousItemId: string | null;
  readonly maxOutputTokens: number | 'inf';
  readonly metadata: Readonly<Record<string, string>> | null;
}

/**
 * What a response stream needs of its session.
 *
 * @example
 * ```ts
 * const host: ResponseHost = {
 *   sink, nextEventId, frameEventId, nextItemId: () => id('item'), nextCallId: () => id('call'),
 *   onItem: (item, finished) => {}, onAudio: (itemId, ms) => {}, onEnd: (audioMs) => {},
 * };
 * ```
 */
export interface ResponseHost {
  readonly sink: FrameSink;
  readonly nextEventId: () => string;
  /** The event id of a delta frame (see `EngineContext.frameEventId`). */
  readonly frameEventId: () => EventId;
  readonly nextItemId: () => string;
  readonly nextCallId: () => string;
  /** An output item was announced (`conversation.item.added`) or finished (`.done`). */
  onItem(item: RealtimeConversationItem, finished: boolean): void;
  /** Audio was streamed for an item, `ms` in all so far. */
  onAudio(itemId: string, ms: number): void;
  /** `response.done` was sent; `audioMs` of audio the response streamed in all. */
  onEnd(audioMs: number): void;
  /**
   * Whether the session's send path can take more frames: `undefined` when it can now, else a
   * promise that resolves when it can (what {@link ResponseOutput.ready} waits on). Unset:
   * always ready.
   */
  sendReady?(): Promise<void> | undefined;
}

/**
 * One response as it streams. A {@link ResponseWriter} emits the events that happen once per
 * item or response (ids, order and done payloads right), through the general encoder. Deltas
 * take one path: from the model's output straight to the encoder bound to their content part
 * or item (its JSON prefix computed once), text as written, audio from PCM into the frame; no
 * event object is built for them, and the writer is only told what was sent
 * ({@link MessageWriter.record}) so its done events carry it. Its {@link output} is what the
 * model writes to; after {@link cancel}, {@link fail} or {@link finish} every call on it is
 * ignored.
 *
 * @example
 * ```ts
 * const stream = new ResponseStream(plan, host);
 * stream.start(); // response.created
 * stream.output.text('Hello'); // output_item.added … content_part.added, then the delta
 * stream.finish(); // the done events, response.done
 * ```
 */
export class ResponseStream {
  readonly responseId: string;
  readonly output: ResponseOutput;
  readonly #plan: ResponsePlan;
  readonly #host: ResponseHost;
  readonly #writer: ResponseWriter;
  /** Whether frames are made as bytes (else as text), the session's form. */
  readonly #bytes: boolean;
  /** The open item: a message, or a function call. */
  #open: MessageWriter | FunctionCallWriter | undefined;
  /** The open message, when the open item is one, and its content part's encoder. */
  #message: MessageWriter | undefined;
  #content: ContentEventEncoder | undefined;
  /** Sends a text delta of the open message's part (see `#textSender`). */
  #sendText: (delta: string) => void = ignoreDelta;
  #active = true;
  #usage: ModelUsage | undefined;
  #outputText = 0;
  #audioBytes = 0;
  #itemAudioBytes = 0;
  /** The odd byte of a PCM16 chunk, waiting for the next chunk to complete its sample. */
  #carry: number | undefined;
  #ended: { promise: Promise<void>; resolve: () => void } | undefined;

  constructor(plan: ResponsePlan, host: ResponseHost) {
    this.responseId = plan.responseId;
    this.#plan = plan;
    this.#host = host;
    this.#bytes = host.sink.format === 'bytes';
    this.#writer = new ResponseWriter({
      responseId: plan.responseId,
      emit: (event) => this.#emit(event),
      eventIds: host.nextEventId,
      conversationId: plan.conversationId,
      inConversation: plan.conversationId !== null,
      previousItemId: plan.previousItemId,
      outputModalities: [plan.modality],
      maxOutputTokens: plan.maxOutputTokens,
      metadata: plan.metadata,
      audio: {
        output: {
          format:
            plan.outputFormat === 'audio/pcm'
              ? { type: 'audio/pcm', rate: 24_000 }
              : { type: plan.outputFormat },
          voice: plan.voice,
        },
      },
    });
    this.output = this.#makeOutput();
  }

  /** Whether `response.done` is still to come. */
  get active(): boolean {
    return this.#active;
  }

  /**
   * Bytes of text and arguments this response holds until `response.done` (its items carry
   * them whole), counted as two bytes a UTF-16 code unit.
   */
  get heldBytes(): number {
    return this.#outputText * 2;
  }

  /** Emits `response.created`. */
  start(): void {
    this.#writer.start();
  }

  /** Ends the response as the model left it: open items finished, `status: 'completed'`. */
  finish(): void {
    if (!this.#active) return;
    this.#closeOpen();
    this.#end(() => this.#writer.done({ usage: this.#usageOf() }));
  }

  /** Ends the response now with `status: 'cancelled'`; an open item ends `incomplete`. */
  cancel(reason: CancelReason): void {
    if (!this.#active) return;
    this.#end(() => this.#writer.cancel(reason, this.#usageOf()));
  }

  /**
   * Ends the response with `status: 'failed'` after the model threw. The client hears the
   * error's code only for a {@link RealtimeModelError}, its message only when it is exposed.
   */
  fail(error: unknown): void {
    if (!this.#active) return;
    // By brand, not prototype: a model may import another installed copy of this package.
    const known = RealtimeModelError.isInstance(error) ? error : undefined;
    const code = known?.code ?? 'model_error';
    this.#interruptOpen();
    this.#end(() =>
      this.#writer.done({
        status: 'failed',
        statusDetails: { type: 'failed', error: { type: 'server_error', code } },
        usage: this.#usageOf(),
      }),
    );
    this.#host.sink.event({
      type: 'error',
      event_id: this.#host.nextEventId(),
      error: {
        type: 'server_error',
        code,
        message: known?.expose === true ? known.message : 'The model failed to produce a response.',
        param: null,
        event_id: null,
      },
    });
  }

  /** Ends the response with `status: 'incomplete'`, the open item interrupted. */
  incomplete(reason: 'max_output_tokens' | 'content_filter'): void {
    if (!this.#active) return;
    this.#interruptOpen();
    this.#end(() =>
      this.#writer.done({
        status: 'incomplete',
        statusDetails: { type: 'incomplete', reason },
        usage: this.#usageOf(),
      }),
    );
  }

  #end(done: () => void): void {
    this.#active = false;
    this.#carry = undefined;
    this.#ended?.resolve();
    done();
    this.#host.onEnd(Math.floor(this.#audioBytes / bytesPerMs(this.#plan.outputFormat)));
  }

  #makeOutput(): ResponseOutput {
    return {
      text: (delta) => this.#text(delta),
      audio: (chunk) => this.#audio(chunk),
      functionCall: (call) => this.#functionCall(call.name, call.callId),
      usage: (usage) => {
        if (this.#active) this.#usage = usage;
      },
      incomplete: (reason) => {
        if (reason === 'max_output_tokens' || reason === 'content_filter') this.incomplete(reason);
      },
      ready: () => this.#ready(),
    };
  }

  /** Text deltas in a text response, transcript deltas in an audio one: the hot path. */
  #text(delta: string): void {
    if (!this.#active || typeof delta !== 'string' || delta === '') return;
    const message = this.#message ?? this.#openMessage();
    this.#outputText += delta.length;
    if (delta.length <= MAX_DELTA_CHARS) {
      this.#textDelta(message, delta);
      return;
    }
    for (const piece of deltaPieces(delta)) this.#textDelta(message, piece);
  }

  #textDelta(message: MessageWriter, delta: string): void {
    message.record(delta);
    this.#sendText(delta);
  }

  /**
   * How the open part's text deltas are sent, chosen once per part rather than per delta:
   * text or transcript events (by the response's modality), as bytes or as text (the
   * session's form).
   */
  #textSender(content: ContentEventEncoder): (delta: string) => void {
    const { sink, frameEventId } = this.#host;
    if (this.#plan.modality === 'text') {
      if (this.#bytes) {
        const encode = content.outputTextDeltaBytes;
        return (delta) => sink.bytes(encode(frameEventId(), delta));
      }
      const encode = content.outputTextDelta;
      return (delta) => sink.text(encode(frameEventId(), delta));
    }
    if (this.#bytes) {
      const encode = content.outputAudioTranscriptDeltaBytes;
      return (delta) => sink.bytes(encode(frameEventId(), delta));
    }
    const encode = content.outputAudioTranscriptDelta;
    return (delta) => sink.text(encode(frameEventId(), delta));
  }

  #ready(): Promise<void> {
    if (!this.#active || this.#host.sendReady === undefined) return RESOLVED;
    let waiting: Promise<void> | undefined;
    try {
      waiting = this.#host.sendReady();
    } catch {
      return RESOLVED;
    }
    if (waiting === undefined) return RESOLVED;
    if (this.#ended === undefined) {
      let resolve = () => {};
      const promise = new Promise<void>((done) => {
        resolve = done;
      });
      this.#ended = { promise, resolve };
    }
    // Also when the response ends first (a cancel): the model must not wait on a client that
    // stopped reading for a response nobody will read.
    return Promise.race([waiting, this.#ended.promise]).then(
      () => {},
      () => {},
    );
  }

  /** Whole samples only: PCM16's odd byte waits for the next chunk (see `ResponseOutput.audio`). */
  #audio(chunk: Uint8Array): void {
    if (!this.#active || this.#plan.modality !== 'audio') return;
    if (!(chunk instanceof Uint8Array) || chunk.length === 0) return;
    const message = this.#message ?? this.#openMessage();
    let tail = chunk;
    if (this.#carry !== undefined) {
      // The held byte and the chunk's first bytes make one delta; the rest is sent as it came.
      const head = new Uint8Array(Math.min(MAX_AUDIO_DELTA_BYTES, chunk.length + 1));
      head[0] = this.#carry;
      head.set(chunk.subarray(0, head.length - 1), 1);
      this.#carry = undefined;
      tail = chunk.subarray(head.length - 1);
      if (tail.length === 0) tail = head;
      else this.#sendAudio(head);
    }
    if (this.#plan.outputFormat === 'audio/pcm' && tail.length % 2 === 1) {
      this.#carry = tail[tail.length - 1];
      tail = tail.subarray(0, tail.length - 1);
    }
    this.#sendAudio(tail);
    this.#host.onAudio(
      message.itemId,
      Math.floor(this.#itemAudioBytes / bytesPerMs(this.#plan.outputFormat)),
    );
  }

  #sendAudio(pcm: Uint8Array): void {
    const content = this.#content as ContentEventEncoder;
    const { sink, frameEventId } = this.#host;
    if (pcm.length === 0) return;
    if (pcm.length <= MAX_AUDIO_DELTA_BYTES) {
      sink.bytes(content.outputAudioDeltaFromPcm(frameEventId(), pcm));
    } else {
      for (let offset = 0; offset < pcm.length; offset += MAX_AUDIO_DELTA_BYTES) {
        const piece = pcm.subarray(offset, offset + MAX_AUDIO_DELTA_BYTES);
        sink.bytes(content.outputAudioDeltaFromPcm(frameEventId(), piece));
      }
    }
    this.#audioBytes += pcm.length;
    this.#itemAudioBytes += pcm.length;
  }

  /** Opens an assistant message (finishing the open item) and binds its part's encoder. */
  #openMessage(): MessageWriter {
    this.#closeOpen();
    const message = this.#writer.message({
      itemId: this.#host.nextItemId(),
      modality: this.#plan.modality,
    });
    this.#open = message;
    this.#message = message;
    this.#itemAudioBytes = 0;
    // Half a sample of the message before cannot start this one.
    this.#carry = undefined;
    this.#content = encoderFor(message.content);
    this.#sendText = this.#textSender(this.#content);
    return message;
  }

  #functionCall(name: string, callId: string | undefined): FunctionCallOutput {
    if (!this.#active) return { arguments() {}, done() {} };
    this.#closeOpen();
    const call = this.#writer.functionCall({
      itemId: this.#host.nextItemId(),
      callId: callId ?? this.#host.nextCallId(),
      name,
    });
    this.#open = call;
    const item = encoderFor(call.item);
    return {
      arguments: (delta) => {
        if (!this.#active || call.finished || typeof delta !== 'string' || delta === '') return;
        this.#outputText += delta.length;
        for (const piece of deltaPieces(delta)) {
          call.record(piece);
          const eventId = this.#host.frameEventId();
          const { sink } = this.#host;
          if (this.#bytes) {
            sink.bytes(item.functionCallArgumentsDeltaBytes(eventId, call.callId, piece));
          } else {
            sink.text(item.functionCallArgumentsDelta(eventId, call.callId, piece));
          }
        }
      },
      done: () => {
        if (!this.#active || call.finished) return;
        call.done();
        if (this.#open === call) this.#open = undefined;
      },
    };
  }

  /** Finishes the open item (its done events), as the model left it. */
  #closeOpen(): void {
    const open = this.#open;
    this.#open = undefined;
    this.#message = undefined;
    if (open !== undefined && !open.finished) open.done();
  }

  /** Ends the open item `incomplete`: the response ends before the model finished it. */
  #interruptOpen(): void {
    this.#open?.interrupt();
    this.#open = undefined;
    this.#message = undefined;
  }

  /**
   * Every event of the writer passes here, none of them a delta (those never become events):
   * the items the conversation keeps are handed over, and each is encoded once.
   */
  #emit(event: RealtimeServerEvent): void {
    if (event.type === 'conversation.item.added') this.#host.onItem(event.item, false);
    else if (event.type === 'conversation.item.done') this.#host.onItem(event.item, true);
    this.#host.sink.event(event);
  }

  #usageOf() {
    return responseUsage(this.#usage, {
      textTokens: Math.ceil(this.#outputText / 4),
      audioTokens: Math.ceil(this.#audioBytes / bytesPerMs(this.#plan.outputFormat) / 20),
    });
  }
}

/**
 * A delta in pieces of at most {@link MAX_DELTA_CHARS}, never between a surrogate pair: how
 * a long delta goes out as several frames.
 *
 * @example
 * ```ts
 * for (const piece of deltaPieces(delta)) sendDelta(piece);
 * ```
 */
export function* deltaPieces(delta: string): Generator<string> {
  if (delta.length <= MAX_DELTA_CHARS) {
    yield delta;
    return;
  }
  for (let start = 0; start < delta.length; ) {
    let end = Math.min(delta.length, start + MAX_DELTA_CHARS);
    const last = delta.charCodeAt(end - 1);
    if (end < delta.length && last >= 0xd800 && last <= 0xdbff) end--;
    yield delta.slice(start, end);
    start = end;
  }
}
