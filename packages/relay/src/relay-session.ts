import { type DecodeErrorCode, decodeClientEvent, redactForLog } from '@rtwire/types';
import { CloseCode, clientCloseCode, isAbnormalClose } from './close-codes.ts';
import type { DuplexSocket } from './duplex-socket.ts';
import { offendingEventId, type RelayErrorDetails, relayErrorEvent } from './error-event.ts';
import { createEventTypePeeker } from './event-type-peeker.ts';
import { frameSize } from './frame-size.ts';
import { createRateLimiter } from './rate-limiter.ts';
import type { RelayConfig } from './relay-config.ts';
import { type RelayLogger, silentLogger } from './relay-logger.ts';
import type { RelayMetrics } from './relay-metrics.ts';
import type { UpstreamConnector } from './upstream-connector.ts';

/** The limits a session enforces (a subset of {@link RelayConfig}). */
export type RelaySessionLimits = Pick<
  RelayConfig,
  'maxFrameBytes' | 'rateLimitPerSecond' | 'rateLimitBurst' | 'highWaterBytes' | 'hardLimitBytes'
>;

/** Options of {@link startRelaySession}. */
export interface RelaySessionOptions {
  /** The client's socket, already upgraded. */
  readonly client: DuplexSocket;
  /** Opens the upstream side. */
  readonly connectUpstream: UpstreamConnector;
  /** The client's `model` query parameter. */
  readonly model: string | undefined;
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
  /** Ends the session: the client is closed with `code`, the upstream with 1000. */
  close(code: number, reason: string): void;
}

const INVALID_JSON_CODES: ReadonlySet<DecodeErrorCode> = new Set([
  'invalid_json',
  'invalid_utf8',
  'invalid_input',
  'not_an_object',
]);

/**
 * Pipes one client to its upstream. Client frames are size-checked, rate-limited and decoded
 * with `decodeClientEvent`: a refused frame is answered with an `error` event and the session
 * goes on; known valid events and unknown types are forwarded as they came. Upstream frames
 * are forwarded untouched (the `type` is peeked for metrics). When a send buffer passes the
 * high-water mark the other side stops being read until it drains; a side that cannot pause
 * is closed with 1013 once its peer's buffer passes the hard limit.
 *
 * @example
 * ```ts
 * const session = startRelaySession({ client, connectUpstream, model, limits: config, metrics, logger });
 * await session.done;
 * ```
 */
export function startRelaySession(options: RelaySessionOptions): RelaySession {
  const { client, limits, metrics } = options;
  const logger = options.logger ?? silentLogger;
  const debug = options.logger?.enabled?.('debug') ?? false;
  const now = options.now ?? Date.now;
  const id = options.id ?? globalThis.crypto.randomUUID();
  const peekType = createEventTypePeeker();
  const limiter = createRateLimiter(limits.rateLimitPerSecond, limits.rateLimitBurst);
  const abort = new AbortController();
  let upstream: DuplexSocket | undefined;
  let closed = false;
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

  const finish = (clientCode: number, reason: string, clientAlreadyClosed: boolean) => {
    if (closed) return;
    closed = true;
    abort.abort();
    pending = [];
    if (!clientAlreadyClosed) client.close(clientCode, reason);
    upstream?.close(CloseCode.normal, 'client session ended');
    if (metrics) {
      metrics.sessionsActive--;
      if (upstreamPaused || clientPausedForUpstream) metrics.sessionsPaused--;
      metrics.countClose(clientCode);
    }
    logger.log('info', 'session.close', { session: id, code: clientCode, reason });
    resolveDone(clientCode);
  };

  const sendError = (details: RelayErrorDetails) => {
    metrics?.countError(details.code);
    client.send(JSON.stringify(relayErrorEvent(details)), false);
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

  const forwardToUpstream = (data: string | Uint8Array, binary: boolean, bytes: number) => {
    if (upstream === undefined) {
      pending.push({ data, binary });
      pendingBytes += bytes;
      if (pendingBytes > limits.highWaterBytes && !clientPausedForUpstream) {
        if (client.pause) setPaused('client', true);
      }
      if (pendingBytes > limits.hardLimitBytes) tooSlow('upstream');
      return;
    }
    upstream.send(data, binary);
    const buffered = upstream.bufferedAmount;
    if (buffered > limits.highWaterBytes && !clientPausedForUpstream) {
      if (client.pause) setPaused('client', true);
    }
    if (buffered > limits.hardLimitBytes) tooSlow('upstream');
  };

  const refuse = (data: string | Uint8Array, details: Omit<RelayErrorDetails, 'eventId'>) => {
    sendError({ ...details, eventId: offendingEventId(data) ?? null });
    logger.log('info', 'client.frame_refused', {
      session: id,
      code: details.code,
      param: details.param,
    });
  };

  client.listen({
    message(data, binary) {
      if (closed) return;
      const bytes = frameSize(data);
      if (bytes > limits.maxFrameBytes) {
        metrics?.countError('frame_too_large');
        finish(CloseCode.messageTooBig, 'message too big', false);
        return;
      }
      if (!limiter.take(now())) {
        refuse(data, {
          type: 'invalid_request_error',
          code: 'rate_limit_exceeded',
          message: `more than ${limits.rateLimitPerSecond} client events per second; event dropped`,
        });
        return;
      }
      const decoded = decodeClientEvent(data);
      if (!decoded.ok) {
        const { error } = decoded;
        refuse(data, {
          type: 'invalid_request_error',
          code: INVALID_JSON_CODES.has(error.code) ? 'invalid_json' : 'invalid_event',
          message: `${error.message}; event not forwarded`,
          param: error.path === '' ? null : error.path,
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
    close(code) {
      logger.log('debug', 'client.closed', { session: id, code });
      finish(code === 1005 || code === 1006 ? CloseCode.normal : code, 'client closed', true);
    },
    drain() {
      if (upstreamPaused && client.bufferedAmount <= limits.highWaterBytes)
        setPaused('upstream', false);
    },
  });

  const connectStarted = now();
  options.connectUpstream({ model: options.model, signal: abort.signal }).then(
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
          client.send(data, binary);
          const buffered = client.bufferedAmount;
          if (buffered > limits.highWaterBytes && !upstreamPaused) {
            if (socket.pause) setPaused('upstream', true);
          }
          if (buffered > limits.hardLimitBytes) tooSlow('client');
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
        forwardToUpstream(frame.data, frame.binary, 0);
      }
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
    close(code, reason) {
      finish(code, reason, false);
    },
  };
}
