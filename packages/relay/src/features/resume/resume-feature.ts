import { type ClientEventInput, encodeClientEvent } from '@rtwire/serializer';
import type { RealtimeClientEvent } from '@rtwire/types';
import { isJsonObject, type JsonObject } from '../../json-object.ts';
import { CloseCode } from '../../session/close-codes.ts';
import { relayEventIdPrefix } from '../../session/error-event.ts';
import type {
  FeatureSession,
  RelayFeature,
  RelayFeatureFactory,
  UpstreamFrame,
  UpstreamLoss,
  UpstreamMode,
  UpstreamVerdict,
} from '../../session/feature.ts';
import {
  COPIED_TYPES,
  createConversationCopy,
  observeUpstreamEvent,
  replayEvents,
  replayedItemIds,
} from './conversation-copy.ts';
import { OpenResponses } from './open-responses.ts';
import { delay, resumeBackoffMs, withTimeout } from './resume-backoff.ts';
import { nextResumePhase, type ResumePhase, type ResumeTransition } from './resume-phase.ts';

/** How a session survives its upstream (from `RESUME*` in the config). */
export interface ResumeSettings {
  /** Reconnect attempts after an abnormal upstream close (0: resume is off). */
  readonly attempts: number;
  /** How long, from the drop, the attempts may take. */
  readonly windowMs: number;
  /** Bound on the conversation kept for replay. */
  readonly maxBytes: number;
  /**
   * Resumes over the session's whole life (`RESUME_MAX_PER_SESSION`, default
   * {@link DEFAULT_RESUME_MAX_PER_SESSION}); past it a drop ends the session as without resume.
   */
  readonly maxPerSession?: number | undefined;
}

/**
 * Resumes a session gets over its life when the config says nothing: an upstream that keeps
 * dropping is given up on after this many, however far apart the drops are.
 */
export const DEFAULT_RESUME_MAX_PER_SESSION = 10;

/** Event ids of what the relay replays upstream; an `error` about one is the relay's. */
export const RESUME_EVENT_PREFIX = relayEventIdPrefix('resume');

/** How long before the upstream session's `expires_at` the relay rolls over to a fresh one. */
export const ROLLOVER_LEAD_MS = 60_000;

/** Client events that start or end work a rollover must not cut. */
const CLIENT_TYPES: ReadonlySet<string> = new Set([
  'input_audio_buffer.append',
  'input_audio_buffer.commit',
  'input_audio_buffer.clear',
  'response.create',
]);

/** Upstream types resume reads: the copied ones, the responses' lifecycle and a few more. */
const UPSTREAM_TYPES: ReadonlySet<string> = new Set([
  ...COPIED_TYPES,
  'response.created',
  'response.done',
  'response.output_item.added',
  'response.output_item.done',
  'response.content_part.added',
  'response.content_part.done',
  'input_audio_buffer.committed',
  'input_audio_buffer.cleared',
  'error',
]);

/** What a new upstream acknowledges of the replay: withheld, the client saw it already. */
interface ReplayAcks {
  sessionCreated: boolean;
  sessionUpdated: boolean;
  readonly items: Set<string>;
}

/**
 * Keeps a session alive across its upstream: the conversation is copied as the upstream
 * reports it (bounded by `maxBytes`), and when the upstream drops (a close a reconnect can
 * cure) or says its session expired, the client's streaming responses are closed for it
 * (every open part and item, then `response.done` `failed`), input audio not yet committed is
 * reported lost, and up to `attempts` reconnects are made within `windowMs` (drops close
 * together share the budget), each after a backoff with jitter; the session is replayed onto
 * the first that takes it, and the client told with one `error` (`upstream_reconnected`).
 * Before the upstream session expires, at a moment with nothing under way, it is rolled over to
 * a fresh one the same way, and the client notices nothing. The phases are those of
 * {@link ResumePhase}.
 *
 * @example
 * ```ts
 * startSessionPipe({ …, features: [resumeFeature({ attempts: 3, windowMs: 5000, maxBytes: 256 * 1024 })] });
 * ```
 */
export function resumeFeature(settings: ResumeSettings): RelayFeatureFactory {
  return (session) => new ResumeFeature(session, settings);
}

class ResumeFeature implements RelayFeature {
  readonly name = 'resume';
  readonly clientTypes = CLIENT_TYPES;
  readonly upstreamTypes = UPSTREAM_TYPES;
  readonly #session: FeatureSession;
  readonly #settings: ResumeSettings;
  readonly #copy: ReturnType<typeof createConversationCopy>;
  readonly #responses = new OpenResponses();
  #phase: ResumePhase = 'idle';
  /** Whether input audio was appended since the last commit or clear. */
  #uncommittedAudio = false;
  /** The client asked for a response the upstream has not started yet. */
  #responseRequested = false;
  #acks: ReplayAcks | undefined;
  /** A rollover waits for the session to be idle. */
  #rolloverDue = false;
  #rolloverTimer: ReturnType<typeof setTimeout> | undefined;
  /** Reconnects spent since `windowStart`: drops within one window share `attempts`. */
  readonly #budget = { windowStart: Number.NEGATIVE_INFINITY, used: 0 };
  /** Resumes started since the session began, held to `maxPerSession`. */
  #resumes = 0;

  constructor(session: FeatureSession, settings: ResumeSettings) {
    this.#session = session;
    this.#settings = settings;
    this.#copy = createConversationCopy(settings.maxBytes);
  }

  /** The phase the session is in (for tests and logs). */
  get phase(): ResumePhase {
    return this.#phase;
  }

  heldBytes(): number {
    return this.#copy.bytes;
  }

  onEnd(): void {
    if (this.#rolloverTimer !== undefined) clearTimeout(this.#rolloverTimer);
  }

  onClientEvent(event: RealtimeClientEvent): undefined {
    // Audio the upstream has not committed is what a drop would lose.
    if (event.type === 'input_audio_buffer.append') this.#uncommittedAudio = true;
    else if (event.type === 'response.create') this.#responseRequested = true;
    else this.#uncommittedAudio = false;
    this.#workChanged();
    return undefined;
  }

  onUpstreamFrame(frame: UpstreamFrame): UpstreamVerdict {
    const { type } = frame;
    if (type === 'input_audio_buffer.committed' || type === 'input_audio_buffer.cleared') {
      this.#uncommittedAudio = false;
      this.#workChanged();
      return undefined;
    }
    const event = frame.event();
    if (type === undefined || event === undefined) return undefined;
    const verdict = this.#learn(type, event);
    if (type.startsWith('response.') || type === 'error') this.#workChanged();
    return verdict;
  }

  onUpstreamOpen(mode: UpstreamMode): readonly string[] | undefined {
    if (mode === 'first') return undefined;
    const copy = this.#copy;
    const events = replayEvents(copy, RESUME_EVENT_PREFIX);
    this.#acks = {
      sessionCreated: true,
      sessionUpdated: copy.session !== undefined,
      items: new Set(replayedItemIds(copy)),
    };
    if (copy.dropped > 0) {
      this.#session.logger.log('warn', 'resume.history_trimmed', {
        session: this.#session.id,
        dropped: copy.dropped,
      });
    }
    this.#session.metrics?.countResume(
      mode === 'resume' ? 'resumed' : 'rolled_over',
      this.#acks.items.size,
    );
    return events.map((event) => encodeClientEvent(event as unknown as ClientEventInput));
  }

  onUpstreamLost(loss: UpstreamLoss): 'recover' | undefined {
    if (!loss.resumable) return undefined;
    const refusal = this.#refusal();
    if (refusal !== undefined) {
      if (refusal !== 'off') {
        // Resume is on and this drop ends the session all the same: a failed resume.
        this.#session.logger.log('warn', 'resume.skipped', {
          session: this.#session.id,
          reason: refusal,
        });
        this.#session.metrics?.countResume('failed', 0);
      }
      return undefined;
    }
    if (!this.#move({ type: 'upstream_lost' })) return undefined;
    this.#resumes++;
    this.#closeForClient();
    this.#session.watch('resume.recover', this.#recover(loss.code));
    return 'recover';
  }

  /**
   * Why a drop now is not resumed, or `undefined` when it is: resume is off, the conversation
   * holds something the relay refused to keep, or the session spent its resumes.
   */
  #refusal(): 'off' | 'not_resumable' | 'cap_reached' | undefined {
    if (this.#settings.attempts <= 0) return 'off';
    if (!this.#copy.resumable) return 'not_resumable';
    const cap = this.#settings.maxPerSession ?? DEFAULT_RESUME_MAX_PER_SESSION;
    return this.#resumes >= cap ? 'cap_reached' : undefined;
  }

  #move(transition: ResumeTransition): boolean {
    const next = nextResumePhase(this.#phase, transition);
    if (next === undefined) return false;
    this.#phase = next;
    return true;
  }

  get #busy(): boolean {
    return this.#responses.size > 0 || this.#responseRequested || this.#uncommittedAudio;
  }

  #workChanged(): void {
    this.#move({ type: 'work', busy: this.#busy });
    // After the frame that finished the work has passed: the switch starts from a clean state.
    if (this.#phase === 'idle' && this.#rolloverDue) {
      queueMicrotask(this.#session.guard('resume.rollover', () => this.#startRollover()));
    }
  }

  /** Learns from one upstream event; says whether the client must not see it. */
  #learn(type: string, event: JsonObject): UpstreamVerdict {
    const acks = this.#acks;
    if (type === 'session.created') {
      this.#scheduleRollover(event);
      if (acks?.sessionCreated) {
        acks.sessionCreated = false;
        return WITHHOLD;
      }
      this.#copyFrom(type, event);
      return undefined;
    }
    if (type === 'session.updated' && acks?.sessionUpdated) {
      acks.sessionUpdated = false;
      this.#copyFrom(type, event);
      return WITHHOLD;
    }
    if (type.startsWith('conversation.item.')) {
      const id = isJsonObject(event.item) ? event.item.id : undefined;
      if (acks !== undefined && typeof id === 'string' && acks.items.has(id)) {
        if (type !== 'conversation.item.added') acks.items.delete(id);
        return WITHHOLD;
      }
      this.#copyFrom(type, event);
      return undefined;
    }
    if (COPIED_TYPES.has(type)) {
      this.#copyFrom(type, event);
      return undefined;
    }
    if (type === 'error') return this.#onError(event);
    if (type === 'response.created') this.#responseRequested = false;
    this.#responses.observe(type, event);
    return undefined;
  }

  #onError(event: JsonObject): UpstreamVerdict {
    // A refused response.create starts nothing: the session is idle again.
    this.#responseRequested = false;
    const error = isJsonObject(event.error) ? event.error : {};
    if (typeof error.event_id === 'string' && error.event_id.startsWith(RESUME_EVENT_PREFIX)) {
      this.#session.logger.log('warn', 'resume.replay_refused', {
        session: this.#session.id,
        code: error.code,
      });
      return WITHHOLD;
    }
    // The upstream says its session is over: resumed like a drop, its error not shown.
    if (error.code === 'session_expired' && this.#refusal() === undefined) {
      this.#session.upstream.lose(CloseCode.internalError);
      return WITHHOLD;
    }
    return undefined;
  }

  /** Learns from a copied type; a session or item refused is logged by its type alone. */
  #copyFrom(type: string, event: JsonObject): void {
    if (observeUpstreamEvent(this.#copy, event) !== 'refused') return;
    this.#session.logger.log('warn', 'resume.item_refused', {
      session: this.#session.id,
      type,
      reason: 'too_deep',
    });
  }

  /**
   * What the client hears when its upstream is gone: every streaming response closed as a
   * failed one, and input audio not yet committed reported lost.
   */
  #closeForClient(): void {
    this.#responseRequested = false;
    for (const event of this.#responses.closeAll()) {
      this.#session.sendToClient(event as unknown as JsonObject);
    }
    if (this.#uncommittedAudio) {
      this.#uncommittedAudio = false;
      this.#session.sendError({
        type: 'server_error',
        code: 'input_audio_lost',
        message:
          'input audio not yet committed was lost with the upstream connection; send it again',
      });
    }
  }

  /** Reconnects within the window, after a backoff each; the first that takes the replay wins. */
  async #recover(code: number): Promise<void> {
    const session = this.#session;
    const dropped = session.now();
    const { attempts, windowMs } = this.#settings;
    const budget = this.#budget;
    if (dropped - budget.windowStart > windowMs) {
      budget.windowStart = dropped;
      budget.used = 0;
    }
    for (let attempt = 0; budget.used < attempts && !session.closed; attempt++) {
      const left = windowMs - (session.now() - dropped);
      if (left <= 0) break;
      await delay(Math.min(resumeBackoffMs(budget.used, Math.random), left), session.signal);
      budget.used++;
      if (session.closed) return;
      let failure: unknown;
      try {
        const next = await withTimeout(
          session.upstream.connect(),
          windowMs - (session.now() - dropped),
        );
        if (session.closed) {
          next.close(CloseCode.normal, 'client session ended');
          return;
        }
        if (session.upstream.attach(next, 'resume', session.now() - dropped)) {
          session.metrics?.observeResumeTime(session.now() - dropped);
          this.#move({ type: 'recovered', busy: this.#busy });
          session.sendError({
            type: 'server_error',
            code: 'upstream_reconnected',
            message: 'the upstream connection was lost and the session was resumed on a new one',
          });
          return;
        }
        failure = new Error('the replay failed');
      } catch (error) {
        failure = error;
      }
      session.logger.log('warn', 'resume.attempt_failed', {
        session: session.id,
        attempt: attempt + 1,
        error: failure instanceof Error ? failure.message : 'unknown error',
      });
    }
    if (session.closed) return;
    session.metrics?.countResume('failed', 0);
    this.#move({ type: 'gave_up' });
    session.upstream.giveUp(code);
  }

  #scheduleRollover(event: JsonObject): void {
    const upstreamSession = isJsonObject(event.session) ? event.session : {};
    const expiresAt = upstreamSession.expires_at;
    if (typeof expiresAt !== 'number' || expiresAt <= 0) return;
    if (this.#rolloverTimer !== undefined) clearTimeout(this.#rolloverTimer);
    const dueIn = Math.max(0, expiresAt * 1000 - ROLLOVER_LEAD_MS - Date.now());
    // Timers past 2^31 ms fire at once; a session that far from expiring needs no timer yet.
    if (dueIn > 2 ** 31 - 1) return;
    this.#rolloverTimer = setTimeout(
      this.#session.guard('resume.rollover', () => {
        this.#rolloverTimer = undefined;
        this.#rolloverDue = true;
        this.#startRollover();
      }),
      dueIn,
    );
  }

  /** Starts a due rollover when the session is idle (else it waits for the work to end). */
  #startRollover(): void {
    // A conversation the relay could not keep whole is not replayed, not even to roll over.
    if (!this.#rolloverDue || !this.#copy.resumable || this.#session.closed) return;
    if (!this.#move({ type: 'rollover_started' })) return;
    this.#rolloverDue = false;
    if (!this.#session.upstream.beginSwitch()) {
      this.#move({ type: 'rollover_ended', busy: this.#busy });
      return;
    }
    this.#session.watch('resume.rollover', this.#rollOver());
  }

  /**
   * Replaces the upstream before its session expires: a fresh one is opened, the session
   * replayed onto it, client frames held meanwhile, and the old one closed once the new one
   * has them. If the fresh one cannot be opened the old one carries on.
   */
  async #rollOver(): Promise<void> {
    const session = this.#session;
    const started = session.now();
    let failure: unknown;
    try {
      const socket = await session.upstream.connect();
      if (session.closed) {
        socket.close(CloseCode.normal, 'client session ended');
        return;
      }
      if (session.upstream.attach(socket, 'rollover', session.now() - started)) {
        session.upstream.finishSwitch();
        this.#move({ type: 'rollover_ended', busy: this.#busy });
        session.logger.log('info', 'resume.rolled_over', { session: session.id });
        return;
      }
      failure = new Error('the replay failed');
    } catch (error) {
      failure = error;
    }
    if (session.closed) return;
    session.logger.log('warn', 'resume.rollover_failed', {
      session: session.id,
      error: failure instanceof Error ? failure.message : 'unknown error',
    });
    session.metrics?.countResume('rollover_failed', 0);
    // Nothing of the old upstream is an acknowledgement.
    this.#acks = undefined;
    this.#move({ type: 'rollover_ended', busy: this.#busy });
    // The old upstream closed meanwhile (its close was taken for the expected one): a drop.
    if (!session.upstream.abandonSwitch()) session.upstream.giveUp(CloseCode.internalError);
  }
}

const WITHHOLD = { action: 'withhold' } as const;
