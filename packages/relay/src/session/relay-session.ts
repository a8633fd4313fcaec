import type { RelayLogger } from '../observe/relay-logger.ts';
import type { RelayMetrics } from '../observe/relay-metrics.ts';
import type { TenantPolicy } from '../policy/relay-policy.ts';
import type { ServerToolHandler } from '../policy/server-tools.ts';
import type { DuplexSocket } from '../sockets/duplex-socket.ts';
import type { UpstreamConnector } from '../upstream/upstream-connector.ts';
import { drained, sendRelayError } from './backpressure.ts';
import { onClientFrame } from './client-frame.ts';
import { CloseCode } from './close-codes.ts';
import { failSession, guard, guardTask } from './fault-boundary.ts';
import { createResumeState } from './resume.ts';
import { sessionHeldBytes } from './session-budget.ts';
import { finishSession } from './session-end.ts';
import { createSessionPolicy } from './session-policy.ts';
import {
  createSessionContext,
  type RelaySessionLimits,
  type SessionContext,
} from './session-state.ts';
import { onUpstreamFailed, onUpstreamOpen, rollOverUpstream } from './upstream-link.ts';

export type { RelaySessionLimits } from './session-state.ts';

/** Options of {@link startRelaySession}. */
export interface RelaySessionOptions {
  /** The client's socket, already upgraded. */
  readonly client: DuplexSocket;
  /** Opens the upstream side. */
  readonly connectUpstream: UpstreamConnector;
  /** The client's `model` query parameter. */
  readonly model: string | undefined;
  /** The client's `intent` query parameter. */
  readonly intent?: string | undefined;
  readonly limits: RelaySessionLimits;
  readonly metrics?: RelayMetrics;
  readonly logger?: RelayLogger & { enabled?(level: 'debug'): boolean };
  /** Names the session in logs. */
  readonly id?: string;
  /** Clock for rate limiting (ms). */
  readonly now?: () => number;
  /**
   * The tenant's policy: what the client may set, the operator's instructions and server tools
   * (with the handler of each by name). Absent: the client's frames are checked, not rewritten.
   */
  readonly policy?: {
    readonly rules: TenantPolicy;
    readonly tenant?: string | undefined;
    readonly handlers?: ReadonlyMap<string, ServerToolHandler>;
  };
}

/** A running session between one client and its upstream. */
export interface RelaySession {
  readonly id: string;
  /** Resolves with the close code sent to the client once the session ends. */
  readonly done: Promise<number>;
  /**
   * Bytes the session holds right now: both send buffers, frames queued for an upstream still
   * connecting, what either socket holds of messages not yet delivered, what an in-process
   * upstream holds for the session (its conversation and queues), the conversation kept for a
   * resume and server tool calls in flight.
   */
  readonly bufferedBytes: number;
  /** When the client last sent a frame (or the session started), on the session's clock. */
  readonly lastClientFrameAt: number;
  /** Ends the session: the client is closed with `code`, the upstream with 1000. */
  close(code: number, reason: string): void;
}

/**
 * Pipes one client to its upstream. Client frames are size-checked, rate-limited and decoded
 * with `decodeClientEvent`: a refused frame is answered with an `error` event and the session
 * goes on; known valid events and unknown types are forwarded as they came. Upstream frames
 * are forwarded untouched (the `type` is peeked for metrics). When a send buffer passes the
 * high-water mark the other side stops being read until it drains; a side that cannot pause
 * is closed with 1013 once its peer's buffer passes the hard limit.
 *
 * What a client can make the relay send back is bounded: every send to the client, the
 * relay's own `error` events included, obeys the same buffer limits; only a burst of refused
 * frames is answered (`refusalReplyBurst`), later ones are dropped unanswered and logged at
 * most once a second, and past `refusalCloseAfter` the session is closed with 1008.
 *
 * The session is a few named steps over one state object: `onClientFrame`,
 * `onUpstreamOpen` / `onUpstreamFrame` / `onUpstreamClose`, and the backpressure of each side
 * (`holdToLimits` after a send, `drained` when a buffer empties).
 *
 * Every way into the session (both sockets' events and sends, its timers, the promises it
 * starts) passes its fault boundary: whatever throws in its handling ends this session with
 * 1011 and one `session.fault` log line, never the process or another session.
 *
 * @example
 * ```ts
 * const session = startRelaySession({ client, connectUpstream, model, limits: config, metrics, logger });
 * await session.done;
 * ```
 */
export function startRelaySession(options: RelaySessionOptions): RelaySession {
  const { metrics, limits } = options;
  // Resume is the relay config's (on by default there); a session started without it has none.
  const attempts = limits.resumeAttempts ?? 0;
  const resume =
    attempts > 0
      ? createResumeState({
          attempts,
          windowMs: limits.resumeWindowMs ?? 5000,
          maxBytes: limits.resumeMaxBytes ?? 256 * 1024,
          maxPerSession: limits.resumeMaxPerSession,
        })
      : undefined;
  const { context, done } = createSessionContext({
    ...options,
    resume,
    connect: (signal) =>
      options.connectUpstream({ model: options.model, intent: options.intent, signal }),
    policy:
      options.policy === undefined
        ? undefined
        : createSessionPolicy(
            options.policy.rules,
            options.policy.tenant,
            options.policy.handlers ?? new Map(),
          ),
  });
  const { state } = context;
  if (metrics) {
    metrics.sessionsActive++;
    metrics.sessionsTotal++;
  }
  try {
    begin(context, options.policy?.rules);
  } catch (error) {
    failSession(context, 'session.start', error);
  }

  return {
    id: context.id,
    done,
    get lastClientFrameAt() {
      return state.lastClientFrameAt;
    },
    get bufferedBytes() {
      try {
        return sessionHeldBytes(context);
      } catch (error) {
        failSession(context, 'session.buffered_bytes', error);
        return 0;
      }
    },
    close(code, reason) {
      finishSession(context, code, reason, false);
    },
  };
}

/** Listens to the client, arms the session's timers and opens the upstream. */
function begin(context: SessionContext, rules: TenantPolicy | undefined): void {
  const { client, resume } = context;
  const limitSeconds = rules?.maxSessionSeconds;
  // `client` is behind the fault boundary already: these handlers cannot throw out of it.
  client.listen({
    message: (data, binary) => onClientFrame(context, data, binary),
    close(code, reason) {
      context.logger.log('debug', 'client.closed', { session: context.id, code });
      finishSession(context, code, reason === '' ? 'client closed' : reason, true);
    },
    drain: () => drained(context, 'client', client.bufferedAmount),
  });

  if (resume !== undefined) {
    resume.onRolloverDue = guard(context, 'resume.rollover', () =>
      guardTask(context, 'resume.rollover', rollOverUpstream(context)),
    );
  }

  if (limitSeconds !== undefined) {
    const timer = setTimeout(
      guard(context, 'session.time_limit', () => {
        sendRelayError(context, {
          type: 'invalid_request_error',
          code: 'session_time_limit',
          message: `the session reached its limit of ${limitSeconds} seconds`,
        });
        finishSession(context, CloseCode.normal, 'session time limit', false);
      }),
      limitSeconds * 1000,
    );
    context.abort.signal.addEventListener('abort', () => clearTimeout(timer), { once: true });
  }

  const connectStarted = context.now();
  guardTask(
    context,
    'upstream.open',
    context.connect().then(
      (socket) => onUpstreamOpen(context, socket, context.now() - connectStarted),
      (error: unknown) => onUpstreamFailed(context, error),
    ),
  );
}
