import type { ServerEventInput } from '@rtwire/serializer';
import { type ClientEventInput, encodeClientEvent, encodeServerEvent } from '@rtwire/serializer';
import { exceedsNesting, MAX_NESTING_DEPTH } from '@rtwire/types';
import { isJsonObject, type JsonObject } from '../json-object.ts';
import type { DuplexSocket } from '../sockets/duplex-socket.ts';
import { sendRelayError, sendTo } from './backpressure.ts';
import {
  COPIED_TYPES,
  type ConversationCopy,
  createConversationCopy,
  observeUpstreamEvent,
  replayEvents,
  replayedItemIds,
} from './conversation-copy.ts';
import { nextRelayEventId } from './error-event.ts';
import type { SessionContext } from './session-state.ts';

type Json = JsonObject;

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

/** The first reconnect waits up to this long (jitter), each later one up to four times more. */
export const RESUME_BACKOFF_BASE_MS = 100;

/** No reconnect waits longer than this (nor past the resume window). */
export const RESUME_BACKOFF_MAX_MS = 2000;

/** Responses tracked at once (to close on a drop); the API runs far fewer side by side. */
const MAX_TRACKED_RESPONSES = 64;

/** Output items tracked per response. */
const MAX_OPEN_ITEMS = 256;

/** An output item added and not yet done, as the client must see it closed on a drop. */
interface OpenItem {
  readonly item: Json;
  readonly index: number;
}

/** Event ids of what the relay replays upstream; an `error` about one is the relay's. */
export const RESUME_EVENT_PREFIX = 'event_relay_resume_';

/** How long before the upstream session's `expires_at` the relay rolls over to a fresh one. */
export const ROLLOVER_LEAD_MS = 60_000;

/** What a session keeps to resume, and where a resume or rollover is. */
export interface ResumeState {
  readonly settings: ResumeSettings;
  readonly copy: ConversationCopy;
  /**
   * The responses streaming now (the conversation's and any out-of-band ones beside it), by
   * id, each with its output items not yet done by id: all are closed for the client on a drop.
   */
  readonly responses: Map<string, Map<string, OpenItem>>;
  /** Whether input audio was appended since the last commit or clear. */
  uncommittedAudio: boolean;
  /** The client asked for a response the upstream has not started yet. */
  responseRequested: boolean;
  /** What a new upstream acknowledges of the replay: withheld, the client saw it already. */
  acks:
    | { sessionCreated: boolean; sessionUpdated: boolean; readonly items: Set<string> }
    | undefined;
  /** The upstream a rollover is replacing: its frames still pass, its close is expected. */
  retiring: DuplexSocket | undefined;
  /** A rollover waits for the response (or the uncommitted audio) to finish. */
  rolloverDue: boolean;
  rolloverTimer: ReturnType<typeof setTimeout> | undefined;
  /** Starts a due rollover (set by the session, which owns the sockets). */
  onRolloverDue: () => void;
  /**
   * Reconnects spent since `windowStart`: drops that follow one another within the window
   * share one budget of `attempts`, so an upstream that fails every time is given up on.
   */
  readonly budget: { windowStart: number; used: number };
  /** Resumes started since the session began, held to `maxPerSession`. */
  resumes: number;
}

/**
 * A session's resume state at its start.
 *
 * @example
 * ```ts
 * const resume = createResumeState({ attempts: 3, windowMs: 5000, maxBytes: 256 * 1024 });
 * ```
 */
export function createResumeState(settings: ResumeSettings): ResumeState {
  return {
    settings,
    copy: createConversationCopy(settings.maxBytes),
    responses: new Map(),
    uncommittedAudio: false,
    responseRequested: false,
    acks: undefined,
    retiring: undefined,
    rolloverDue: false,
    rolloverTimer: undefined,
    onRolloverDue: () => {},
    budget: { windowStart: Number.NEGATIVE_INFINITY, used: 0 },
    resumes: 0,
  };
}

/**
 * How long to wait before reconnect number `attempt` (0 for the first) of drops close together:
 * exponential (4× each time from {@link RESUME_BACKOFF_BASE_MS}, bounded by
 * {@link RESUME_BACKOFF_MAX_MS}) with jitter, a random point in the upper half, so sessions
 * dropped together do not reconnect together. `random` is in [0, 1), as `Math.random`.
 *
 * @example
 * ```ts
 * await delay(resumeBackoffMs(budget.used, Math.random));
 * ```
 */
export function resumeBackoffMs(attempt: number, random: () => number): number {
  const ceiling = Math.min(RESUME_BACKOFF_MAX_MS, RESUME_BACKOFF_BASE_MS * 4 ** attempt);
  const share = Math.min(Math.max(random(), 0), 1);
  return Math.floor(ceiling / 2 + (ceiling / 2) * share);
}

/**
 * Why a drop now is not resumed, or `undefined` when it is: resume is off, the conversation
 * holds something the relay refused to keep (`not_resumable`), or the session spent its
 * resumes (`cap_reached`).
 *
 * @example
 * ```ts
 * if (resumeRefusal(resume) === undefined) void recoverUpstream(context, socket, code);
 * ```
 */
export function resumeRefusal(
  resume: ResumeState,
): 'off' | 'not_resumable' | 'cap_reached' | undefined {
  if (resume.settings.attempts <= 0) return 'off';
  if (!resume.copy.resumable) return 'not_resumable';
  const cap = resume.settings.maxPerSession ?? DEFAULT_RESUME_MAX_PER_SESSION;
  return resume.resumes >= cap ? 'cap_reached' : undefined;
}

/** Upstream types resume reads besides the copied ones (each parsed only when it comes). */
const TRACKED: ReadonlySet<string> = new Set([
  'response.created',
  'response.done',
  'response.output_item.added',
  'response.output_item.done',
  'error',
]);

/** What {@link observeForResume} decided about an upstream frame. */
export type ResumeVerdict = 'forward' | 'withhold' | 'expired';

/**
 * Learns from one upstream frame what a resume needs (the conversation, the streaming
 * response, the session's expiry) and says whether it is a replay acknowledgement the client
 * must not see, or the upstream's own "session expired" error. Deltas are not parsed; `read`
 * parses the frame once for every step that needs it.
 *
 * @example
 * ```ts
 * if (observeForResume(context, resume, type, frameReader(data)) === 'withhold') return;
 * ```
 */
export function observeForResume(
  context: SessionContext,
  resume: ResumeState,
  type: string | undefined,
  read: () => Json | undefined,
): ResumeVerdict {
  if (type === 'input_audio_buffer.committed' || type === 'input_audio_buffer.cleared') {
    resume.uncommittedAudio = false;
    if (resume.rolloverDue) queueMicrotask(resume.onRolloverDue);
    return 'forward';
  }
  if (type === undefined || (!COPIED_TYPES.has(type) && !TRACKED.has(type))) return 'forward';
  const event = read();
  if (event === undefined) return 'forward';
  const acks = resume.acks;
  if (type === 'session.created') {
    if (acks?.sessionCreated) {
      acks.sessionCreated = false;
      scheduleRollover(resume, event);
      return 'withhold';
    }
    copyFrom(context, resume, type, event);
    scheduleRollover(resume, event);
    return 'forward';
  }
  if (type === 'session.updated' && acks?.sessionUpdated) {
    acks.sessionUpdated = false;
    copyFrom(context, resume, type, event);
    return 'withhold';
  }
  if (type.startsWith('conversation.item.')) {
    const id = isJsonObject(event.item) ? event.item.id : undefined;
    if (acks !== undefined && typeof id === 'string' && acks.items.has(id)) {
      if (type !== 'conversation.item.added') acks.items.delete(id);
      return 'withhold';
    }
    copyFrom(context, resume, type, event);
    return 'forward';
  }
  if (COPIED_TYPES.has(type)) {
    copyFrom(context, resume, type, event);
    return 'forward';
  }
  switch (type) {
    case 'error': {
      // A refused response.create starts nothing: the session is idle again.
      resume.responseRequested = false;
      const error = isJsonObject(event.error) ? event.error : {};
      if (typeof error.event_id === 'string' && error.event_id.startsWith(RESUME_EVENT_PREFIX)) {
        context.logger.log('warn', 'resume.replay_refused', {
          session: context.id,
          code: error.code,
        });
        return 'withhold';
      }
      return error.code === 'session_expired' ? 'expired' : 'forward';
    }
    case 'response.created': {
      const response = isJsonObject(event.response) ? event.response : {};
      if (typeof response.id === 'string' && resume.responses.size < MAX_TRACKED_RESPONSES) {
        resume.responses.set(response.id, new Map());
      }
      resume.responseRequested = false;
      return 'forward';
    }
    case 'response.output_item.added': {
      const item = isJsonObject(event.item) ? event.item : undefined;
      const open =
        typeof event.response_id === 'string' ? resume.responses.get(event.response_id) : undefined;
      if (
        open !== undefined &&
        open.size < MAX_OPEN_ITEMS &&
        item &&
        typeof item.id === 'string' &&
        typeof event.output_index === 'number'
      ) {
        // Sent back to the client on a drop, wrapped two levels deeper than it came.
        const kept = exceedsNesting(item, MAX_NESTING_DEPTH - 3) ? itemShell(item) : item;
        open.set(item.id, { item: kept, index: event.output_index });
      }
      return 'forward';
    }
    case 'response.output_item.done': {
      const item = isJsonObject(event.item) ? event.item : undefined;
      if (item && typeof item.id === 'string' && typeof event.response_id === 'string') {
        resume.responses.get(event.response_id)?.delete(item.id);
      }
      return 'forward';
    }
    case 'response.done': {
      const response = isJsonObject(event.response) ? event.response : {};
      if (typeof response.id === 'string') resume.responses.delete(response.id);
      if (resume.rolloverDue) queueMicrotask(resume.onRolloverDue);
      return 'forward';
    }
    default:
      return 'forward';
  }
}

/**
 * What the client hears when its upstream is gone: every response that was streaming (the
 * conversation's and any out-of-band one beside it) ends as a failed response would (its open
 * items done as `incomplete`, then `response.done` with status `failed`), and input audio not
 * yet committed is reported lost.
 *
 * @example
 * ```ts
 * settleForClient(context, resume);
 * ```
 */
export function settleForClient(context: SessionContext, resume: ResumeState): void {
  const responses = [...resume.responses];
  resume.responses.clear();
  resume.responseRequested = false;
  for (const [id, open] of responses) {
    const output: Json[] = [];
    for (const { item, index } of open.values()) {
      const done = { ...item, status: 'incomplete' };
      output.push(done);
      sendServerEvent(context, {
        type: 'response.output_item.done',
        event_id: nextRelayEventId(),
        response_id: id,
        output_index: index,
        item: done,
      });
    }
    sendServerEvent(context, {
      type: 'response.done',
      event_id: nextRelayEventId(),
      response: {
        object: 'realtime.response',
        id,
        status: 'failed',
        status_details: {
          type: 'failed',
          error: {
            type: 'server_error',
            code: 'upstream_lost',
            message: 'the upstream connection was lost',
          },
        },
        output,
      },
    });
  }
  if (resume.uncommittedAudio) {
    resume.uncommittedAudio = false;
    sendRelayError(context, {
      type: 'server_error',
      code: 'input_audio_lost',
      message: 'input audio not yet committed was lost with the upstream connection; send it again',
    });
  }
}

/**
 * Prepares the rebuild of the session on a fresh upstream: the kept configuration and the
 * items, in order with their ids, as client events to send, and the acknowledgements to
 * withhold from the client. Called before the new upstream is listened to, since it may have
 * sent its `session.created` already.
 *
 * @example
 * ```ts
 * const replay = prepareReplay(context, resume);
 * socket.listen(handlers);
 * for (const frame of replay.frames) socket.send(frame, false);
 * ```
 */
export function prepareReplay(
  context: SessionContext,
  resume: ResumeState,
): { frames: string[]; items: number } {
  const events = replayEvents(resume.copy, RESUME_EVENT_PREFIX);
  resume.acks = {
    sessionCreated: true,
    sessionUpdated: resume.copy.session !== undefined,
    items: new Set(replayedItemIds(resume.copy)),
  };
  if (resume.copy.dropped > 0) {
    context.logger.log('warn', 'resume.history_trimmed', {
      session: context.id,
      dropped: resume.copy.dropped,
    });
  }
  return {
    frames: events.map((event) => encodeClientEvent(event as unknown as ClientEventInput)),
    items: resume.acks.items.size,
  };
}

function scheduleRollover(resume: ResumeState, event: Json): void {
  const session = isJsonObject(event.session) ? event.session : {};
  if (typeof session.expires_at !== 'number' || session.expires_at <= 0) return;
  if (resume.rolloverTimer !== undefined) clearTimeout(resume.rolloverTimer);
  const dueIn = Math.max(0, session.expires_at * 1000 - ROLLOVER_LEAD_MS - Date.now());
  // Timers past 2^31 ms fire at once; a session that far from expiring needs no timer yet.
  if (dueIn > 2 ** 31 - 1) return;
  resume.rolloverTimer = setTimeout(() => {
    resume.rolloverTimer = undefined;
    resume.rolloverDue = true;
    if (isIdle(resume)) resume.onRolloverDue();
  }, dueIn);
}

/**
 * Whether nothing is under way that a rollover would cut: no response streaming or asked for,
 * no audio waiting for a commit.
 *
 * @example
 * ```ts
 * if (isIdle(resume)) resume.onRolloverDue();
 * ```
 */
export function isIdle(resume: ResumeState): boolean {
  return resume.responses.size === 0 && !resume.responseRequested && !resume.uncommittedAudio;
}

/** Learns from a copied type; a session or item refused is logged by its type alone. */
function copyFrom(context: SessionContext, resume: ResumeState, type: string, event: Json): void {
  if (observeUpstreamEvent(resume.copy, event) !== 'refused') return;
  context.logger.log('warn', 'resume.item_refused', {
    session: context.id,
    type,
    reason: 'too_deep',
  });
}

/** An item's own scalar fields (and no content), for one too deep to send back whole. */
function itemShell(item: Json): Json {
  const shell: Json = {};
  for (const [key, value] of Object.entries(item)) {
    if (typeof value !== 'object' || value === null) shell[key] = value;
  }
  if (Array.isArray(item.content)) shell.content = [];
  return shell;
}

function sendServerEvent(context: SessionContext, event: Json): void {
  sendTo(context, 'client', encodeServerEvent(event as unknown as ServerEventInput), false);
}
