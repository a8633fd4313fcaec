import type { EventId } from './event-id-sequence.ts';
import type {
  ContentEventFramesOfSpec,
  ItemEventFrames,
  ResponseEventFrames,
} from './generated/context-events.ts';

export type { ItemEventFrames, ResponseEventFrames };

/**
 * The fixed context of a stream of events, as `@rtwire/builders`' context builders hold it.
 * Accepted structurally, so the serializer never imports the builders' code: a
 * `ResponseEventBuilder`, `ItemEventBuilder` or `ContentEventBuilder` is one of these.
 */
export type EncoderContext = ResponseEncoderContext | ItemEncoderContext | ContentEncoderContext;

/** A response-level context (`ResponseEventBuilder`). */
export interface ResponseEncoderContext {
  readonly level: 'response';
  readonly responseId: string;
}

/** An item-level context (`ItemEventBuilder`). */
export interface ItemEncoderContext {
  readonly level: 'item';
  readonly responseId: string;
  readonly itemId: string;
  readonly outputIndex: number;
}

/** A content-level context (`ContentEventBuilder`). */
export interface ContentEncoderContext {
  readonly level: 'content';
  readonly responseId: string;
  readonly itemId: string;
  readonly outputIndex: number;
  readonly contentIndex: number;
}

/**
 * For each byte method `mBytes(...args)` of an encoder (and `outputAudioDeltaFromPcm`), its
 * twin `mInto(...args, target, offset = 0)`: writes the same bytes into `target` at `offset`
 * and returns their length, allocating nothing. For loops that own their buffers, and for
 * sockets that copy on `send` (Deno, Bun, browsers, Workers): the frame is written in memory
 * that stays in cache. The caller decides when `target` may be reused, so never hand a region
 * to a socket that keeps a reference (Node's `ws` does) and then write into it again. Throws a
 * `RangeError` naming the sizes when the frame does not fit.
 */
export type IntoTwins<E> = {
  [K in keyof E & string as K extends `${infer M}Bytes`
    ? `${M}Into`
    : K extends `${string}FromPcm`
      ? `${K}Into`
      : never]: E[K] extends (...args: infer A) => Uint8Array
    ? (...args: [...args: A, target: Uint8Array, offset?: number]) => number
    : never;
};

/** The frame methods of a content context, the hot path of a streaming response. */
export interface ContentEventFrames extends ContentEventFramesOfSpec {
  /**
   * The `response.output_audio.delta` frame for raw audio: the base64 of `pcm` is written
   * straight into the frame, never built as a string, scanned or copied twice.
   */
  outputAudioDeltaFromPcm(eventId: EventId, pcm: Uint8Array): Uint8Array;
  /** Writes the bytes of {@link outputAudioDeltaFromPcm} into `target` at `offset`; returns their length. */
  outputAudioDeltaFromPcmInto(
    eventId: EventId,
    pcm: Uint8Array,
    target: Uint8Array,
    offset?: number,
  ): number;
}

/** The encoder of a response context: its frame methods and their `Into` twins. */
export interface ResponseEventEncoder extends ResponseEventFrames {}

/** The encoder of an item context: its frame methods and their `Into` twins. */
export interface ItemEventEncoder extends ItemEventFrames {}

/** The encoder of a content context: its frame methods and their `Into` twins. */
export interface ContentEventEncoder extends ContentEventFrames {}

/** The encoder {@link encoderFor} returns for a context type. */
export type EncoderOf<C extends EncoderContext> = C extends ContentEncoderContext
  ? ContentEventEncoder
  : C extends ItemEncoderContext
    ? ItemEventEncoder
    : ResponseEventEncoder;
