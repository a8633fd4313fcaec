import {
  type CancelReason,
  type FunctionCallWriter,
  type MessageWriter,
  ResponseEventBuilder,
  ResponseWriter,
} from '@rtwire/builders';
import { type ContentEventEncoder, encoderFor, type ItemEventEncoder } from '@rtwire/serializer';
import type { RealtimeConversationItem, RealtimeServerEvent } from '@rtwire/types';
import type { FrameSink } from './frame-sink.ts';
import {
  type FunctionCallOutput,
  type ModelUsage,
  RealtimeModelError,
  type ResponseOutput,
} from './model.ts';
import { type AudioFormatType, bytesPerMs } from './pcm.ts';
import { responseUsage } from './response-usage.ts';

/**
 * The most characters one text, transcript or arguments delta event carries: a longer delta
 * from a model goes out as several, so no frame grows with what a model writes at once.
 */
export const MAX_DELTA_CHARS = 16_384;

/** The most audio bytes one `response.output_audio.delta` carries (683 ms of PCM16 24 kHz). */
export const MAX_AUDIO_DELTA_BYTES = 32_768;

const RESOLVED: Promise<void> = Promise.resolve();

/** Everything fixed about one response before it starts. */
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

/** What a response stream needs of its session. */
export interface ResponseHost {
  readonly sink: FrameSink;
  readonly nextEventId: () => string;
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

type ContentEncoder = ContentEventEncoder;
type ItemEncoder = ItemEventEncoder;

/**
 * One response as it streams: a {@link ResponseWriter} gets the order, ids and done payloads
 * right, and this puts the serializer on the hot path. Deltas are encoded with the context
 * encoder of their content part (its JSON prefix computed once per part), audio straight from
 * PCM into the frame; only the events that happen once per item or response go through the
 * general encoder. Its {@link output} is what the model writes to; after {@link cancel},
 * {@link fail} or {@link finish} every call on it is ignored.
 */
export class ResponseStream {
  readonly responseId: string;
  readonly output: ResponseOutput;
  readonly #plan: ResponsePlan;
  readonly #host: ResponseHost;
  readonly #writer: ResponseWriter;
  readonly #events: ResponseEventBuilder;
  #open: MessageWriter | FunctionCallWriter | undefined;
  #content: ContentEncoder | undefined;
  #item: ItemEncoder | undefined;
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
    this.#events = new ResponseEventBuilder(plan.responseId);
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
    this.#open?.interrupt();
    this.#open = undefined;
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
    this.#open?.interrupt();
    this.#open = undefined;
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
      text: (delta) => {
        if (!this.#active || typeof delta !== 'string' || delta === '') return;
        const message = this.#message();
        this.#outputText += delta.length;
        for (const piece of pieces(delta)) {
          if (message.modality === 'text') message.text(piece);
          else message.transcript(piece);
        }
      },
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
    const message = this.#message();
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
    const content = this.#content as ContentEncoder;
    for (let offset = 0; offset < pcm.length; offset += MAX_AUDIO_DELTA_BYTES) {
      const piece = pcm.subarray(offset, offset + MAX_AUDIO_DELTA_BYTES);
      this.#host.sink.bytes(content.outputAudioDeltaFromPcm(this.#host.nextEventId(), piece));
    }
    this.#audioBytes += pcm.length;
    this.#itemAudioBytes += pcm.length;
  }

  #message(): MessageWriter {
    const open = this.#open;
    if (open !== undefined && 'modality' in open) return open;
    this.#closeOpen();
    const message = this.#writer.message({
      itemId: this.#host.nextItemId(),
      modality: this.#plan.modality,
    });
    this.#open = message;
    this.#itemAudioBytes = 0;
    // Half a sample of the message before cannot start this one.
    this.#carry = undefined;
    this.#content = encoderFor(
      this.#events.forItem(message.itemId, message.outputIndex).forContent(0),
    );
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
    this.#item = encoderFor(this.#events.forItem(call.itemId, call.outputIndex));
    return {
      arguments: (delta) => {
        if (!this.#active || call.finished || typeof delta !== 'string' || delta === '') return;
        this.#outputText += delta.length;
        for (const piece of pieces(delta)) call.arguments(piece);
      },
      done: () => {
        if (!this.#active || call.finished) return;
        call.done();
        if (this.#open === call) this.#open = undefined;
      },
    };
  }

  #closeOpen(): void {
    const open = this.#open;
    this.#open = undefined;
    if (open !== undefined && !open.finished) open.done();
  }

  /** Every event of the writer passes here: deltas take the fast path, the rest the general one. */
  #emit(event: RealtimeServerEvent): void {
    const { sink } = this.#host;
    const bytes = sink.format === 'bytes';
    switch (event.type) {
      case 'response.output_text.delta': {
        const content = this.#content as ContentEncoder;
        if (bytes) sink.bytes(content.outputTextDeltaBytes(event.event_id, event.delta));
        else sink.text(content.outputTextDelta(event.event_id, event.delta));
        return;
      }
      case 'response.output_audio_transcript.delta': {
        const content = this.#content as ContentEncoder;
        if (bytes) sink.bytes(content.outputAudioTranscriptDeltaBytes(event.event_id, event.delta));
        else sink.text(content.outputAudioTranscriptDelta(event.event_id, event.delta));
        return;
      }
      case 'response.function_call_arguments.delta': {
        const item = this.#item as ItemEncoder;
        if (bytes) {
          sink.bytes(
            item.functionCallArgumentsDeltaBytes(event.event_id, event.call_id, event.delta),
          );
        } else {
          sink.text(item.functionCallArgumentsDelta(event.event_id, event.call_id, event.delta));
        }
        return;
      }
      case 'conversation.item.added':
        this.#host.onItem(event.item, false);
        break;
      case 'conversation.item.done':
        this.#host.onItem(event.item, true);
        break;
    }
    sink.event(event);
  }

  #usageOf() {
    return responseUsage(this.#usage, {
      textTokens: Math.ceil(this.#outputText / 4),
      audioTokens: Math.ceil(this.#audioBytes / bytesPerMs(this.#plan.outputFormat) / 20),
    });
  }
}

/** A delta in pieces of at most {@link MAX_DELTA_CHARS}, never between a surrogate pair. */
function* pieces(delta: string): Generator<string> {
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
