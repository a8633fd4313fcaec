import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nextResumePhase, type ResumePhase, type ResumeTransition } from './resume-phase.ts';

const PHASES: readonly ResumePhase[] = ['idle', 'streaming', 'rolling_over', 'recovering', 'ended'];

const TRANSITIONS: readonly ResumeTransition[] = [
  { type: 'work', busy: true },
  { type: 'work', busy: false },
  { type: 'rollover_started' },
  { type: 'rollover_ended', busy: true },
  { type: 'rollover_ended', busy: false },
  { type: 'upstream_lost' },
  { type: 'recovered', busy: true },
  { type: 'recovered', busy: false },
  { type: 'gave_up' },
];

const label = (transition: ResumeTransition) =>
  'busy' in transition
    ? `${transition.type}(${transition.busy ? 'busy' : 'free'})`
    : transition.type;

/** The whole machine, written out: from each phase, where each transition leads (— : refused). */
const TABLE: Record<ResumePhase, Record<string, ResumePhase | '—'>> = {
  idle: {
    'work(busy)': 'streaming',
    'work(free)': 'idle',
    rollover_started: 'rolling_over',
    'rollover_ended(busy)': '—',
    'rollover_ended(free)': '—',
    upstream_lost: 'recovering',
    'recovered(busy)': '—',
    'recovered(free)': '—',
    gave_up: 'ended',
  },
  streaming: {
    'work(busy)': 'streaming',
    'work(free)': 'idle',
    rollover_started: '—',
    'rollover_ended(busy)': '—',
    'rollover_ended(free)': '—',
    upstream_lost: 'recovering',
    'recovered(busy)': '—',
    'recovered(free)': '—',
    gave_up: 'ended',
  },
  rolling_over: {
    'work(busy)': '—',
    'work(free)': '—',
    rollover_started: '—',
    'rollover_ended(busy)': 'streaming',
    'rollover_ended(free)': 'idle',
    upstream_lost: 'recovering',
    'recovered(busy)': '—',
    'recovered(free)': '—',
    gave_up: 'ended',
  },
  recovering: {
    'work(busy)': '—',
    'work(free)': '—',
    rollover_started: '—',
    'rollover_ended(busy)': '—',
    'rollover_ended(free)': '—',
    upstream_lost: '—',
    'recovered(busy)': 'streaming',
    'recovered(free)': 'idle',
    gave_up: 'ended',
  },
  ended: Object.fromEntries(TRANSITIONS.map((transition) => [label(transition), '—'])),
};

describe('the phases of resume', () => {
  for (const phase of PHASES) {
    for (const transition of TRANSITIONS) {
      const expected = TABLE[phase][label(transition)];
      it(`${phase} --${label(transition)}--> ${expected}`, () => {
        expect(nextResumePhase(phase, transition) ?? '—').toBe(expected);
      });
    }
  }

  it('a rollover starts only from idle, and nothing leaves ended (any sequence)', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...TRANSITIONS), { maxLength: 60 }), (sequence) => {
        let phase: ResumePhase = 'idle';
        for (const transition of sequence) {
          const next = nextResumePhase(phase, transition);
          if (next === 'rolling_over') expect(phase).toBe('idle');
          if (phase === 'ended') expect(next).toBeUndefined();
          // Work never ends a switch or a recovery: only their own ending does.
          if ((phase === 'rolling_over' || phase === 'recovering') && transition.type === 'work') {
            expect(next).toBeUndefined();
          }
          phase = next ?? phase;
        }
      }),
    );
  });
});
