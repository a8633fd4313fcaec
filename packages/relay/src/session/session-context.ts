import { createLogSampler } from '../observe/log-sampler.ts';
import {
  createNeverThrowingLogger,
  type LogLevel,
  type RelayLogger,
  silentLogger,
} from '../observe/relay-logger.ts';
import type { RelayMetrics } from '../observe/relay-metrics.ts';
import type { DuplexSocket } from '../sockets/duplex-socket.ts';
import type { SessionKind } from '../upstream/upstream-connector.ts';
import { createEventTypePeeker } from './cached-type-peeker.ts';
import { failSession, guardSocket } from './fault-boundary.ts';
import { createRefusalBudget } from './refusal-budget.ts';
import type { RelaySessionLimits, SessionContext } from './session-state.ts';

/** What {@link createSessionContext} needs. */
export interface SessionContextOptions {
  readonly client: DuplexSocket;
  readonly limits: RelaySessionLimits;
  readonly metrics?: RelayMetrics | undefined;
  readonly logger?: (RelayLogger & { enabled?(level: LogLevel): boolean }) | undefined;
  readonly id?: string | undefined;
  readonly model?: string | undefined;
  readonly intent?: string | undefined;
  /** The kind of session (default `realtime`). */
  readonly kind?: SessionKind | undefined;
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
  let resolveDone: (code: number) => void = () => {};
  const done = new Promise<number>((resolve) => {
    resolveDone = resolve;
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
    kind: options.kind ?? 'realtime',
    features: [],
    connect: connectGuarded,
    client: guardSocket(onFault, client, 'client'),
    limits,
    metrics: options.metrics,
    logger,
    debug: options.logger?.enabled !== undefined && logger.enabled('debug'),
    now,
    abort,
    peekType: createEventTypePeeker(),
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
      waiting: undefined,
      waitingBytes: 0,
      retiring: undefined,
      faulted: false,
      paused: { client: false, upstream: false },
    },
    resolveDone,
  };
  return { context, done };
}
