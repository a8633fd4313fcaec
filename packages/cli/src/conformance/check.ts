import type { ConformanceSession } from './conformance-session.ts';
import type { ServerEvent } from './server-event.ts';

export { CheckFailure, CheckSkip } from './check-outcomes.ts';
export type { ServerEvent } from './server-event.ts';

/** The parts of the protocol a check exercises; a server without one skips those checks. */
export type Capability = 'audio' | 'transcription' | 'turn-detection';

/** What a check measures for the report's latency table. */
export type LatencyName = 'session.created' | 'first text delta' | 'first audio delta';

/**
 * One conformance check: a stable id (what `--only` and `--skip` select, and what CI keeps
 * across versions), a one-line description, the spec schemas it holds the server to, and the
 * scenario.
 *
 * @example
 * ```ts
 * const check: Check = {
 *   id: 'session.created-first',
 *   description: 'The first server event is session.created',
 *   spec: ['RealtimeServerEventSessionCreated'],
 *   async run(context) {
 *     await context.open();
 *   },
 * };
 * ```
 */
export interface Check {
  readonly id: string;
  readonly description: string;
  /** Names of the schemas in the official spec (`realtime-schemas.json`) the check follows. */
  readonly spec: readonly string[];
  /** What the server must offer; missing, the check is skipped with the reason. */
  readonly needs?: readonly Capability[];
  /**
   * Checks that read every other check's events (spec validity, protocol order) run after
   * them all, with the events gathered.
   */
  readonly wholeRun?: (events: readonly RecordedSession[]) => void;
  run?(context: CheckContext): Promise<void>;
}

/** Everything the server sent on one connection, in order, and which check opened it. */
export interface RecordedSession {
  readonly checkId: string;
  readonly events: readonly ServerEvent[];
  /** Frames that were not JSON objects with a string `type`, as their lengths (never content). */
  readonly malformed: readonly string[];
}

/**
 * What a check is given: sessions to the server under test, the run's settings, and ways to
 * report latency or to skip.
 *
 * @example
 * ```ts
 * const session = await context.open();
 * const mark = session.send({ type: 'response.create' });
 * await session.waitFor(mark, 'response.done');
 * ```
 */
export interface CheckContext {
  /** Opens a session and waits for its `session.created`; it is closed when the check ends. */
  open(): Promise<ConformanceSession>;
  /** The transcription model to ask for (`--transcription-model`). */
  readonly transcriptionModel: string;
  /** Milliseconds any one expected event may take (`--timeout`). */
  readonly timeoutMs: number;
  /** Records a latency measured in this check. */
  measure(name: LatencyName, ms: number): void;
  /** Ends the check as skipped, saying why. */
  skip(reason: string): never;
}
