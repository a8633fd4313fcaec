import type { TurnBehaviour } from './session-config.ts';

/**
 * The shortest input audio a commit takes (the live API's bound).
 *
 * @example
 * ```ts
 * if (bufferedMs < MIN_COMMIT_MS) refuse();
 * ```
 */
export const MIN_COMMIT_MS = 100;

/**
 * Where a session's turn taking stands:
 *
 * - `listening`: no turn in progress, no idle timeout armed.
 * - `speaking`: the detector reported speech (`speech_started` announced `itemId`) that has
 *   not stopped.
 * - `stopped`: the speech ended (or its detector was replaced) but its announced item was not
 *   committed (the buffer held too little): the next commit takes `itemId`.
 * - `waiting`: a response in the conversation ended and server VAD's idle timeout is armed,
 *   counting from `startMs` of session audio; `itemId` is a stopped turn's, when one is left.
 * - `closed`: the session closed; nothing happens any more.
 *
 * @example
 * ```ts
 * const state: TurnState = { name: 'speaking', itemId: 'item_1' };
 * ```
 */
export type TurnState =
  | { readonly name: 'listening' }
  | { readonly name: 'speaking'; readonly itemId: string }
  | { readonly name: 'stopped'; readonly itemId: string }
  | { readonly name: 'waiting'; readonly startMs: number; readonly itemId: string | undefined }
  | { readonly name: 'closed' };

/**
 * What happens to turn taking: a detector's report, a client event, a response, a timer.
 *
 * @example
 * ```ts
 * const input: TurnInput = { type: 'speech_stopped', audioEndMs: 1800 };
 * ```
 */
export type TurnInput =
  | { readonly type: 'speech_started'; readonly audioStartMs: number }
  | { readonly type: 'speech_stopped'; readonly audioEndMs: number }
  /** `input_audio_buffer.commit` from the client. */
  | { readonly type: 'commit'; readonly eventId: string | null | undefined }
  /** `input_audio_buffer.clear` from the client. */
  | { readonly type: 'clear' }
  /** A response in the conversation started (out-of-band ones are not turns). */
  | { readonly type: 'response_started' }
  /** A response in the conversation ended, having streamed `audioMs` of audio. */
  | { readonly type: 'response_ended'; readonly audioMs: number }
  /** The armed idle timeout fired. */
  | { readonly type: 'idle_timeout' }
  /** The turn detection settings changed: the detector was replaced (`detecting`: by one). */
  | { readonly type: 'detector_replaced'; readonly detecting: boolean }
  | { readonly type: 'close' };

/**
 * What a transition asks of its session, in order.
 *
 * @example
 * ```ts
 * for (const effect of step.effects) if (effect.type === 'commit') commit(effect.itemId);
 * ```
 */
export type TurnEffect =
  | { readonly type: 'arm_idle'; readonly delayMs: number }
  | { readonly type: 'disarm_idle' }
  | { readonly type: 'speech_started'; readonly audioStartMs: number; readonly itemId: string }
  | { readonly type: 'speech_stopped'; readonly audioEndMs: number; readonly itemId: string }
  /** Cancel the active response (`turn_detected`): a barge-in. */
  | { readonly type: 'interrupt_response' }
  | { readonly type: 'timeout_triggered'; readonly startMs: number; readonly itemId: string }
  /** Refuse the commit: the buffer holds `bufferedMs`, under {@link MIN_COMMIT_MS}. */
  | {
      readonly type: 'commit_too_short';
      readonly eventId: string | null | undefined;
      readonly bufferedMs: number;
    }
  /** Take the buffer as the user audio item `itemId`; the detector starts afresh. */
  | { readonly type: 'commit'; readonly itemId: string }
  /** The detector forgets the turn in progress (the buffer was cleared). */
  | { readonly type: 'reset_detector' }
  /** Start a response, as server VAD does when a turn ends. */
  | { readonly type: 'create_response' };

/**
 * What a transition reads of the session at the time of the input.
 *
 * @example
 * ```ts
 * const facts: TurnFacts = {
 *   bufferedMs: 500, sessionMs: 1800, responseActive: false, behaviour,
 *   newItemId: () => context.id('item'),
 * };
 * ```
 */
export interface TurnFacts {
  /** Milliseconds of audio in the input buffer. */
  readonly bufferedMs: number;
  /** Audio time of the session (ms since the first append). */
  readonly sessionMs: number;
  readonly responseActive: boolean;
  /** What the session's turn detection does on a turn (`undefined`: turn detection off). */
  readonly behaviour: TurnBehaviour | undefined;
  /** Mints an item id; called only when a transition needs one, so ids follow the protocol's order. */
  newItemId(): string;
}

/**
 * The state a transition leads to and what it asks for.
 *
 * @example
 * ```ts
 * const { state, effects } = turnTransition(current, input, facts);
 * ```
 */
export interface TurnStep {
  readonly state: TurnState;
  readonly effects: readonly TurnEffect[];
}

/**
 * The state turn taking starts in.
 *
 * @example
 * ```ts
 * let state: TurnState = LISTENING;
 * ```
 */
export const LISTENING: TurnState = Object.freeze({ name: 'listening' });
const CLOSED: TurnState = Object.freeze({ name: 'closed' });
const NONE: readonly TurnEffect[] = Object.freeze([]);
const DISARM: TurnEffect = Object.freeze({ type: 'disarm_idle' });

/**
 * The one transition function of turn taking: the next state and its effects, for every state
 * and input. Pure but for `facts.newItemId`, so the session runs the effects in order (and
 * sets the state first: an effect such as a barge-in may feed an input back in).
 *
 * @example
 * ```ts
 * const step = turnTransition(LISTENING, { type: 'speech_started', audioStartMs: 0 }, facts);
 * step.state; // { name: 'speaking', itemId: 'item_1' }
 * step.effects; // [{ type: 'speech_started', audioStartMs: 0, itemId: 'item_1' }, …]
 * ```
 */
export function turnTransition(state: TurnState, input: TurnInput, facts: TurnFacts): TurnStep {
  if (state.name === 'closed') return { state, effects: NONE };
  switch (input.type) {
    case 'close':
      return { state: CLOSED, effects: state.name === 'waiting' ? [DISARM] : NONE };
    case 'speech_started': {
      if (state.name === 'speaking') return { state, effects: NONE };
      const itemId = facts.newItemId();
      const effects: TurnEffect[] = state.name === 'waiting' ? [DISARM] : [];
      effects.push({ type: 'speech_started', audioStartMs: input.audioStartMs, itemId });
      if (facts.behaviour?.interruptResponse === true) effects.push({ type: 'interrupt_response' });
      return { state: { name: 'speaking', itemId }, effects };
    }
    case 'speech_stopped': {
      if (state.name !== 'speaking') return { state, effects: NONE };
      const stopped: TurnEffect = {
        type: 'speech_stopped',
        audioEndMs: input.audioEndMs,
        itemId: state.itemId,
      };
      const step = tryCommit({ name: 'stopped', itemId: state.itemId }, undefined, facts);
      const respond =
        step.committed && facts.behaviour?.createResponse === true && !facts.responseActive;
      return {
        state: step.state,
        effects: respond
          ? [stopped, step.effect, { type: 'create_response' }]
          : [stopped, step.effect],
      };
    }
    case 'commit': {
      if (state.name !== 'speaking') {
        const step = tryCommit(state, input.eventId, facts);
        return { state: step.state, effects: [step.effect] };
      }
      // A commit ends the speech in progress first, as the live API does.
      const stopped: TurnEffect = {
        type: 'speech_stopped',
        audioEndMs: facts.sessionMs,
        itemId: state.itemId,
      };
      const step = tryCommit({ name: 'stopped', itemId: state.itemId }, input.eventId, facts);
      return { state: step.state, effects: [stopped, step.effect] };
    }
    case 'clear':
      return {
        state: state.name === 'waiting' ? { ...state, itemId: undefined } : LISTENING,
        effects: [{ type: 'reset_detector' }],
      };
    case 'response_started':
      // A new response stops the idle clock: the user is answered.
      return state.name === 'waiting'
        ? { state: withoutTimer(state), effects: [DISARM] }
        : { state, effects: NONE };
    case 'response_ended': {
      if (state.name === 'speaking') return { state, effects: NONE };
      const timeoutMs = facts.behaviour?.idleTimeoutMs;
      if (timeoutMs === undefined) {
        return state.name === 'waiting'
          ? { state: withoutTimer(state), effects: [DISARM] }
          : { state, effects: NONE };
      }
      const arm: TurnEffect = { type: 'arm_idle', delayMs: input.audioMs + timeoutMs };
      return {
        state: { name: 'waiting', startMs: facts.sessionMs, itemId: pendingItemOf(state) },
        effects: state.name === 'waiting' ? [DISARM, arm] : [arm],
      };
    }
    case 'idle_timeout': {
      if (state.name !== 'waiting') return { state, effects: NONE };
      // The timer is spent either way; a response running now means the user is not waited on.
      if (facts.responseActive) return { state: withoutTimer(state), effects: NONE };
      const itemId = facts.newItemId();
      return {
        state: LISTENING,
        effects: [
          { type: 'timeout_triggered', startMs: state.startMs, itemId },
          // What there is, empty or not: the silence is the user's turn.
          { type: 'commit', itemId },
          { type: 'create_response' },
        ],
      };
    }
    case 'detector_replaced':
      if (state.name === 'speaking')
        return { state: { name: 'stopped', itemId: state.itemId }, effects: NONE };
      if (state.name === 'waiting' && !input.detecting) {
        return { state: withoutTimer(state), effects: [DISARM] };
      }
      return { state, effects: NONE };
    default: {
      const unknown: never = input;
      throw new TypeError(`turnTransition: unknown input ${JSON.stringify(unknown)}`);
    }
  }
}

/** Commits the buffer from `state` (never `speaking`): the item announced, or a new one. */
function tryCommit(
  state: Exclude<TurnState, { name: 'speaking' | 'closed' }>,
  eventId: string | null | undefined,
  facts: TurnFacts,
): { readonly state: TurnState; readonly effect: TurnEffect; readonly committed: boolean } {
  if (facts.bufferedMs < MIN_COMMIT_MS) {
    return {
      state,
      effect: { type: 'commit_too_short', eventId, bufferedMs: facts.bufferedMs },
      committed: false,
    };
  }
  const itemId = pendingItemOf(state) ?? facts.newItemId();
  return {
    // The idle clock runs on: a commit is not a response.
    state: state.name === 'waiting' ? { ...state, itemId: undefined } : LISTENING,
    effect: { type: 'commit', itemId },
    committed: true,
  };
}

/** The item a stopped turn announced and no commit took yet. */
function pendingItemOf(state: TurnState): string | undefined {
  return state.name === 'stopped' || state.name === 'waiting' ? state.itemId : undefined;
}

/** `waiting` once its timer is gone: a stopped turn's item is still pending. */
function withoutTimer(state: Extract<TurnState, { name: 'waiting' }>): TurnState {
  return state.itemId === undefined ? LISTENING : { name: 'stopped', itemId: state.itemId };
}
