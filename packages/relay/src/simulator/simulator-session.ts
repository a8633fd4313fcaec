import {
  createRealtimeSession,
  createSimulatorModel,
  createSimulatorRateLimits,
  type IdKind,
  type SessionType,
} from '@rtwire/server';

/** Options of {@link createSimulatorSession}. */
export interface SimulatorSessionOptions {
  /** Sends one server frame: JSON text, as a string. */
  send(frame: string | Uint8Array): void;
  /**
   * Closes the connection: with 1011 when an unexpected throw ended the session (a callback
   * such as `send` threw); the simulator never closes otherwise.
   */
  close?(code: number, reason: string): void;
  /**
   * Whether `send` can take more now: `undefined` when it can, else a promise that resolves
   * when it can. Unset: always ready.
   */
  sendReady?(): Promise<void> | undefined;
  /** Most bytes the conversation holds before its oldest items leave (default 16 MiB). */
  readonly maxConversationBytes?: number;
  /** Reported in `session.model` (default `gpt-realtime`). */
  readonly model?: string;
  /** `transcription` for what the live API opens on `?intent=transcription` (default `realtime`). */
  readonly type?: SessionType;
  /** `realtime` paces audio at playback speed (default); `fast` sends as fast as it is made. */
  readonly pace?: 'realtime' | 'fast';
  /** Event ids (default: unique `event_…` ids). */
  readonly eventIds?: () => string;
  /** Ids of sessions, items, responses and calls (default: unique per kind). */
  readonly ids?: (kind: IdKind) => string;
  /** Clock in ms, for `expires_at` (default `Date.now`). */
  readonly now?: () => number;
  /** The form of the frames `send` gets (default `string`). */
  readonly frames?: 'string' | 'bytes';
}

/** A running simulated session: feed it client frames, close it when the client goes. */
export interface SimulatorSession {
  /** Handles one client frame (JSON text or UTF-8 bytes). Never throws. */
  receive(frame: string | Uint8Array): void;
  /** Stops every timer; nothing is sent afterwards. */
  close(): void;
  /** Bytes the session holds now (its conversation, input audio, settings); 0 once closed. */
  readonly heldBytes: number;
}

/** The instructions the simulated session starts with. */
const SIMULATOR_INSTRUCTIONS =
  'You are the rtwire simulator: a deterministic stand-in for a realtime model.';

/**
 * Starts a simulated Realtime session: `@rtwire/server`'s engine with its simulator model, a
 * deterministic stand-in for the OpenAI Realtime API for tests and offline development.
 * `session.created` is sent in a microtask, so the caller can finish wiring first.
 *
 * @example
 * ```ts
 * const session = createSimulatorSession({ send: (frame) => socket.send(frame), pace: 'fast' });
 * socket.onmessage = ({ data }) => session.receive(data);
 * socket.onclose = () => session.close();
 * ```
 */
export function createSimulatorSession(options: SimulatorSessionOptions): SimulatorSession {
  return createRealtimeSession({
    model: createSimulatorModel({ pace: options.pace ?? 'realtime' }),
    send: options.send,
    frames: options.frames ?? 'string',
    instructions: SIMULATOR_INSTRUCTIONS,
    modelName: options.model ?? 'gpt-realtime',
    type: options.type ?? 'realtime',
    rateLimits: createSimulatorRateLimits(options.now ? { now: options.now } : {}),
    ...(options.close ? { close: options.close } : {}),
    ...(options.sendReady ? { sendReady: options.sendReady } : {}),
    ...(options.maxConversationBytes === undefined
      ? {}
      : { maxConversationBytes: options.maxConversationBytes }),
    ...(options.eventIds ? { eventIds: options.eventIds } : {}),
    ...(options.ids ? { ids: options.ids } : {}),
    ...(options.now ? { now: options.now } : {}),
  });
}
