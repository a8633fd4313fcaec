import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { TurnBehaviour } from './session-config.ts';
import {
  LISTENING,
  MIN_COMMIT_MS,
  type TurnEffect,
  type TurnFacts,
  type TurnInput,
  type TurnState,
  turnTransition,
} from './turn-taking.ts';

const VAD: TurnBehaviour = { createResponse: true, interruptResponse: true, idleTimeoutMs: 5000 };
const QUIET: TurnBehaviour = {
  createResponse: false,
  interruptResponse: false,
  idleTimeoutMs: undefined,
};

/** Facts with deterministic ids (`item_1`, `item_2`, …); `overrides` set the rest. */
function factsOf(overrides: Partial<Omit<TurnFacts, 'newItemId'>> = {}): TurnFacts {
  let counter = 0;
  return {
    bufferedMs: 500,
    sessionMs: 1234,
    responseActive: false,
    behaviour: VAD,
    newItemId: () => `item_${++counter}`,
    ...overrides,
  };
}

const speaking = (itemId = 'item_s'): TurnState => ({ name: 'speaking', itemId });
const stopped = (itemId = 'item_s'): TurnState => ({ name: 'stopped', itemId });
const waiting = (itemId?: string): TurnState => ({ name: 'waiting', startMs: 900, itemId });
const CLOSED: TurnState = { name: 'closed' };

type Row = readonly [
  what: string,
  from: TurnState,
  input: TurnInput,
  facts: Partial<Omit<TurnFacts, 'newItemId'>>,
  to: TurnState,
  effects: readonly TurnEffect[],
];

const started: TurnInput = { type: 'speech_started', audioStartMs: 40 };
const stoppedInput: TurnInput = { type: 'speech_stopped', audioEndMs: 800 };
const commit: TurnInput = { type: 'commit', eventId: 'client_1' };
const ended: TurnInput = { type: 'response_ended', audioMs: 2000 };
const short = { bufferedMs: MIN_COMMIT_MS - 1 };

const rows: readonly Row[] = [
  // speech_started
  [
    'speech starts',
    LISTENING,
    started,
    {},
    speaking('item_1'),
    [
      { type: 'speech_started', audioStartMs: 40, itemId: 'item_1' },
      { type: 'interrupt_response' },
    ],
  ],
  [
    'speech starts without barge-in',
    LISTENING,
    started,
    { behaviour: QUIET },
    speaking('item_1'),
    [{ type: 'speech_started', audioStartMs: 40, itemId: 'item_1' }],
  ],
  ['a second start while speaking is ignored', speaking(), started, {}, speaking(), []],
  [
    'speech after a stopped turn announces a new item',
    stopped(),
    started,
    { behaviour: QUIET },
    speaking('item_1'),
    [{ type: 'speech_started', audioStartMs: 40, itemId: 'item_1' }],
  ],
  [
    'speech stops the idle clock',
    waiting(),
    started,
    { behaviour: QUIET },
    speaking('item_1'),
    [{ type: 'disarm_idle' }, { type: 'speech_started', audioStartMs: 40, itemId: 'item_1' }],
  ],
  // speech_stopped
  [
    'speech stops: committed and answered',
    speaking(),
    stoppedInput,
    {},
    LISTENING,
    [
      { type: 'speech_stopped', audioEndMs: 800, itemId: 'item_s' },
      { type: 'commit', itemId: 'item_s' },
      { type: 'create_response' },
    ],
  ],
  [
    'speech stops while a response runs: committed, not answered',
    speaking(),
    stoppedInput,
    { responseActive: true },
    LISTENING,
    [
      { type: 'speech_stopped', audioEndMs: 800, itemId: 'item_s' },
      { type: 'commit', itemId: 'item_s' },
    ],
  ],
  [
    'speech stops without create_response',
    speaking(),
    stoppedInput,
    { behaviour: QUIET },
    LISTENING,
    [
      { type: 'speech_stopped', audioEndMs: 800, itemId: 'item_s' },
      { type: 'commit', itemId: 'item_s' },
    ],
  ],
  [
    'speech stops too short: the item stays announced',
    speaking(),
    stoppedInput,
    short,
    stopped(),
    [
      { type: 'speech_stopped', audioEndMs: 800, itemId: 'item_s' },
      { type: 'commit_too_short', eventId: undefined, bufferedMs: MIN_COMMIT_MS - 1 },
    ],
  ],
  ['a stop without speech is ignored', LISTENING, stoppedInput, {}, LISTENING, []],
  ['a stop after a stopped turn is ignored', stopped(), stoppedInput, {}, stopped(), []],
  // commit
  [
    'commit makes a new item',
    LISTENING,
    commit,
    {},
    LISTENING,
    [{ type: 'commit', itemId: 'item_1' }],
  ],
  [
    'commit too short is refused, no id minted',
    LISTENING,
    commit,
    short,
    LISTENING,
    [{ type: 'commit_too_short', eventId: 'client_1', bufferedMs: MIN_COMMIT_MS - 1 }],
  ],
  [
    'commit while speaking ends the speech first',
    speaking(),
    commit,
    {},
    LISTENING,
    [
      { type: 'speech_stopped', audioEndMs: 1234, itemId: 'item_s' },
      { type: 'commit', itemId: 'item_s' },
    ],
  ],
  [
    'commit while speaking, too short',
    speaking(),
    commit,
    short,
    stopped(),
    [
      { type: 'speech_stopped', audioEndMs: 1234, itemId: 'item_s' },
      { type: 'commit_too_short', eventId: 'client_1', bufferedMs: MIN_COMMIT_MS - 1 },
    ],
  ],
  [
    "commit takes a stopped turn's item",
    stopped(),
    commit,
    {},
    LISTENING,
    [{ type: 'commit', itemId: 'item_s' }],
  ],
  [
    'commit while waiting keeps the idle clock',
    waiting(),
    commit,
    {},
    waiting(),
    [{ type: 'commit', itemId: 'item_1' }],
  ],
  [
    'commit while waiting takes the pending item',
    waiting('item_s'),
    commit,
    {},
    waiting(),
    [{ type: 'commit', itemId: 'item_s' }],
  ],
  // clear
  [
    'clear forgets speech',
    speaking(),
    { type: 'clear' },
    {},
    LISTENING,
    [{ type: 'reset_detector' }],
  ],
  [
    'clear forgets a stopped turn',
    stopped(),
    { type: 'clear' },
    {},
    LISTENING,
    [{ type: 'reset_detector' }],
  ],
  [
    'clear keeps the idle clock',
    waiting('item_s'),
    { type: 'clear' },
    {},
    waiting(),
    [{ type: 'reset_detector' }],
  ],
  // response_started
  [
    'a response stops the idle clock',
    waiting(),
    { type: 'response_started' },
    {},
    LISTENING,
    [{ type: 'disarm_idle' }],
  ],
  [
    'a response stops the clock, the pending item stays',
    waiting('item_s'),
    { type: 'response_started' },
    {},
    stopped(),
    [{ type: 'disarm_idle' }],
  ],
  [
    'a response while listening changes nothing',
    LISTENING,
    { type: 'response_started' },
    {},
    LISTENING,
    [],
  ],
  [
    'a response while speaking changes nothing',
    speaking(),
    { type: 'response_started' },
    {},
    speaking(),
    [],
  ],
  // response_ended
  [
    'a response ends: the idle clock starts after its audio',
    LISTENING,
    ended,
    {},
    { name: 'waiting', startMs: 1234, itemId: undefined },
    [{ type: 'arm_idle', delayMs: 7000 }],
  ],
  [
    'a response ends after a stopped turn: its item stays pending',
    stopped(),
    ended,
    {},
    { name: 'waiting', startMs: 1234, itemId: 'item_s' },
    [{ type: 'arm_idle', delayMs: 7000 }],
  ],
  [
    'a response ends while waiting: the clock restarts',
    waiting(),
    ended,
    {},
    { name: 'waiting', startMs: 1234, itemId: undefined },
    [{ type: 'disarm_idle' }, { type: 'arm_idle', delayMs: 7000 }],
  ],
  ['a response ends while the user speaks: no clock', speaking(), ended, {}, speaking(), []],
  [
    'a response ends without idle_timeout_ms',
    LISTENING,
    ended,
    { behaviour: QUIET },
    LISTENING,
    [],
  ],
  [
    'a response ends without idle_timeout_ms while waiting',
    waiting('item_s'),
    ended,
    { behaviour: undefined },
    stopped(),
    [{ type: 'disarm_idle' }],
  ],
  // idle_timeout
  [
    'the user stayed silent: timeout, commit, response',
    waiting(),
    { type: 'idle_timeout' },
    { bufferedMs: 0 },
    LISTENING,
    [
      { type: 'timeout_triggered', startMs: 900, itemId: 'item_1' },
      { type: 'commit', itemId: 'item_1' },
      { type: 'create_response' },
    ],
  ],
  [
    'a timeout replaces a pending item',
    waiting('item_s'),
    { type: 'idle_timeout' },
    {},
    LISTENING,
    [
      { type: 'timeout_triggered', startMs: 900, itemId: 'item_1' },
      { type: 'commit', itemId: 'item_1' },
      { type: 'create_response' },
    ],
  ],
  [
    'a timeout while a response runs is spent',
    waiting('item_s'),
    { type: 'idle_timeout' },
    { responseActive: true },
    stopped(),
    [],
  ],
  ['a stale timeout is ignored', LISTENING, { type: 'idle_timeout' }, {}, LISTENING, []],
  // detector_replaced
  [
    'a new detector cuts speech short, silently',
    speaking(),
    { type: 'detector_replaced', detecting: true },
    {},
    stopped(),
    [],
  ],
  [
    'turn detection off stops the idle clock',
    waiting(),
    { type: 'detector_replaced', detecting: false },
    {},
    LISTENING,
    [{ type: 'disarm_idle' }],
  ],
  [
    'a new detector keeps the idle clock',
    waiting(),
    { type: 'detector_replaced', detecting: true },
    {},
    waiting(),
    [],
  ],
  [
    'a new detector while listening',
    LISTENING,
    { type: 'detector_replaced', detecting: false },
    {},
    LISTENING,
    [],
  ],
  // close
  [
    'close stops the idle clock',
    waiting(),
    { type: 'close' },
    {},
    CLOSED,
    [{ type: 'disarm_idle' }],
  ],
  ['close while speaking', speaking(), { type: 'close' }, {}, CLOSED, []],
  ['nothing happens once closed', CLOSED, started, {}, CLOSED, []],
  [
    'nothing happens once closed, timers included',
    CLOSED,
    { type: 'idle_timeout' },
    {},
    CLOSED,
    [],
  ],
];

describe('turnTransition', () => {
  it.each(rows)('%s', (_what, from, input, facts, to, effects) => {
    const step = turnTransition(from, input, factsOf(facts));
    expect(step.state).toEqual(to);
    expect(step.effects).toEqual(effects);
  });
});

/**
 * Turn taking as the engine did it before it had named states: three flags set from five
 * methods. The machine must agree with it on every sequence.
 */
class FlagTurnTaking {
  speaking = false;
  pendingItemId: string | undefined;
  armed = false;
  idleStartMs = 0;
  closed = false;
  readonly effects: TurnEffect[] = [];

  apply(input: TurnInput, facts: TurnFacts): void {
    if (this.closed) return;
    switch (input.type) {
      case 'speech_started':
        if (this.speaking) return;
        this.speaking = true;
        this.disarm();
        this.pendingItemId = facts.newItemId();
        this.effects.push({
          type: 'speech_started',
          audioStartMs: input.audioStartMs,
          itemId: this.pendingItemId,
        });
        if (facts.behaviour?.interruptResponse === true)
          this.effects.push({ type: 'interrupt_response' });
        return;
      case 'speech_stopped': {
        if (!this.speaking) return;
        this.speechStopped(input.audioEndMs, facts);
        const committed = this.commit(undefined, false, facts);
        if (committed && facts.behaviour?.createResponse === true && !facts.responseActive) {
          this.effects.push({ type: 'create_response' });
        }
        return;
      }
      case 'commit':
        if (this.speaking) this.speechStopped(facts.sessionMs, facts);
        this.commit(input.eventId, false, facts);
        return;
      case 'clear':
        this.speaking = false;
        this.pendingItemId = undefined;
        this.effects.push({ type: 'reset_detector' });
        return;
      case 'response_started':
        this.disarm();
        return;
      case 'response_ended': {
        this.disarm();
        const timeoutMs = facts.behaviour?.idleTimeoutMs;
        if (timeoutMs === undefined || this.speaking) return;
        this.armed = true;
        this.idleStartMs = facts.sessionMs;
        this.effects.push({ type: 'arm_idle', delayMs: input.audioMs + timeoutMs });
        return;
      }
      case 'idle_timeout': {
        this.armed = false;
        if (this.speaking || facts.responseActive) return;
        const itemId = facts.newItemId();
        this.effects.push({ type: 'timeout_triggered', startMs: this.idleStartMs, itemId });
        this.pendingItemId = itemId;
        this.commit(undefined, true, facts);
        this.effects.push({ type: 'create_response' });
        return;
      }
      case 'detector_replaced':
        this.speaking = false;
        if (!input.detecting) this.disarm();
        return;
      case 'close':
        this.closed = true;
        this.disarm();
        return;
    }
  }

  private disarm(): void {
    if (this.armed) this.effects.push({ type: 'disarm_idle' });
    this.armed = false;
  }

  private speechStopped(audioEndMs: number, facts: TurnFacts): void {
    this.speaking = false;
    this.effects.push({
      type: 'speech_stopped',
      audioEndMs,
      itemId: this.pendingItemId ?? facts.newItemId(),
    });
  }

  private commit(eventId: string | null | undefined, force: boolean, facts: TurnFacts): boolean {
    if (facts.bufferedMs < MIN_COMMIT_MS && !force) {
      this.effects.push({ type: 'commit_too_short', eventId, bufferedMs: facts.bufferedMs });
      return false;
    }
    const itemId = this.pendingItemId ?? facts.newItemId();
    this.speaking = false;
    this.pendingItemId = undefined;
    this.effects.push({ type: 'commit', itemId });
    return true;
  }
}

const inputArbitrary: fc.Arbitrary<TurnInput> = fc.oneof(
  fc.record({ type: fc.constant('speech_started' as const), audioStartMs: fc.nat(10_000) }),
  fc.record({ type: fc.constant('speech_stopped' as const), audioEndMs: fc.nat(10_000) }),
  fc.record({
    type: fc.constant('commit' as const),
    eventId: fc.option(fc.constant('client_1'), { nil: undefined }),
  }),
  fc.constant({ type: 'clear' as const }),
  fc.constant({ type: 'response_started' as const }),
  fc.record({ type: fc.constant('response_ended' as const), audioMs: fc.nat(5000) }),
  fc.constant({ type: 'idle_timeout' as const }),
  fc.record({ type: fc.constant('detector_replaced' as const), detecting: fc.boolean() }),
  fc.constant({ type: 'close' as const }),
);

const factsArbitrary = fc.record({
  bufferedMs: fc.nat(300),
  responseActive: fc.boolean(),
  behaviour: fc.option(
    fc.record({
      createResponse: fc.boolean(),
      interruptResponse: fc.boolean(),
      idleTimeoutMs: fc.option(fc.integer({ min: 1, max: 10_000 }), { nil: undefined }),
    }),
    { nil: undefined },
  ),
});

const NAMES = new Set(['listening', 'speaking', 'stopped', 'waiting', 'closed']);

describe('turn taking on any sequence', () => {
  it('agrees with the flags it replaced and never reaches an invalid state', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(inputArbitrary, factsArbitrary), { maxLength: 40 }),
        (steps) => {
          let state: TurnState = LISTENING;
          let armed = false;
          let sessionMs = 0;
          // Each side mints its own ids: they must mint them at the same points.
          let machineIds = 0;
          let flagIds = 0;
          const flags = new FlagTurnTaking();
          const effects: TurnEffect[] = [];
          for (const [input, drawn] of steps) {
            // A timer fires only while armed: the session clears it otherwise.
            if (input.type === 'idle_timeout' && !armed) continue;
            sessionMs += 20;
            const facts: TurnFacts = {
              ...drawn,
              sessionMs,
              newItemId: () => `item_${++machineIds}`,
            };
            const step = turnTransition(state, input, facts);
            state = step.state;
            effects.push(...step.effects);
            flags.apply(input, { ...facts, newItemId: () => `item_${++flagIds}` });
            for (const effect of step.effects) {
              if (effect.type === 'arm_idle') armed = true;
              if (effect.type === 'disarm_idle') armed = false;
            }
            if (input.type === 'idle_timeout') armed = false;

            expect(NAMES.has(state.name)).toBe(true);
            // The idle timer runs exactly while waiting, and speech only while speaking.
            expect(armed).toBe(state.name === 'waiting');
            expect(flags.armed).toBe(armed);
            expect(flags.closed).toBe(state.name === 'closed');
            // Closed, the old flags kept whatever they held; nothing reads them any more.
            if (state.name === 'closed') continue;
            expect(flags.speaking).toBe(state.name === 'speaking');
            const pending =
              state.name === 'speaking' || state.name === 'stopped' || state.name === 'waiting'
                ? state.itemId
                : undefined;
            expect(pending).toBe(flags.pendingItemId);
            if (state.name === 'waiting') expect(state.startMs).toBe(flags.idleStartMs);
          }
          expect(effects).toEqual(flags.effects);
          // Every committed item is committed once.
          const committed = effects.flatMap((effect) =>
            effect.type === 'commit' ? [effect.itemId] : [],
          );
          expect(new Set(committed).size).toBe(committed.length);
        },
      ),
      { numRuns: 500 },
    );
  });
});
