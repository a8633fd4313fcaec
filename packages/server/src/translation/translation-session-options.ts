import type { RealtimeClientEvent, RealtimeTranslationClientEvent } from '@rtwire/types';
import type { FrameFormat, FrameOf } from '../frame-sink.ts';
import type { IdKind } from '../session/session-ids.ts';
import type { TranslationModel } from './translation-model.ts';

/**
 * Options of `createTranslationSession`.
 *
 * @example
 * ```ts
 * const options: TranslationSessionOptions<'string'> = {
 *   model: createSimulatorModel(),
 *   frames: 'string',
 *   send: (frame) => socket.send(frame),
 *   language: 'es',
 * };
 * ```
 */
export interface TranslationSessionOptions<F extends FrameFormat = 'bytes'> {
  /** The model that translates. */
  readonly model: TranslationModel;
  /**
   * Sends one server frame: UTF-8 JSON bytes by default, a string with `frames: 'string'`.
   * Either way a **text** frame (`ws.send(frame, { binary: false })` in Node).
   */
  send(frame: FrameOf<F>): void;
  /** The form of `send`'s frames (default `bytes`). */
  readonly frames?: F;
  /**
   * Whether `send` can take more now: `undefined` when it can, else a promise that resolves
   * when it can. What a model's `output.ready()` waits on. Unset: always ready.
   */
  sendReady?(): Promise<void> | undefined;
  /**
   * Closes the connection, once: with 1000 after `session.closed` (the client sent
   * `session.close`, or the model ended the session), with 1011 after the `error` event of a
   * model that threw, or with 1011 and a fixed reason when an unexpected throw ended the
   * session. The session sends nothing afterwards.
   */
  close?(code: number, reason: string): void;
  /** Reported in `session.model` (default `gpt-realtime-translate`). */
  readonly modelName?: string;
  /**
   * The output language until the client sets one (default `en`): 1 to 64 characters, or
   * `createTranslationSession` throws a `TypeError`.
   */
  readonly language?: string;
  /**
   * Most input audio the model may be behind, in ms (default 30,000: 1.44 MB of PCM16). Audio
   * appended while that much waits for the model is dropped, and the client hears one
   * `error` event (`input_audio_dropped`) each time dropping starts.
   */
  readonly maxInputBacklogMs?: number;
  /**
   * How long the model may take to finish after `session.close` (default 10,000 ms): past it
   * its signal aborts and `session.closed` goes out without the rest.
   */
  readonly closeTimeoutMs?: number;
  /** Event ids (default: unique `event_…` ids). */
  readonly eventIds?: () => string;
  /** Ids: the session's is `ids('sess')` (default: unique). */
  readonly ids?: (kind: IdKind) => string;
  /** Clock in ms, for `expires_at` (default `Date.now`). */
  readonly now?: () => number;
}

/**
 * A running translation session: feed it client frames, close it when the client goes. The
 * same shape as a `RealtimeSession`, so a host serves either kind the same way.
 *
 * @example
 * ```ts
 * const session: TranslationSession = createTranslationSession({ model, send });
 * ws.on('message', (data) => session.receive(data as Buffer));
 * ws.on('close', () => session.close());
 * ```
 */
export interface TranslationSession {
  /**
   * Handles one client frame (JSON text or its UTF-8 bytes). Never throws. A host that has
   * decoded the frame already passes what `decodeTranslationClientEvent(frame)` gave it (the
   * `event` of an `ok`, `known` result, unchanged) as `decoded`, and the frame is not decoded
   * again; its parameters are still checked. A Realtime event decoded for the frame (a host
   * that decoded with `decodeClientEvent`) is answered as the frame would be: refused, since
   * a translation session has no such event, or checked against the translation schema.
   */
  receive(
    frame: string | Uint8Array,
    decoded?: RealtimeTranslationClientEvent | RealtimeClientEvent,
  ): void;
  /**
   * Bytes the session holds now: the input audio waiting for the model (at most
   * `maxInputBacklogMs` of it), its settings, and what its model declares it may hold
   * (`TranslationModel.maxTranslationHeldBytes`). 0 once closed.
   */
  readonly heldBytes: number;
  /** Ends the session now: the model's signal aborts, nothing is sent afterwards. */
  close(): void;
}
