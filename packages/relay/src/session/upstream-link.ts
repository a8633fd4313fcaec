import { type ClientEventInput, encodeClientEvent } from '@rtwire/serializer';
import { initialSessionUpdate } from '../policy/client-policy.ts';
import type { DuplexSocket } from '../sockets/duplex-socket.ts';
import { drained, holdToLimits, sendRelayError, sendTo } from './backpressure.ts';
import { CloseCode, clientCloseCode, isAbnormalClose } from './close-codes.ts';
import { frameSize } from './frame-size.ts';
import { finishSession } from './session-end.ts';
import type { SessionContext } from './session-state.ts';
import { upstreamFrameUnderPolicy } from './tool-calls.ts';

/**
 * The upstream connected: it is listened to, and the client frames held while it connected
 * are sent in order (the client is read again if that left the buffer under high water).
 * `connectLatencyMs` is how long the connection took, for the metrics.
 *
 * @example
 * ```ts
 * connectUpstream(request).then((socket) => onUpstreamOpen(context, socket, context.now() - started));
 * ```
 */
export function onUpstreamOpen(
  context: SessionContext,
  socket: DuplexSocket,
  connectLatencyMs: number,
): void {
  const { state } = context;
  if (state.closed) {
    socket.close(CloseCode.normal, 'client session ended');
    return;
  }
  context.metrics?.observeConnectLatency(connectLatencyMs);
  state.upstream = socket;
  context.logger.log('info', 'session.upstream_open', {
    session: context.id,
    model: context.model,
  });
  socket.listen({
    message: (data, binary) => onUpstreamFrame(context, data, binary),
    close: (code) => onUpstreamClose(context, code),
    drain: () => drained(context, 'upstream', socket.bufferedAmount),
  });
  // The operator's instructions and tools go first, before anything of the client's.
  const first =
    context.policy !== undefined && context.intent !== 'transcription'
      ? initialSessionUpdate(context.policy.rules)
      : undefined;
  if (first !== undefined)
    socket.send(encodeClientEvent(first as unknown as ClientEventInput), false);
  const early = state.early;
  state.early = [];
  state.earlyBytes = 0;
  for (const frame of early) {
    if (state.closed) return;
    socket.send(frame.data, frame.binary);
  }
  holdToLimits(context, 'upstream', socket.bufferedAmount);
  drained(context, 'upstream', socket.bufferedAmount);
}

/**
 * One upstream frame: its type is peeked for the metrics and it goes to the client untouched.
 *
 * @example
 * ```ts
 * upstream.listen({ message: (data, binary) => onUpstreamFrame(context, data, binary), … });
 * ```
 */
export function onUpstreamFrame(
  context: SessionContext,
  data: string | Uint8Array,
  binary: boolean,
): void {
  if (context.state.closed) return;
  const type = context.peekType(data);
  context.metrics?.countFrame('upstream_to_client', type, frameSize(data));
  if (context.policy === undefined) {
    sendTo(context, 'client', data, binary);
    return;
  }
  const shown = upstreamFrameUnderPolicy(context, context.policy, data, type);
  if (shown === data) sendTo(context, 'client', data, binary);
  else if (shown !== undefined) sendTo(context, 'client', shown, false);
}

/**
 * The upstream closed: the client gets an `error` event when that was abnormal, and the
 * matching close code.
 *
 * @example
 * ```ts
 * upstream.listen({ close: (code) => onUpstreamClose(context, code), … });
 * ```
 */
export function onUpstreamClose(context: SessionContext, code: number): void {
  if (context.state.closed) return;
  if (isAbnormalClose(code)) {
    context.logger.log('warn', 'upstream.closed', { session: context.id, code });
    sendRelayError(context, {
      type: 'server_error',
      code: 'upstream_closed',
      message: `the upstream connection closed unexpectedly (code ${code})`,
    });
  }
  finishSession(context, clientCloseCode(code), 'upstream closed', false);
}

/**
 * The upstream could not be reached: the client gets an `error` event and a 1011 close. The
 * error's text goes to the log only.
 *
 * @example
 * ```ts
 * connectUpstream(request).catch((error) => onUpstreamFailed(context, error));
 * ```
 */
export function onUpstreamFailed(context: SessionContext, error: unknown): void {
  if (context.state.closed) return;
  context.logger.log('warn', 'upstream.connect_failed', {
    session: context.id,
    error: error instanceof Error ? error.message : 'unknown error',
  });
  sendRelayError(context, {
    type: 'server_error',
    code: 'upstream_unavailable',
    message: 'the relay could not connect to the upstream Realtime endpoint',
  });
  finishSession(context, CloseCode.internalError, 'upstream unavailable', false);
}
