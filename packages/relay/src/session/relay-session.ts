import { encodeServerEvent } from '@rtwire/serializer';
import { decodeClientEvent, errorCodeOf, errorParamOf, redactForLog } from '@rtwire/types';
import type { RelayConfig } from '../config/relay-config.ts';
import { createLogSampler } from '../observe/log-sampler.ts';
import {
  createNeverThrowingLogger,
  type RelayLogger,
  silentLogger,
} from '../observe/relay-logger.ts';
import type { RelayMetrics } from '../observe/relay-metrics.ts';
import type { DuplexSocket } from '../sockets/duplex-socket.ts';
import type { UpstreamConnector } from '../upstream/upstream-connector.ts';
import { createEventTypePeeker } from './cached-type-peeker.ts';
import { CloseCode, clientCloseCode, isAbnormalClose } from './close-codes.ts';
import { offendingEventId, type RelayErrorDetails, relayErrorEvent } from './error-event.ts';
import { frameSize } from './frame-size.ts';
import { createRateLimiter } from './rate-limiter.ts';
import { createRefusalBudget } from './refusal-budget.ts';

/** The limits a session enforces (a subset of {@link RelayConfig}). */
export type RelaySessionLimits = Pick<
  RelayConfig,
  'maxFrameBytes' | 'rateLimitPerSecond' | 'rateLimitBurst' | 'highWaterBytes' | 'hardLimitBytes'
> &
  Partial<Pick<RelayConfig, 'refusalReplyBurst' | 'refusalCloseAfter'>>;

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
}

/** A running session between one client and its upstream. */
export interface RelaySession {
  readonly id: string;
  /** Resolves with the close code sent to the client once the session ends. */
  readonly done: Promise<number>;
  /**
   * Bytes the session holds right now: both send buffers, frames queued for an upstream still
   * connecting, and what either socket holds of messages not yet delivered.
   */
  readonly bufferedBytes: number;
  /** When the client last sent a frame (or the session started), on the session's clock. */
  readonly lastClientFrameAt: number;
  /** Ends the session: the client is closed with `code`, the upstream with 1000. */
  close(code: number, reason: string): void;
}

/** Closes the relay starts because of what the client did; it is not read any further. */
const POLICY_CLOSES: ReadonlySet<number> = new Set([
  CloseCode.policyViolation,
  CloseCode.messageTooBig,
  CloseCode.tryAgainLater,
]);

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
 * @example
 * ```ts
 * const session = startRelaySession({ client, connectUpstream, model, limits: config, metrics, logger });
 * await session.done;
 * ```
 */
export function startRelaySession(options: RelaySessionOptions): RelaySession {
  const { client, limits, metrics } = options;
  const logger = createNeverThrowingLogger(options.logger ?? silentLogger);
  const debug = options.logger?.enabled !== undefined && logger.enabled('debug');
  const now = options.now ?? Date.now;
  const id = options.id ?? globalThis.crypto.randomUUID();
  const peekType = createEventTypePeeker();
  const limiter = createRateLimiter(limits.rateLimitPerSecond, limits.rateLimitBurst);
  const refusals = createRefusalBudget({
    replyBurst: limits.refusalReplyBurst ?? 10,
    closeAfter: limits.refusalCloseAfter ?? 200,
  });
  const refusalLog = createLogSampler(1000);
  const abort = new AbortController();
  let upstream: DuplexSocket | undefined;
  let closed = false;
  let refused = 0;
  let lastClientFrameAt = now();
  let pending: { data: string | Uint8Array; binary: boolean }[] = [];
  let pendingBytes = 0;
  let clientPausedForUpstream = false;
  let upstreamPaused = false;
  let resolveDone: (code: number) => void = () => {};
  const done = new Promise<number>((resolve) => {
    resolveDone = resolve;
  });

  if (metrics) {
    metrics.sessionsActive++;
    metrics.sessionsTotal++;
  }

  /**
   * Ends the session once. `code` is sent to the client unless the client closed first, in
   * which case `code` is what it closed with (counted as such) and `done` says 1000 for the
   * codes no close frame carries.
   */
  const finish = (code: number, reason: string, clientClosedFirst: boolean) => {
    if (closed) return;
    closed = true;
    abort.abort();
    pending = [];
    if (!clientClosedFirst) {
      client.close(code, reason);
      // A client closed for what it did gets no further reading: its frames cost nothing more.
      if (POLICY_CLOSES.has(code)) client.pause?.();
    }
    upstream?.close(CloseCode.normal, 'client session ended');
    if (metrics) {
      metrics.sessionsActive--;
      if (upstreamPaused || clientPausedForUpstream) metrics.sessionsPaused--;
      metrics.countClose(code);
    }
    logger.log('info', 'session.close', {
      session: id,
      code,
      reason,
      ...(refused > 0 ? { refused } : {}),
    });
    resolveDone(clientClosedFirst && (code === 1005 || code === 1006) ? CloseCode.normal : code);
  };

  const setPaused = (side: 'client' | 'upstream', paused: boolean) => {
    const wasPaused = upstreamPaused || clientPausedForUpstream;
    if (side === 'upstream') upstreamPaused = paused;
    else clientPausedForUpstream = paused;
    const isPaused = upstreamPaused || clientPausedForUpstream;
    if (metrics && wasPaused !== isPaused) metrics.sessionsPaused += isPaused ? 1 : -1;
    // Last: resuming an in-process socket delivers its queue synchronously, which can pause again.
    const socket = side === 'upstream' ? upstream : client;
    if (paused) socket?.pause?.();
    else socket?.resume?.();
  };

  const tooSlow = (side: 'client' | 'upstream') => {
    logger.log('warn', 'session.too_slow', { session: id, side });
    if (side === 'client') {
      metrics?.countError('client_too_slow');
      finish(CloseCode.tryAgainLater, 'client too slow', false);
    } else {
      sendError({
        type: 'server_error',
        code: 'upstream_closed',
        message: 'the upstream is not keeping up',
      });
      finish(CloseCode.tryAgainLater, 'upstream too slow', false);
    }
  };

  /** The one way anything reaches the client: each send is held to the buffer limits. */
  const sendToClient = (data: string | Uint8Array, binary: boolean) => {
    if (closed) return;
    client.send(data, binary);
    const buffered = client.bufferedAmount;
    if (buffered > limits.highWaterBytes && !upstreamPaused && upstream?.pause !== undefined) {
      setPaused('upstream', true);
    }
    if (buffered > limits.hardLimitBytes) tooSlow('client');
  };

  const sendError = (details: RelayErrorDetails) => {
    metrics?.countError(details.code);
    sendToClient(encodeServerEvent(relayErrorEvent(details)), false);
  };

  /** Holds a buffer to the limits: past high water the client stops being read, past hard the session ends. */
  const checkUpstreamBuffer = (buffered: number) => {
    if (buffered > limits.highWaterBytes && !clientPausedForUpstream && client.pause) {
      setPaused('client', true);
    }
    if (buffered > limits.hardLimitBytes) tooSlow('upstream');
  };

  const forwardToUpstream = (data: string | Uint8Array, binary: boolean, bytes: number) => {
    if (upstream === undefined) {
      pending.push({ data, binary });
      pendingBytes += bytes;
      checkUpstreamBuffer(pendingBytes);
      return;
    }
    upstream.send(data, binary);
    checkUpstreamBuffer(upstream.bufferedAmount);
  };

  /**
   * Handles a refused client frame. `eventId` is the frame's own id when the decoder read it,
   * `undefined` when the frame was never parsed (it is then read only if it gets an answer).
   */
  const refuse = (
    frame: string | Uint8Array,
    eventId: string | null | undefined,
    details: Omit<RelayErrorDetails, 'eventId'>,
  ) => {
    refused++;
    const at = now();
    const verdict = refusals.judge(at);
    if (verdict === 'close') {
      metrics?.countError('too_many_refused');
      logger.log('warn', 'session.too_many_refused', { session: id, refused });
      finish(CloseCode.policyViolation, 'too many refused events', false);
      return;
    }
    const suppressed = refusalLog.take(at);
    if (suppressed !== undefined) {
      logger.log('info', 'client.frame_refused', {
        session: id,
        code: details.code,
        param: details.param,
        ...(suppressed > 0 ? { suppressed } : {}),
      });
    }
    // An answer waits behind nothing: a client not reading its replies gets no more of them.
    if (verdict === 'answer' && client.bufferedAmount <= limits.highWaterBytes) {
      sendError({ ...details, eventId: eventId === undefined ? offendingEventId(frame) : eventId });
      return;
    }
    metrics?.countError(details.code);
    if (metrics) metrics.refusalsUnanswered++;
  };

  client.listen({
    message(data, binary) {
      if (closed) return;
      lastClientFrameAt = now();
      const bytes = frameSize(data);
      if (bytes > limits.maxFrameBytes) {
        metrics?.countError('frame_too_large');
        finish(CloseCode.messageTooBig, 'message too big', false);
        return;
      }
      if (!limiter.take(now())) {
        refuse(data, undefined, {
          type: 'invalid_request_error',
          code: 'rate_limit_exceeded',
          message: `more than ${limits.rateLimitPerSecond} client events per second; event dropped`,
        });
        return;
      }
      const decoded = decodeClientEvent(data);
      if (!decoded.ok) {
        const { error } = decoded;
        refuse(data, error.eventId ?? null, {
          type: 'invalid_request_error',
          code: errorCodeOf(error),
          message: `${error.message}; event not forwarded`,
          param: errorParamOf(error.path),
        });
        return;
      }
      metrics?.countFrame(
        'client_to_upstream',
        decoded.known ? decoded.event.type : undefined,
        bytes,
      );
      if (debug)
        logger.log('debug', 'client.event', { session: id, event: redactForLog(decoded.event) });
      forwardToUpstream(data, binary, bytes);
    },
    close(code, reason) {
      logger.log('debug', 'client.closed', { session: id, code });
      finish(code, reason === '' ? 'client closed' : reason, true);
    },
    drain() {
      if (upstreamPaused && client.bufferedAmount <= limits.highWaterBytes)
        setPaused('upstream', false);
    },
  });

  const connectStarted = now();
  options
    .connectUpstream({ model: options.model, intent: options.intent, signal: abort.signal })
    .then(
      (socket) => {
        if (closed) {
          socket.close(CloseCode.normal, 'client session ended');
          return;
        }
        metrics?.observeConnectLatency(now() - connectStarted);
        upstream = socket;
        logger.log('info', 'session.upstream_open', { session: id, model: options.model });
        socket.listen({
          message(data, binary) {
            if (closed) return;
            metrics?.countFrame('upstream_to_client', peekType(data), frameSize(data));
            sendToClient(data, binary);
          },
          close(code) {
            if (closed) return;
            if (isAbnormalClose(code)) {
              logger.log('warn', 'upstream.closed', { session: id, code });
              sendError({
                type: 'server_error',
                code: 'upstream_closed',
                message: `the upstream connection closed unexpectedly (code ${code})`,
              });
            }
            finish(clientCloseCode(code), 'upstream closed', false);
          },
          drain() {
            if (clientPausedForUpstream && socket.bufferedAmount <= limits.highWaterBytes) {
              setPaused('client', false);
            }
          },
        });
        const queued = pending;
        pending = [];
        pendingBytes = 0;
        for (const frame of queued) {
          if (closed) return;
          socket.send(frame.data, frame.binary);
        }
        checkUpstreamBuffer(socket.bufferedAmount);
        if (clientPausedForUpstream && socket.bufferedAmount <= limits.highWaterBytes) {
          setPaused('client', false);
        }
      },
      (error: unknown) => {
        if (closed) return;
        logger.log('warn', 'upstream.connect_failed', {
          session: id,
          error: error instanceof Error ? error.message : 'unknown error',
        });
        sendError({
          type: 'server_error',
          code: 'upstream_unavailable',
          message: 'the relay could not connect to the upstream Realtime endpoint',
        });
        finish(CloseCode.internalError, 'upstream unavailable', false);
      },
    );

  return {
    id,
    done,
    get lastClientFrameAt() {
      return lastClientFrameAt;
    },
    get bufferedBytes() {
      if (closed) return 0;
      return (
        client.bufferedAmount +
        (client.incomingBytes ?? 0) +
        pendingBytes +
        (upstream === undefined ? 0 : upstream.bufferedAmount + (upstream.incomingBytes ?? 0))
      );
    },
    close(code, reason) {
      finish(code, reason, false);
    },
  };
}
