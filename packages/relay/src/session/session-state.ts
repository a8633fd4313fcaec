import type { RelayConfig } from '../config/relay-config.ts';
import { createLogSampler, type LogSampler } from '../observe/log-sampler.ts';
import {
  createNeverThrowingLogger,
  type RelayLogger,
  silentLogger,
} from '../observe/relay-logger.ts';
import type { RelayMetrics } from '../observe/relay-metrics.ts';
import type { DuplexSocket } from '../sockets/duplex-socket.ts';
import { createEventTypePeeker } from './cached-type-peeker.ts';
import { failSession, guardSocket } from './fault-boundary.ts';
import { createRateLimiter, type RateLimiter } from './rate-limiter.ts';
import { createRefusalBudget, type RefusalBudget } from './refusal-budget.ts';
import type { ResumeState } from './resume.ts';
import type { SessionPolicy } from './session-policy.ts';

/** The limits a session enforces (a subset of {@link RelayConfig}). */
export type RelaySessionLimits = Pick<
  RelayConfig,
  'maxFrameBytes' | 'rateLimitPerSecond' | 'rateLimitBurst' | 'highWaterBytes' | 'hardLimitBytes'
> &
  Partial<
    Pick<
      RelayConfig,
      | 'refusalReplyBurst'
      | 'refusalCloseAfter'
      | 'resumeAttempts'
      | 'resumeWindowMs'
      | 'resumeMaxBytes'
      | 'resumeMaxPerSession'
      | 'maxSessionBufferedBytes'
    >
  >;

/** One end of a session: the client, or the upstream it is relayed to. */
export type Side = 'client' | 'upstream';

/** A frame held for an upstream that is still connecting. */
interface EarlyFrame {
  readonly data: string | Uint8Array;
  readonly binary: boolean;
}

/**
 * Everything about a session that changes while it runs, in one place: each step of the
 * session reads and writes this object and nothing else that is mutable.
 */
export interface SessionState {
  /** Set once, by `finishSession`; every step is a no-op afterwards. */
  closed: boolean;
  /** Set once, when the session's handling threw (`failSession`); later throws are not logged. */
  faulted: boolean;
  /** Client frames refused so far (reported when the session closes). */
  refused: number;
  /** When the client last sent a frame (or the session started), on the session's clock. */
  lastClientFrameAt: number;
  /** The upstream socket, once connected. */
  upstream: DuplexSocket | undefined;
  /** Client frames that came before the upstream connected, in order. */
  early: EarlyFrame[];
  /** Bytes of `early`, counted as the upstream's send buffer until it connects. */
  earlyBytes: number;
  /**
   * Bytes server tool calls hold (arguments being run, outputs not yet sent upstream), kept by
   * `tool-calls.ts`; counted against the session's and the process's buffer budgets.
   */
  toolBytes: number;
  /** Whether reading from a side is paused because the other side's send buffer is full. */
  readonly paused: Record<Side, boolean>;
}

/** What a session's steps work with: its fixed parts, and the one mutable {@link SessionState}. */
export interface SessionContext {
  readonly id: string;
  /** The client's `model` query parameter. */
  readonly model: string | undefined;
  /** The client's `intent` query parameter. */
  readonly intent: string | undefined;
  /** The tenant's policy and its state; `undefined`: frames are only checked, never rewritten. */
  readonly policy: SessionPolicy | undefined;
  /** What the session keeps to survive its upstream; `undefined` when resume is off. */
  readonly resume: ResumeState | undefined;
  /** Opens an upstream for this session (again, on a resume or a rollover). */
  readonly connect: () => Promise<DuplexSocket>;
  readonly client: DuplexSocket;
  readonly limits: RelaySessionLimits;
  readonly metrics: RelayMetrics | undefined;
  readonly logger: RelayLogger;
  /** Whether debug events are logged at all (so nothing is redacted for a logger that drops them). */
  readonly debug: boolean;
  readonly now: () => number;
  /** Aborted when the session ends: cancels an upstream still connecting. */
  readonly abort: AbortController;
  readonly peekType: (data: string | Uint8Array) => string | undefined;
  readonly limiter: RateLimiter;
  readonly refusals: RefusalBudget;
  readonly refusalLog: LogSampler;
  readonly state: SessionState;
  /** Resolves the session's `done` promise. */
  readonly settle: (code: number) => void;
}

/** What {@link createSessionContext} needs. */
export interface SessionContextOptions {
  readonly client: DuplexSocket;
  readonly limits: RelaySessionLimits;
  readonly metrics?: RelayMetrics | undefined;
  readonly logger?: (RelayLogger & { enabled?(level: 'debug'): boolean }) | undefined;
  readonly id?: string | undefined;
  readonly model?: string | undefined;
  readonly intent?: string | undefined;
  readonly policy?: SessionPolicy | undefined;
  readonly resume?: ResumeState | undefined;
  /** Opens an upstream; given the session's abort signal. */
  readonly connect?: (signal: AbortSignal) => Promise<DuplexSocket>;
  readonly now?: (() => number) | undefined;
}

/**
 * Builds a session's context with its state at the start: nothing refused, nothing paused, no
 * upstream yet.
 *
 * @example
 * ```ts
 * const { context, done } = createSessionContext({ client, limits: config });
 * ```
 */
export function createSessionContext(options: SessionContextOptions): {
  context: SessionContext;
  done: Promise<number>;
} {
  const { client, limits } = options;
  const logger = createNeverThrowingLogger(options.logger ?? silentLogger);
  const now = options.now ?? Date.now;
  let settle: (code: number) => void = () => {};
  const done = new Promise<number>((resolve) => {
    settle = resolve;
  });
  const abort = new AbortController();
  const connect = options.connect;
  // Reads the context only when something throws, by which time it exists.
  const onFault = (where: string, error: unknown) => failSession(context, where, error);
  // Every upstream this session opens (the first, a resume's, a rollover's) comes through here
  // and behind the fault boundary; a connector that throws instead of rejecting is a rejection.
  const connectGuarded = (): Promise<DuplexSocket> => {
    if (connect === undefined) return Promise.reject(new Error('no upstream'));
    let opening: Promise<DuplexSocket>;
    try {
      opening = connect(abort.signal);
    } catch (error) {
      return Promise.reject(error);
    }
    return Promise.resolve(opening).then((socket) => guardSocket(onFault, socket, 'upstream'));
  };
  const context: SessionContext = {
    id: options.id ?? globalThis.crypto.randomUUID(),
    model: options.model,
    intent: options.intent,
    policy: options.policy,
    resume: options.resume,
    connect: connectGuarded,
    client: guardSocket(onFault, client, 'client'),
    limits,
    metrics: options.metrics,
    logger,
    debug: options.logger?.enabled !== undefined && logger.enabled('debug'),
    now,
    abort,
    peekType: createEventTypePeeker(),
    limiter: createRateLimiter(limits.rateLimitPerSecond, limits.rateLimitBurst),
    refusals: createRefusalBudget({
      replyBurst: limits.refusalReplyBurst ?? 10,
      closeAfter: limits.refusalCloseAfter ?? 200,
    }),
    refusalLog: createLogSampler(1000),
    state: {
      closed: false,
      refused: 0,
      lastClientFrameAt: now(),
      upstream: undefined,
      early: [],
      earlyBytes: 0,
      toolBytes: 0,
      faulted: false,
      paused: { client: false, upstream: false },
    },
    settle,
  };
  return { context, done };
}
