import type { RelayLogger } from '../observe/relay-logger.ts';
import type { RelayMetrics } from '../observe/relay-metrics.ts';
import type { DuplexSocket } from '../sockets/duplex-socket.ts';
import type { SessionKind, UpstreamConnector } from '../upstream/upstream-connector.ts';
import { drained } from './backpressure.ts';
import { onClientFrame } from './client-frame.ts';
import { failSession, guardTask } from './fault-boundary.ts';
import type { RelayFeatureFactory } from './feature.ts';
import { featureSession } from './feature-session.ts';
import { sessionHeldBytes } from './session-budget.ts';
import { createSessionContext } from './session-context.ts';
import { finishSession } from './session-end.ts';
import type { RelaySessionLimits, SessionContext } from './session-state.ts';
import { onUpstreamFailed, onUpstreamOpen } from './upstream-link.ts';

export type { RelaySessionLimits } from './session-state.ts';

/** Options of {@link startSessionPipe}. */
export interface SessionPipeOptions {
  /** The client's side, already upgraded: a socket, a data channel, or an in-process pair. */
  readonly client: DuplexSocket;
  /** Opens the upstream side. */
  readonly connectUpstream: UpstreamConnector;
  /** The client's `model` query parameter. */
  readonly model: string | undefined;
  /** The client's `intent` query parameter. */
  readonly intent?: string | undefined;
  /**
   * The kind of session (default `realtime`): a `translation` session's client events are
   * decoded as the translation protocol's, and its upstream is asked for one.
   */
  readonly kind?: SessionKind | undefined;
  readonly limits: RelaySessionLimits;
  readonly metrics?: RelayMetrics | undefined;
  readonly logger?: (RelayLogger & { enabled?(level: 'debug'): boolean }) | undefined;
  /** Names the session in logs. */
  readonly id?: string | undefined;
  /** The session's clock (ms). */
  readonly now?: (() => number) | undefined;
  /** The session's features, in the order their hooks run. */
  readonly features?: readonly RelayFeatureFactory[];
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
 * Pipes one client to its upstream, with `features` plugged in. The pipe alone checks each
 * client frame's size and decodes it with `decodeClientEvent`: a refused frame is answered with
 * an `error` event and the session goes on; known valid events and unknown types go upstream
 * as the bytes that came. Upstream frames go to the client as the bytes that came (the `type`
 * is peeked for metrics). A feature sees the event types it declared and may refuse, rewrite
 * or withhold them, send frames first to a new upstream, and take over when the upstream is
 * lost; every other frame is never parsed.
 *
 * When a send buffer passes the high-water mark the other side stops being read until it
 * drains; a side that cannot pause is closed with 1013 once its peer's buffer passes the hard
 * limit. Only a burst of refused frames is answered (`refusalReplyBurst`), later ones are
 * dropped unanswered and logged at most once a second, and past `refusalCloseAfter` the
 * session is closed with 1008.
 *
 * Every way into the session (both sockets' events and sends, its timers, the promises it and
 * its features start, every feature hook) passes its fault boundary: whatever throws in its
 * handling ends this session with 1011 and one `session.fault` log line, never the process or
 * another session.
 *
 * @example
 * ```ts
 * const session = startSessionPipe({ client, connectUpstream, model, limits: config, features: [countEvents] });
 * await session.done;
 * ```
 */
export function startSessionPipe(options: SessionPipeOptions): RelaySession {
  const { metrics } = options;
  const { context, done } = createSessionContext({
    ...options,
    connect: (signal) =>
      options.connectUpstream({
        model: options.model,
        intent: options.intent,
        signal,
        ...(options.kind === undefined ? {} : { kind: options.kind }),
      }),
  });
  const { state } = context;
  if (metrics) {
    metrics.sessionsActive++;
    metrics.sessionsTotal++;
  }
  try {
    const session = featureSession(context);
    for (const create of options.features ?? []) context.features.push(create(session));
    begin(context);
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

/** Listens to the client and opens the upstream. */
function begin(context: SessionContext): void {
  const { client } = context;
  // `client` is behind the fault boundary already: these handlers cannot throw out of it.
  client.listen({
    message: (data, binary) => onClientFrame(context, data, binary),
    close(code, reason) {
      context.logger.log('debug', 'client.closed', { session: context.id, code });
      finishSession(context, code, reason === '' ? 'client closed' : reason, true);
    },
    drain: () => drained(context, 'client', client.bufferedAmount),
  });
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
