/**
 * Where a resumable session is:
 * - `idle`: no response streaming or asked for, no input audio waiting for a commit; a due
 *   rollover starts here, and only here;
 * - `streaming`: a response streams or was asked for, or audio waits for its commit;
 * - `rolling_over`: a fresh upstream is being opened to replace the live one before it expires;
 * - `recovering`: the upstream was lost and reconnects are under way;
 * - `ended`: no upstream could be had (the session is closing).
 */
export type ResumePhase = 'idle' | 'streaming' | 'rolling_over' | 'recovering' | 'ended';

/** What moves a session from one {@link ResumePhase} to another. */
export type ResumeTransition =
  /** Work started or finished: `busy` says whether any is under way now. */
  | { readonly type: 'work'; readonly busy: boolean }
  /** A due rollover starts (only from `idle`). */
  | { readonly type: 'rollover_started' }
  /** The rollover is over, done or failed; `busy` as for `work`. */
  | { readonly type: 'rollover_ended'; readonly busy: boolean }
  /** The upstream is gone and a resume starts. */
  | { readonly type: 'upstream_lost' }
  /** A fresh upstream took the replay; `busy` as for `work` (the client may have asked meanwhile). */
  | { readonly type: 'recovered'; readonly busy: boolean }
  /** No upstream could be had. */
  | { readonly type: 'gave_up' };

const working = (busy: boolean): ResumePhase => (busy ? 'streaming' : 'idle');

/**
 * The phase `transition` leads to from `phase`, or `undefined` when it is not allowed there (a
 * rollover asked for while streaming, say): the caller then does nothing. Every transition of
 * resume goes through here, so the table is the whole machine.
 *
 * @example
 * ```ts
 * nextResumePhase('idle', { type: 'rollover_started' }); // 'rolling_over'
 * nextResumePhase('streaming', { type: 'rollover_started' }); // undefined
 * ```
 */
export function nextResumePhase(
  phase: ResumePhase,
  transition: ResumeTransition,
): ResumePhase | undefined {
  if (phase === 'ended') return undefined;
  switch (transition.type) {
    case 'work':
      // While switching or recovering, work only changes what the phase after it will be.
      return phase === 'idle' || phase === 'streaming' ? working(transition.busy) : undefined;
    case 'rollover_started':
      return phase === 'idle' ? 'rolling_over' : undefined;
    case 'rollover_ended':
      return phase === 'rolling_over' ? working(transition.busy) : undefined;
    case 'upstream_lost':
      return phase === 'recovering' ? undefined : 'recovering';
    case 'recovered':
      return phase === 'recovering' ? working(transition.busy) : undefined;
    case 'gave_up':
      return 'ended';
    default: {
      const unhandled: never = transition;
      return unhandled;
    }
  }
}
