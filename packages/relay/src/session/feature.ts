import type { RealtimeClientEvent, RealtimeTranslationClientEvent } from '@rtwire/types';
import type { JsonObject } from '../json-object.ts';
import type { LogLevel, RelayLogger } from '../observe/relay-logger.ts';
import type { RelayMetrics } from '../observe/relay-metrics.ts';
import type { DuplexSocket } from '../sockets/duplex-socket.ts';
import type { RelayErrorDetails } from './error-event.ts';

/**
 * A client event as the pipe decoded it: a Realtime event, or a translation session's (whose
 * `session.update` has a shape of its own). A feature of one kind of session declares the
 * narrower type it reads.
 *
 * @example
 * ```ts
 * const onClientEvent = (event: RelayClientEvent) => (event.type === 'session.update' ? undefined : undefined);
 * ```
 */
export type RelayClientEvent = RealtimeClientEvent | RealtimeTranslationClientEvent;

/**
 * The event types a feature reads on one side: a set of types, a predicate (for a feature
 * whose interest changes as the session runs), or `'*'` for every frame. Frames of the other
 * types never reach the feature and are never parsed for it.
 */
export type EventTypeFilter = ReadonlySet<string> | ((type: string | undefined) => boolean) | '*';

/** How an upstream joins the session: the first, one after a drop, or one replacing a live one. */
export type UpstreamMode = 'first' | 'resume' | 'rollover';

/** A client frame before it is decoded, as {@link RelayFeature.admitClientFrame} sees it. */
export interface ClientFrame {
  readonly data: string | Uint8Array;
  /** Its size in bytes (UTF-8 for a string). */
  readonly bytes: number;
}

/** Why a client frame is refused: answered with an `error` event (while the client reads them). */
export interface ClientRefusal {
  readonly action: 'refuse';
  readonly code: string;
  readonly message: string;
  /** The field at fault (`session.instructions`), when there is one. */
  readonly param?: string | null | undefined;
}

/** What a feature decides about a decoded client event. `undefined`: forward it. */
export type ClientVerdict =
  | ClientRefusal
  /** Send `event` upstream instead (re-encoded with the serializer). */
  | { readonly action: 'rewrite'; readonly event: JsonObject }
  /**
   * Decide later, for a decision that needs a round trip (a shared quota store): this event
   * and every client frame after it wait, in order, until `decision` settles, then go on as
   * it says (to the features after this one). A rejection ends the session with 1011.
   * Frames that wait count toward the session's hard limit.
   */
  | { readonly action: 'await'; readonly decision: PromiseLike<ClientVerdict> }
  | undefined;

/** An upstream frame as features see it: the bytes, the peeked type, and one shared parse. */
export interface UpstreamFrame {
  /** The frame's `type`, peeked without parsing (`undefined` when it has none in front). */
  readonly type: string | undefined;
  /** The bytes that came. */
  readonly data: string | Uint8Array;
  /**
   * The event: parsed on first call and shared by every feature; a feature before this one
   * may have rewritten it. `undefined` when the frame is not a JSON object.
   */
  event(): JsonObject | undefined;
  /** Whether a feature before this one rewrote the event. */
  readonly rewritten: boolean;
}

/** What a feature decides about an upstream frame. `undefined`: pass it on as it is. */
export type UpstreamVerdict =
  /** The client never sees it. */
  | { readonly action: 'withhold' }
  /** The client sees `event` instead (re-encoded with the serializer). */
  | { readonly action: 'rewrite'; readonly event: JsonObject }
  | undefined;

/** The upstream went away or must be given up, as {@link RelayFeature.onUpstreamLost} hears it. */
export interface UpstreamLoss {
  /** The close code of the drop (1011 for an upstream that said its session expired). */
  readonly code: number;
  /** Whether a fresh connection could cure it (it went away, failed or broke). */
  readonly resumable: boolean;
}

/**
 * One concern of a relay session (limits, resume, policy, server tools, metering, yours),
 * plugged into the session's pipe. The pipe owns the sockets, the sends and their
 * backpressure, the upstream link and the end; a feature owns its state and hears only the
 * hooks it defines and the event types it declares. Every hook is behind the session's fault
 * boundary: a throw ends this session with 1011, never the process.
 *
 * Hooks run in the order the features were given; a verdict other than `undefined` from one
 * stops the client event (refuse) or the upstream frame (withhold) for the features after it.
 *
 * @example
 * ```ts
 * // Counts upstream events by type; reads only the peeked type, so no frame is parsed.
 * const countEvents = (counts: Map<string, number>): RelayFeatureFactory => () => ({
 *   name: 'count-events',
 *   upstreamTypes: '*',
 *   onUpstreamFrame(frame) {
 *     counts.set(frame.type ?? 'unknown', (counts.get(frame.type ?? 'unknown') ?? 0) + 1);
 *   },
 * });
 * startRelaySession({ client, connectUpstream, model, limits, features: [countEvents(counts)] });
 * ```
 */
export interface RelayFeature {
  /** Names the feature in logs (`where` of a fault). */
  readonly name: string;
  /** Decoded client event types {@link onClientEvent} hears (default: none). */
  readonly clientTypes?: EventTypeFilter;
  /** Upstream types {@link onUpstreamFrame} hears (default: none). */
  readonly upstreamTypes?: EventTypeFilter;
  /**
   * Every client frame within the size limit, before it is decoded (a refusal here costs no
   * parse): return a refusal to answer and drop it.
   */
  admitClientFrame?(frame: ClientFrame): ClientRefusal | undefined;
  /**
   * A valid client event of a declared type: a Realtime event, or in a translation session
   * (`kind` of the session) a translation event.
   */
  onClientEvent?(event: RelayClientEvent): ClientVerdict;
  /** An upstream frame of a declared type. */
  onUpstreamFrame?(frame: UpstreamFrame): UpstreamVerdict;
  /**
   * An upstream connected and is about to be listened to: frames it must get before anything
   * of the client's (the operator's configuration, a replayed conversation).
   */
  onUpstreamOpen?(mode: UpstreamMode): readonly string[] | undefined;
  /**
   * The current upstream is gone. Return `'recover'` to take over: the pipe then holds the
   * client's frames and leaves it to this feature to connect and attach a new upstream
   * ({@link FeatureSession.upstream}) or to end the session. Every feature hears the loss.
   */
  onUpstreamLost?(loss: UpstreamLoss): 'recover' | undefined;
  /** Bytes the feature holds for the session, counted against its buffer budget. */
  heldBytes?(): number;
  /** The session ended with `code` (timers and calls are stopped here, or by `signal`). */
  onEnd?(code: number): void;
}

/** Builds a feature's state for one session. */
export type RelayFeatureFactory = (session: FeatureSession) => RelayFeature;

/** The upstream link as a feature may drive it (resume does): connect, attach, switch. */
export interface UpstreamLink {
  /** The upstream frames go to now, if any. */
  readonly current: DuplexSocket | undefined;
  /** Opens a new upstream for this session (not yet attached); rejects on failure or end. */
  connect(): Promise<DuplexSocket>;
  /**
   * Makes `socket` the session's upstream: the features' opening frames, then the client
   * frames held meanwhile. `false` (and the socket closed) when it could not be set up.
   */
  attach(socket: DuplexSocket, mode: UpstreamMode, connectLatencyMs: number): boolean;
  /**
   * Starts replacing a live upstream: from now the client's frames are held, and the old one's
   * frames still pass and its close is expected. Returns `false` when there is none.
   */
  beginSwitch(): boolean;
  /** The switch is done (a new upstream is attached): the old one is closed. */
  finishSwitch(): void;
  /**
   * The switch failed: the old upstream takes the held frames again. `false` when it closed
   * meanwhile (the session has no upstream then).
   */
  abandonSwitch(): boolean;
  /** Gives the current upstream up as lost with `code`, as if it had closed so. */
  lose(code: number): void;
  /** No upstream can be had: the client gets the close a drop with `code` gets. */
  giveUp(code: number): void;
}

/** What the pipe offers a feature. */
export interface FeatureSession {
  readonly id: string;
  /** The client's `model` query parameter. */
  readonly model: string | undefined;
  /** The client's `intent` query parameter (`transcription`). */
  readonly intent: string | undefined;
  /** The session's logger; `enabled(level)` says whether a level is logged at all (true when the logger cannot say). */
  readonly logger: RelayLogger & { enabled(level: LogLevel): boolean };
  readonly metrics: RelayMetrics | undefined;
  /** The session's clock (ms). */
  readonly now: () => number;
  /** Aborted when the session ends. */
  readonly signal: AbortSignal;
  /** Whether the session has ended. */
  readonly closed: boolean;
  readonly upstream: UpstreamLink;
  /** Sends a server event to the client (encoded with the serializer), under backpressure. */
  sendToClient(event: JsonObject): void;
  /** Sends the relay's own `error` event to the client. */
  sendError(details: RelayErrorDetails): void;
  /** Sends a client event upstream (encoded with the serializer); held while none is attached. */
  sendToUpstream(event: JsonObject): void;
  /** Ends the session: the client is closed with `code`. */
  end(code: number, reason: string): void;
  /** Checks the session's buffer budget now (after a feature's held bytes grew). */
  checkBudget(): void;
  /** `run` behind the fault boundary, for a timer or callback. */
  guard(where: string, run: () => void): () => void;
  /** Watches a promise the feature started and does not await; a rejection ends the session. */
  watch(where: string, task: PromiseLike<unknown>): void;
}
