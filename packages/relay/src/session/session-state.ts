import type { RealtimeClientEvent } from '@rtwire/types';
import type { RelayConfig } from '../config/relay-config.ts';
import type { LogSampler } from '../observe/log-sampler.ts';
import type { LogLevel, RelayLogger } from '../observe/relay-logger.ts';
import type { RelayMetrics } from '../observe/relay-metrics.ts';
import type { DuplexSocket } from '../sockets/duplex-socket.ts';
import type { SessionKind } from '../upstream/upstream-connector.ts';
import type { RelayFeature } from './feature.ts';
import type { RefusalBudget } from './refusal-budget.ts';

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
  /** The client event `data` holds, as the relay decoded it. */
  readonly decoded: RealtimeClientEvent | undefined;
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
   * Client frames that came while a feature's decision on an earlier event was pending
   * (`undefined` when none is): they are handled, in order, once it is made.
   */
  waiting: { readonly data: string | Uint8Array; readonly binary: boolean }[] | undefined;
  /** Bytes of `waiting`, held to the hard limit. */
  waitingBytes: number;
  /** The upstream a switch is replacing: its frames still pass, its close is expected. */
  retiring: DuplexSocket | undefined;
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
  /** The kind of session: which protocol the client's events are decoded against. */
  readonly kind: SessionKind;
  /** The session's features, in the order their hooks run; filled once they are built. */
  readonly features: RelayFeature[];
  /** Opens an upstream for this session (again, on a resume or a rollover). */
  readonly connect: () => Promise<DuplexSocket>;
  readonly client: DuplexSocket;
  readonly limits: RelaySessionLimits;
  readonly metrics: RelayMetrics | undefined;
  readonly logger: RelayLogger & { enabled(level: LogLevel): boolean };
  /** Whether debug events are logged at all (so nothing is redacted for a logger that drops them). */
  readonly debug: boolean;
  readonly now: () => number;
  /** Aborted when the session ends: cancels an upstream still connecting. */
  readonly abort: AbortController;
  readonly peekType: (data: string | Uint8Array) => string | undefined;
  readonly refusals: RefusalBudget;
  readonly refusalLog: LogSampler;
  readonly state: SessionState;
  /** Resolves the session's `done` promise with the close code. */
  readonly resolveDone: (code: number) => void;
}
