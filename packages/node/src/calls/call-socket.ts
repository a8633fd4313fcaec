import { Buffer } from 'node:buffer';
import { ClientEvents, ResponseEventBuilder, TranslationClientEvents } from '@rtwire/builders';
import {
  CallSidebands,
  type DuplexSocket,
  type DuplexSocketHandlers,
  peekEventType,
} from '@rtwire/relay';
import {
  EventIdSequence,
  encodeClientEvent,
  encodeServerEvent,
  encodeTranslationClientEvent,
} from '@rtwire/serializer';
import { readAudioDelta } from './audio-delta.ts';
import { OutputPlayout, type PlayoutCut, type PlayoutEvent } from './output-playout.ts';
import { parseFrame } from './parse-frame.ts';

/**
 * What a WebRTC stack gives a call: the `oai-events` data channel, the audio track (PCM16
 * 24 kHz mono both ways; the stack does the Opus and the RTP) and the end of the peer.
 */
export interface CallTransport {
  /** Sends one event on the data channel (text). */
  sendEvent(text: string): void;
  /** Bytes the data channel holds, not yet sent. */
  readonly eventBufferedAmount: number;
  /** Sends one frame of output audio (20 ms of PCM16 24 kHz mono) on the track, now. */
  sendAudio(pcm: Uint8Array): void;
  /** Ends the call: closes the peer connection and frees its port. Idempotent. */
  close(): void;
  /** Attaches the call's handlers; called once. */
  listen(handlers: CallTransportHandlers): void;
}

/** What a {@link CallTransport} tells its call. */
export interface CallTransportHandlers {
  /** The data channel opened: events can be sent. */
  open(): void;
  /** A text message arrived on the data channel. */
  event(text: string): void;
  /** Input audio arrived from the track (PCM16 24 kHz mono, any length). */
  audio(pcm: Uint8Array): void;
  /** The peer is gone (closed, failed, or silent past the consent timeout). */
  gone(reason: string): void;
}

/** Options of {@link CallSocket}. */
export interface CallSocketOptions {
  /** Most milliseconds of output audio queued for the track (beyond it the relay's limits act). */
  readonly maxQueuedMs?: number;
  /** Milliseconds of input audio gathered into one `input_audio_buffer.append` (default 40). */
  readonly appendMs?: number;
  /** Most bytes of events held before the data channel opens, or while reading is paused. */
  readonly maxHeldBytes?: number;
  /** A clock in milliseconds (default `performance.now`), for tests. */
  readonly now?: () => number;
  /**
   * The protocol the call's session speaks (default `realtime`). A `translation` call's track
   * audio becomes `session.input_audio_buffer.append`, its `session.output_audio.delta` goes
   * to the track, and there are no responses to cut or truncate.
   */
  readonly protocol?: 'realtime' | 'translation';
}

/**
 * The playout's one stream for a translation call: a translation session's audio is one
 * continuous output, not responses and items.
 */
const TRANSLATION_STREAM = 'translation';

const FRAME_MS = 20;
const BYTES_PER_MS = 48;
/** Frames sent at once when the pacer's timer fires late; further behind, the clock restarts. */
const MAX_CATCH_UP_FRAMES = 5;

/**
 * One timer for every call's pacer: 100 wakeups a second for the process, not per call. A
 * pacer that throws is dropped (its call ends through its own guard); the others go on.
 */
class PacerTicker {
  readonly #pacers = new Set<() => void>();
  #timer: ReturnType<typeof setInterval> | undefined;

  add(pace: () => void): void {
    this.#pacers.add(pace);
    this.#timer ??= setInterval(() => {
      for (const each of this.#pacers) each();
    }, FRAME_MS / 2);
  }

  delete(pace: () => void): void {
    this.#pacers.delete(pace);
    if (this.#pacers.size === 0 && this.#timer !== undefined) {
      clearInterval(this.#timer);
      this.#timer = undefined;
    }
  }
}

const ticker = new PacerTicker();

/**
 * The client side of a relay session when the client is a WebRTC call: a {@link DuplexSocket}
 * over the call's data channel and audio track, so the relay's admission, policy, server
 * tools, limits and metrics run for calls as for WebSocket sessions.
 *
 * Toward the session, the data channel's events pass as they came, and the track's audio
 * becomes `input_audio_buffer.append` events. From the session, `response.output_audio.delta`
 * goes to the track instead of the channel, paced in real time by an {@link OutputPlayout},
 * which also reports `output_audio_buffer.started`, `.stopped` and `.cleared`. A barge-in
 * (`input_audio_buffer.speech_started`) or the client's `output_audio_buffer.clear` stops the
 * track at once and truncates the item at the audio that was really sent. Sidebands (server
 * WebSockets attached by call id) see what the channel sees and may send client events. A
 * translation call (`protocol: 'translation'`) appends `session.input_audio_buffer.append`
 * and plays `session.output_audio.delta`, with no responses to cut or report.
 *
 * @example
 * ```ts
 * const socket = new CallSocket(transport);
 * const session = pending.open(socket); // the relay session, as for a WebSocket
 * socket.attachSideband(serverSocket);
 * ```
 */
export class CallSocket implements DuplexSocket {
  readonly #transport: CallTransport;
  readonly #playout: OutputPlayout;
  readonly #ids = new EventIdSequence(`event_${crypto.randomUUID().slice(0, 8)}_`);
  readonly #now: () => number;
  readonly #appendBytes: number;
  readonly #maxHeldBytes: number;
  readonly #translation: boolean;
  readonly #sidebands = new CallSidebands((data) =>
    this.#clientEvent(typeof data === 'string' ? data : Buffer.from(data).toString('utf8')),
  );
  #handlers: DuplexSocketHandlers | undefined;
  #open = false;
  #closed = false;
  #paused = false;
  /** Events for the data channel before it opened. */
  #pendingOut: string[] = [];
  #pendingOutBytes = 0;
  /** Client events held while the relay stopped reading this side. */
  #pendingIn: string[] = [];
  #pendingInBytes = 0;
  /** Input audio not yet sent as an append. */
  #input: Uint8Array;
  #inputLength = 0;
  /** The pacer: on the shared ticker while audio plays, and the clock its frames are due by. */
  #pacing = false;
  readonly #tick = () => {
    try {
      this.#pace();
    } catch {
      // A fault in one call's pacing ends that call, not the process or the other calls.
      this.#end(1011, 'internal error');
    }
  };
  #anchor = 0;
  #framesSent = 0;
  /** The last responses whose `response.done` passed: a cut of one is truncated at once. */
  readonly #finishedResponses: string[] = [];
  /** A cut whose item is truncated once its response is done. */
  #pendingCut: PlayoutCut | undefined;
  /** When the next frame is due at the earliest: the slot after the last frame sent. */
  #nextFrameAt = 0;

  constructor(transport: CallTransport, options: CallSocketOptions = {}) {
    this.#transport = transport;
    this.#now = options.now ?? (() => performance.now());
    this.#appendBytes = (options.appendMs ?? 40) * BYTES_PER_MS;
    this.#maxHeldBytes = options.maxHeldBytes ?? 4 * 1024 * 1024;
    this.#translation = options.protocol === 'translation';
    this.#input = new Uint8Array(this.#appendBytes);
    this.#playout = new OutputPlayout({
      frameMs: FRAME_MS,
      maxQueuedMs: options.maxQueuedMs ?? 10 * 60_000,
      frame: (pcm) => this.#transport.sendAudio(pcm),
      event: (event) => this.#playoutEvent(event),
    });
  }

  /** Bytes not yet delivered to the peer: the channel's buffer and the audio still to play. */
  get bufferedAmount(): number {
    return this.#transport.eventBufferedAmount + this.#pendingOutBytes + this.#playout.queuedBytes;
  }

  /** Client events held while paused or before they could be delivered. */
  get incomingBytes(): number {
    return this.#pendingInBytes + this.#inputLength;
  }

  /** Milliseconds of an output item's audio that went out on the track. */
  sentMs(itemId: string): number {
    return this.#playout.sentMs(itemId);
  }

  listen(handlers: DuplexSocketHandlers): void {
    this.#handlers = handlers;
    this.#transport.listen({
      open: () => this.#channelOpen(),
      event: (text) => this.#clientEvent(text),
      audio: (pcm) => this.#inputAudio(pcm),
      gone: (reason) => this.#end(1001, reason),
    });
  }

  send(data: string | Uint8Array): void {
    if (this.#closed) return;
    const type = peekEventType(data);
    if (this.#translation) {
      this.#sendTranslation(type, data);
      return;
    }
    if (type === 'response.output_audio.delta') {
      this.#outputAudio(data);
      return;
    }
    const text = typeof data === 'string' ? data : Buffer.from(data).toString('utf8');
    this.#toClients(text);
    if (type === 'response.done') this.#responseDone(text);
    if (type === 'input_audio_buffer.speech_started') this.#cut();
  }

  close(code: number, reason: string): void {
    this.#end(code, reason);
  }

  /** A translation session's frame: its audio to the track, the rest to the channel. */
  #sendTranslation(type: string | undefined, data: string | Uint8Array): void {
    if (type === 'session.output_audio.delta') {
      const audio = readAudioDelta(data);
      if (audio !== undefined)
        this.#queueAudio(TRANSLATION_STREAM, TRANSLATION_STREAM, 0, audio.delta);
      return;
    }
    this.#toClients(typeof data === 'string' ? data : Buffer.from(data).toString('utf8'));
    if (type === 'session.closed') {
      // The last partial frame waited for more audio: none will come.
      this.#playout.finish(TRANSLATION_STREAM);
      if (this.#playout.queuedBytes > 0) this.#startPacer();
    }
  }

  pause(): void {
    this.#paused = true;
  }

  resume(): void {
    this.#paused = false;
    const held = this.#pendingIn;
    this.#pendingIn = [];
    this.#pendingInBytes = 0;
    for (const text of held) {
      if (this.#paused) {
        this.#holdIn(text);
      } else {
        this.#handlers?.message(text, false);
      }
    }
  }

  /**
   * Passes a client event to the session as if the call's data channel had sent it: the
   * `session` a call was created with goes first this way.
   */
  fromClient(text: string): void {
    this.#clientEvent(text);
  }

  /**
   * Attaches a server's WebSocket to the call: it sees every event the data channel sees from
   * now on, and what it sends goes to the session as the client's own events. Closed with
   * 1000 and the reason when the call ends.
   */
  attachSideband(socket: DuplexSocket): void {
    this.#sidebands.attach(socket);
  }

  #channelOpen(): void {
    this.#open = true;
    const pending = this.#pendingOut;
    this.#pendingOut = [];
    this.#pendingOutBytes = 0;
    for (const text of pending) this.#transport.sendEvent(text);
  }

  /** A client event from the data channel or a sideband. */
  #clientEvent(text: string): void {
    if (this.#closed) return;
    if (!this.#translation && peekEventType(text) === 'output_audio_buffer.clear') {
      // The track is this side's: the session never hears of it (the client cancels the
      // response itself, with response.cancel, as the API asks).
      this.#cut();
      return;
    }
    if (this.#paused) {
      this.#holdIn(text);
      return;
    }
    this.#handlers?.message(text, false);
  }

  #holdIn(text: string): void {
    this.#pendingIn.push(text);
    this.#pendingInBytes += text.length;
    if (this.#pendingInBytes > this.#maxHeldBytes)
      this.#end(1013, 'call events held past the limit');
  }

  #inputAudio(pcm: Uint8Array): void {
    if (this.#closed) return;
    let offset = 0;
    while (offset < pcm.length) {
      const take = Math.min(pcm.length - offset, this.#input.length - this.#inputLength);
      this.#input.set(pcm.subarray(offset, offset + take), this.#inputLength);
      this.#inputLength += take;
      offset += take;
      if (this.#inputLength === this.#input.length) this.#flushInput();
    }
  }

  #flushInput(): void {
    const audio = Buffer.from(this.#input.buffer, 0, this.#inputLength).toString('base64');
    this.#inputLength = 0;
    this.#clientEvent(
      this.#translation
        ? encodeTranslationClientEvent(
            TranslationClientEvents.inputAudioBufferAppend(undefined, audio),
          )
        : encodeClientEvent(ClientEvents.inputAudioBufferAppend(undefined, audio)),
    );
  }

  /** A Realtime delta's audio onto the track: an API-shaped frame is read without a parse. */
  #outputAudio(data: string | Uint8Array): void {
    const audio = readAudioDelta(data);
    if (audio?.responseId === undefined || audio.itemId === undefined) return;
    this.#queueAudio(audio.responseId, audio.itemId, audio.contentIndex ?? 0, audio.delta);
  }

  /** A delta's audio onto the track's queue; past its bound the call ends. */
  #queueAudio(responseId: string, itemId: string, contentIndex: number, delta: string): void {
    const pcm = Buffer.from(delta, 'base64');
    const pcmView = new Uint8Array(pcm.buffer, pcm.byteOffset, pcm.length);
    if (!this.#playout.push(responseId, itemId, contentIndex, pcmView)) {
      this.#end(1013, 'call audio queued past the limit');
      return;
    }
    this.#startPacer();
  }

  #responseDone(text: string): void {
    const response = parseFrame(text)?.response;
    const id =
      typeof response === 'object' && response !== null
        ? (response as { id?: unknown }).id
        : undefined;
    if (typeof id !== 'string') return;
    this.#playout.finish(id);
    // A partial last frame was waiting for this end.
    if (this.#playout.queuedBytes > 0) this.#startPacer();
    this.#finishedResponses.push(id);
    if (this.#finishedResponses.length > 8) this.#finishedResponses.shift();
    const cut = this.#pendingCut;
    if (cut?.responseId === id) {
      this.#pendingCut = undefined;
      this.#truncate(cut);
    }
  }

  /** Stops the track at once and truncates the item at what was sent. */
  #cut(): void {
    const cut: PlayoutCut | undefined = this.#playout.clear();
    this.#stopPacer();
    // What was cut is gone: the next audio may start at once.
    this.#nextFrameAt = 0;
    this.#handlers?.drain();
    if (cut === undefined) return;
    // The engine truncates a finished item only: while its response still runs (a barge-in
    // cancels it as the speech starts), the truncate waits for that response's done.
    if (this.#finishedResponses.includes(cut.responseId)) this.#truncate(cut);
    else this.#pendingCut = cut;
  }

  #truncate(cut: PlayoutCut): void {
    this.#clientEvent(
      encodeClientEvent(
        ClientEvents.conversationItemTruncate(undefined, cut.itemId, cut.contentIndex, cut.sentMs),
      ),
    );
  }

  #playoutEvent(event: PlayoutEvent): void {
    // A translation session has no output audio buffer events: its track just plays.
    if (this.#closed || this.#translation) return;
    const builder = new ResponseEventBuilder(event.responseId);
    const id = this.#ids.next();
    const built =
      event.type === 'output_audio_buffer.started'
        ? builder.outputAudioBufferStarted(id)
        : event.type === 'output_audio_buffer.stopped'
          ? builder.outputAudioBufferStopped(id)
          : builder.outputAudioBufferCleared(id);
    this.#toClients(encodeServerEvent(built));
  }

  #toClients(text: string): void {
    this.#sidebands.send(text);
    if (this.#open) {
      this.#transport.sendEvent(text);
      return;
    }
    this.#pendingOut.push(text);
    this.#pendingOutBytes += text.length;
    if (this.#pendingOutBytes > this.#maxHeldBytes)
      this.#end(1013, 'call events held past the limit');
  }

  #startPacer(): void {
    if (this.#pacing) return;
    const now = this.#now();
    // After the queue ran dry, the next frame keeps its slot: sent at once, it would put the
    // track ahead of real time (and count as heard audio the browser has only buffered).
    this.#anchor = Math.max(now, this.#nextFrameAt);
    this.#framesSent = 0;
    // The timer keeps the track at one frame per 20 ms of wall time, counted from the anchor,
    // so a late timer does not slow the track down.
    this.#pacing = true;
    ticker.add(this.#tick);
    this.#pace();
  }

  #pace(): void {
    const due = Math.floor((this.#now() - this.#anchor) / FRAME_MS) + 1 - this.#framesSent;
    if (due <= 0) return;
    if (due > MAX_CATCH_UP_FRAMES) {
      // Far behind (the process stalled): send a few and restart the clock, rather than a burst.
      this.#anchor = this.#now();
      this.#framesSent = 0;
    }
    const sent = this.#playout.tick(Math.min(due, MAX_CATCH_UP_FRAMES));
    this.#framesSent += sent;
    this.#nextFrameAt = this.#anchor + this.#framesSent * FRAME_MS;
    if (sent > 0) this.#handlers?.drain();
    // Nothing to play until more comes (or a partial frame waits for its response's end).
    if (sent === 0 || this.#playout.queuedBytes === 0) this.#stopPacer();
  }

  #stopPacer(): void {
    if (!this.#pacing) return;
    this.#pacing = false;
    ticker.delete(this.#tick);
  }

  #end(code: number, reason: string): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#stopPacer();
    this.#playout.clear();
    this.#transport.close();
    this.#sidebands.end(reason);
    this.#handlers?.close(code, reason);
  }
}
