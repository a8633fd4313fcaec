/**
 * Bytes of PCM16 mono at 24 kHz per millisecond: the session's output format, which the
 * playout queues before a frame is resampled and encoded for the track.
 */
const BYTES_PER_MS = 48;

/** Items whose sent audio a playout remembers: a truncate names one of the last few. */
const MAX_ITEMS_REMEMBERED = 64;

/** What the playout tells its call, in the order it happens. */
export type PlayoutEvent =
  /** The first frame of a response's audio went out on the track. */
  | { readonly type: 'output_audio_buffer.started'; readonly responseId: string }
  /** The last frame of a finished response's audio went out. */
  | { readonly type: 'output_audio_buffer.stopped'; readonly responseId: string }
  /** Audio still to play was dropped (a `clear` or a barge-in). */
  | { readonly type: 'output_audio_buffer.cleared'; readonly responseId: string };

/** What was playing when {@link OutputPlayout.clear} cut it: where to truncate the item. */
export interface PlayoutCut {
  readonly responseId: string;
  readonly itemId: string;
  readonly contentIndex: number;
  /** Milliseconds of the item's audio that went out on the track before the cut. */
  readonly sentMs: number;
}

/** Options of {@link OutputPlayout}. */
export interface OutputPlayoutOptions {
  /** Milliseconds of audio per frame handed to {@link OutputPlayoutOptions.frame} (10 or 20). */
  readonly frameMs: 10 | 20;
  /** Most milliseconds of audio queued; {@link OutputPlayout.push} refuses past it. */
  readonly maxQueuedMs: number;
  /** Takes one frame of PCM16 24 kHz mono, `frameMs` long, to encode and send now. */
  frame(pcm: Uint8Array): void;
  /** Takes a playout event, to send on the data channel. */
  event(event: PlayoutEvent): void;
}

interface Segment {
  readonly responseId: string;
  readonly itemId: string;
  readonly contentIndex: number;
  readonly pcm: Uint8Array;
  offset: number;
}

/**
 * The output audio of a WebRTC call between the engine and the track. The engine streams a
 * response's audio as fast as it makes it; the track must carry it in real time, one frame
 * every `frameMs`. The playout queues what came, hands out a frame per {@link tick} that is
 * due, and keeps what the API reports over WebRTC: `output_audio_buffer.started` when a
 * response's first frame goes out, `.stopped` when the last one of a finished response has,
 * `.cleared` when a cut dropped what was left, and how much of each item was really sent,
 * which is where a barge-in truncates it.
 *
 * It keeps no clock: its pacer calls {@link tick} with how many frames are due.
 *
 * @example
 * ```ts
 * const playout = new OutputPlayout({ frameMs: 20, maxQueuedMs: 60_000, frame: sendOpus, event: sendEvent });
 * playout.push('resp_1', 'item_1', 0, pcm);
 * playout.finish('resp_1');
 * playout.tick(1); // one 20 ms frame out, and output_audio_buffer.started before it
 * ```
 */
export class OutputPlayout {
  readonly #options: OutputPlayoutOptions;
  readonly #frameBytes: number;
  readonly #queue: Segment[] = [];
  #queuedBytes = 0;
  /** The response whose audio is on the track (started, not yet stopped or cleared). */
  #playing: string | undefined;
  /** Responses whose audio is all queued: they stop once it has played. */
  readonly #finished = new Set<string>();
  /** Bytes of each item's audio sent on the track, for truncation. */
  readonly #sentBytes = new Map<string, number>();
  /** The segment the last frame took audio from: what a cut after the queue ran dry cuts. */
  #lastSent: Segment | undefined;

  constructor(options: OutputPlayoutOptions) {
    this.#options = options;
    this.#frameBytes = options.frameMs * BYTES_PER_MS;
  }

  /** Bytes of audio waiting to be played (what the call counts as buffered). */
  get queuedBytes(): number {
    return this.#queuedBytes;
  }

  /** Milliseconds of audio waiting to be played. */
  get queuedMs(): number {
    return Math.ceil(this.#queuedBytes / BYTES_PER_MS);
  }

  /** Whether a response's audio is on the track now. */
  get playing(): boolean {
    return this.#playing !== undefined;
  }

  /**
   * Queues a response's audio (PCM16 24 kHz mono). Returns `false`, queuing nothing, when it
   * would take the queue past `maxQueuedMs`: the caller holds the stream back, as a socket's
   * backpressure would.
   */
  push(responseId: string, itemId: string, contentIndex: number, pcm: Uint8Array): boolean {
    if (pcm.length === 0) return true;
    if ((this.#queuedBytes + pcm.length) / BYTES_PER_MS > this.#options.maxQueuedMs) return false;
    this.#queue.push({ responseId, itemId, contentIndex, pcm, offset: 0 });
    this.#queuedBytes += pcm.length;
    return true;
  }

  /**
   * No more audio will come for this response: once what is queued has played it stops
   * (at once, when nothing of it is queued or playing).
   */
  finish(responseId: string): void {
    this.#finished.add(responseId);
    if (this.#playing === responseId && !this.#queue.some((s) => s.responseId === responseId)) {
      this.#stop(responseId);
    } else if (
      this.#playing !== responseId &&
      !this.#queue.some((s) => s.responseId === responseId)
    ) {
      // Never started (no audio, or all of it cleared): nothing to report.
      this.#finished.delete(responseId);
    }
  }

  /**
   * Sends up to `frames` due frames; returns how many went out. A response's last partial
   * frame waits until the response is finished (then it is padded with silence).
   */
  tick(frames: number): number {
    let sent = 0;
    while (sent < frames && this.#headReady()) {
      this.#sendFrame();
      sent++;
    }
    return sent;
  }

  /**
   * Whether a whole frame of the head response is queued, or the rest of a response that will
   * get no more: a partial frame sent mid-stream would put silence inside the reply.
   */
  #headReady(): boolean {
    const head = this.#queue[0];
    if (head === undefined) return false;
    let bytes = 0;
    for (const segment of this.#queue) {
      if (segment.responseId !== head.responseId) return true;
      bytes += segment.pcm.length - segment.offset;
      if (bytes >= this.#frameBytes) return true;
    }
    return this.#finished.has(head.responseId);
  }

  /**
   * Drops every queued frame at once. Returns where the response on the track (or the next
   * one queued) was cut: its item and the milliseconds of it that went out, after reporting
   * `output_audio_buffer.cleared` when one was playing; `undefined` when nothing was playing
   * or queued.
   */
  clear(): PlayoutCut | undefined {
    const head = this.#queue[0];
    const responseId = this.#playing ?? head?.responseId;
    if (responseId === undefined) return undefined;
    const cutItem = head !== undefined && head.responseId === responseId ? head : undefined;
    const last = this.#lastSent;
    const wasPlaying = this.#playing !== undefined;
    this.#queue.length = 0;
    this.#queuedBytes = 0;
    this.#playing = undefined;
    this.#finished.clear();
    // Audio queued but never started was never announced, so its drop is not either.
    if (wasPlaying) this.#options.event({ type: 'output_audio_buffer.cleared', responseId });
    const item = cutItem ?? (last?.responseId === responseId ? last : undefined);
    if (item === undefined) return undefined;
    return {
      responseId,
      itemId: item.itemId,
      contentIndex: item.contentIndex,
      sentMs: this.sentMs(item.itemId),
    };
  }

  /** Milliseconds of an item's audio that went out on the track. */
  sentMs(itemId: string): number {
    return Math.floor((this.#sentBytes.get(itemId) ?? 0) / BYTES_PER_MS);
  }

  /** Forgets an item's sent audio (the item left the conversation). */
  forget(itemId: string): void {
    this.#sentBytes.delete(itemId);
  }

  #sendFrame(): void {
    const frame = new Uint8Array(this.#frameBytes);
    let filled = 0;
    const head = this.#queue[0] as Segment;
    const responseId = head.responseId;
    if (this.#playing !== responseId) {
      if (this.#playing !== undefined) this.#stop(this.#playing);
      this.#playing = responseId;
      this.#options.event({ type: 'output_audio_buffer.started', responseId });
    }
    // One frame carries one response's audio: a frame is never shared by two responses, so a
    // cut or a stop falls on a frame's edge. The tail of a response is padded with silence.
    while (filled < frame.length) {
      const segment = this.#queue[0];
      if (segment === undefined || segment.responseId !== responseId) break;
      const take = Math.min(frame.length - filled, segment.pcm.length - segment.offset);
      frame.set(segment.pcm.subarray(segment.offset, segment.offset + take), filled);
      segment.offset += take;
      filled += take;
      this.#queuedBytes -= take;
      this.#countSent(segment.itemId, take);
      this.#lastSent = segment;
      if (segment.offset === segment.pcm.length) this.#queue.shift();
    }
    this.#options.frame(frame);
    const next = this.#queue[0];
    if (this.#finished.has(responseId) && (next === undefined || next.responseId !== responseId)) {
      this.#stop(responseId);
    }
  }

  #countSent(itemId: string, bytes: number): void {
    const before = this.#sentBytes.get(itemId);
    if (before === undefined && this.#sentBytes.size >= MAX_ITEMS_REMEMBERED) {
      // Bounded: only recent items are ever truncated, so the oldest is forgotten first.
      const oldest = this.#sentBytes.keys().next().value as string;
      this.#sentBytes.delete(oldest);
    }
    this.#sentBytes.set(itemId, (before ?? 0) + bytes);
  }

  #stop(responseId: string): void {
    this.#finished.delete(responseId);
    if (this.#playing === responseId) this.#playing = undefined;
    this.#options.event({ type: 'output_audio_buffer.stopped', responseId });
  }
}
