import type { RealtimeClientEvent, ServerEventOf } from '@rtwire/types';
import type { FrameFormat, FrameOf } from '../frame-sink.ts';
import type { RealtimeModel } from '../model.ts';
import type { TurnDetectorFactory } from '../turn-detection.ts';
import type { SessionType } from './session-config.ts';
import type { IdKind } from './session-ids.ts';

/**
 * One entry of `rate_limits.updated`.
 *
 * @example
 * ```ts
 * const limit: RateLimit = { name: 'tokens', limit: 40_000, remaining: 39_000, reset_seconds: 60 };
 * ```
 */
export type RateLimit = ServerEventOf<'rate_limits.updated'>['rate_limits'][number];

/**
 * Options of `createRealtimeSession`.
 *
 * @example
 * ```ts
 * const options: RealtimeSessionOptions<'string'> = {
 *   model,
 *   frames: 'string',
 *   send: (frame) => socket.send(frame),
 *   maxConversationItems: 1024,
 * };
 * ```
 */
export interface RealtimeSessionOptions<F extends FrameFormat = 'bytes'> {
  /** The model that answers (and, with `transcribe`, transcribes). */
  readonly model: RealtimeModel;
  /**
   * Sends one server frame: UTF-8 JSON bytes by default, a string with `frames: 'string'`.
   * Either way it is a **text** frame: `ws.send(frame, { binary: false })` in Node, the string
   * as it is on a web-standard `WebSocket` (whose `send(Uint8Array)` always sends binary).
   * A bytes frame handed back with `releaseFrame` once written (`ws`'s send callback) lends
   * its memory to the next frames; one never handed back is collected as usual.
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

/**
 * A running session: feed it client frames, close it when the client goes.
 *
 * @example
 * ```ts
 * const session: RealtimeSession = createRealtimeSession({ model, send });
 * ws.on('message', (data) => session.receive(data as Buffer));
 * ws.on('close', () => session.close());
 * ```
 */
export interface RealtimeSession {
  /**
   * Handles one client frame (JSON text or its UTF-8 bytes). Never throws: whatever throws
   * while the engine handles it ends this session (see `close` in the options).
   *
   * A host that has decoded the frame already (a relay reads client events to check them)
   * passes what `decodeClientEvent(frame)` of `@rtwire/types` gave it as `decoded`: the
   * engine then acts on that event and does not decode the frame again. It is trusted as
   * the decoder's own output: pass the `event` of an `ok` result whose `known` was true, as
   * it came (frozen or not, but not changed), decoded with the default bounds or tighter.
   * Anything else (an unknown event, a frame that failed to decode) is passed as the frame
   * alone, and the engine answers it with its `error` event as usual.
   *
   * @example
   * ```ts
   * const result = decodeClientEvent(frame);
   * if (result.ok && result.known && allowed(result.event)) session.receive(frame, result.event);
   * else session.receive(frame);
   * ```
   */
  receive(frame: string | Uint8Array, decoded?: RealtimeClientEvent): void;
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
