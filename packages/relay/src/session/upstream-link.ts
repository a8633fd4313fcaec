import { encodeServerEvent, type ServerEventInput } from '@rtwire/serializer';
import { frameReader, type JsonObject } from '../json-object.ts';
import type { DuplexSocket } from '../sockets/duplex-socket.ts';
import { drained, holdToLimits, sendRelayError, sendTo } from './backpressure.ts';
import {
  CloseCode,
  CloseReason,
  clientCloseCode,
  isAbnormalClose,
  isResumableClose,
} from './close-codes.ts';
import type { UpstreamFrame, UpstreamMode } from './feature.ts';
import { readsType } from './feature-filter.ts';
import { frameSize } from './frame-size.ts';
import { finishSession } from './session-end.ts';
import type { SessionContext } from './session-state.ts';

export type { UpstreamMode } from './feature.ts';

/**
 * An upstream connected: the features' opening frames are gathered (before it is listened
 * to: a fresh upstream may have sent its `session.created` already, and a feature may withhold
 * it), it is listened to, those frames are sent, then the client frames held meanwhile, in
 * order (the client is read again if that left the buffer under high water).
 * `connectLatencyMs` is how long the connection took.
 *
 * Never throws. If setting the session up throws (a frame the socket refuses, say), this
 * socket is closed and left, and `false` says so: the first upstream's session then ends with
 * an `error` and 1011; a resume or rollover moves on without it.
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
  mode: UpstreamMode = 'first',
): boolean {
  if (context.state.closed) {
    socket.close(CloseCode.normal, 'client session ended');
    return false;
  }
  try {
    setUpUpstream(context, socket, connectLatencyMs, mode);
    return true;
  } catch (error) {
    const { state } = context;
    if (state.upstream === socket) state.upstream = undefined;
    socket.close(CloseCode.internalError, 'the relay could not set up the session');
    context.logger.log('warn', 'upstream.setup_failed', {
      session: context.id,
      mode,
      error: error instanceof Error ? error.name : 'unknown error',
    });
    if (mode === 'first') onUpstreamFailed(context, error);
    return false;
  }
}

function setUpUpstream(
  context: SessionContext,
  socket: DuplexSocket,
  connectLatencyMs: number,
  mode: UpstreamMode,
): void {
  const { state } = context;
  context.metrics?.observeConnectLatency(connectLatencyMs);
  state.upstream = socket;
  context.logger.log('info', 'session.upstream_open', {
    session: context.id,
    model: context.model,
    ...(mode === 'first' ? {} : { mode }),
  });
  const opening: string[] = [];
  for (const feature of context.features) {
    const frames = feature.onUpstreamOpen?.(mode);
    if (frames !== undefined) opening.push(...frames);
  }
  socket.listen({
    message: (data, binary) => onUpstreamFrame(context, socket, data, binary),
    close: (code) => onUpstreamClose(context, socket, code),
    drain: () => drained(context, 'upstream', socket.bufferedAmount),
  });
  if (state.closed) return;
  for (const frame of opening) socket.send(frame, false);
  sendHeldFrames(context, socket);
}

/** The client frames held while no upstream took them go to `socket`, in order. */
function sendHeldFrames(context: SessionContext, socket: DuplexSocket): void {
  const { state } = context;
  const early = state.early;
  state.early = [];
  state.earlyBytes = 0;
  for (const frame of early) {
    if (state.closed) return;
    socket.send(frame.data, frame.binary, frame.decoded);
  }
  holdToLimits(context, 'upstream', socket.bufferedAmount);
  drained(context, 'upstream', socket.bufferedAmount);
}

/**
 * One upstream frame: its type is peeked for the metrics, and it goes to the features that
 * declared that type, in order, each of which may withhold it or rewrite it; the client gets
 * it as the bytes that came unless one did (a rewrite is re-encoded with the serializer). The
 * frame is parsed once, and only if a feature asks for the event. Frames of an upstream the
 * session has left are dropped, except a retiring one's during a switch.
 *
 * @example
 * ```ts
 * upstream.listen({ message: (data, binary) => onUpstreamFrame(context, upstream, data, binary), … });
 * ```
 */
export function onUpstreamFrame(
  context: SessionContext,
  socket: DuplexSocket,
  data: string | Uint8Array,
  binary: boolean,
): void {
  const { state, features } = context;
  if (state.closed || (socket !== state.upstream && socket !== state.retiring)) return;
  const type = context.peekType(data);
  context.metrics?.countFrame('upstream_to_client', type, frameSize(data));
  let frame: SharedFrame | undefined;
  for (const feature of features) {
    if (feature.onUpstreamFrame === undefined || !readsType(feature.upstreamTypes, type)) continue;
    frame ??= new SharedFrame(type, data);
    const verdict = feature.onUpstreamFrame(frame);
    if (state.closed) return;
    if (verdict === undefined) continue;
    if (verdict.action === 'withhold') return;
    frame.rewrite(verdict.event);
  }
  if (frame?.rewritten) {
    sendTo(
      context,
      'client',
      encodeServerEvent(frame.event() as unknown as ServerEventInput),
      false,
    );
    return;
  }
  sendTo(context, 'client', data, binary);
}

/** One upstream frame shared by the features that read it: parsed at most once, on demand. */
class SharedFrame implements UpstreamFrame {
  readonly type: string | undefined;
  readonly data: string | Uint8Array;
  #read: () => JsonObject | undefined;
  #rewritten = false;

  constructor(type: string | undefined, data: string | Uint8Array) {
    this.type = type;
    this.data = data;
    this.#read = frameReader(data);
  }

  get rewritten(): boolean {
    return this.#rewritten;
  }

  event(): JsonObject | undefined {
    return this.#read();
  }

  rewrite(event: JsonObject): void {
    this.#rewritten = true;
    this.#read = () => event;
  }
}

/**
 * An upstream closed. The one a switch retired closes as expected. A close of the current one
 * goes to {@link loseUpstream}.
 *
 * @example
 * ```ts
 * upstream.listen({ close: (code) => onUpstreamClose(context, upstream, code), … });
 * ```
 */
export function onUpstreamClose(context: SessionContext, socket: DuplexSocket, code: number): void {
  const { state } = context;
  if (state.closed) return;
  if (state.retiring === socket) {
    state.retiring = undefined;
    return;
  }
  if (socket !== state.upstream) return;
  loseUpstream(context, code);
}

/**
 * The current upstream is gone (it closed with `code`, or a feature gave it up): every
 * feature hears it, in order. When one takes over (`'recover'`: resume), the client's frames
 * are held for the upstream it attaches; otherwise the client gets an `error` event when the
 * close was abnormal, and the matching close code.
 *
 * @example
 * ```ts
 * loseUpstream(context, 1011);
 * ```
 */
export function loseUpstream(context: SessionContext, code: number): void {
  const { state } = context;
  const lost = state.upstream;
  if (state.closed || lost === undefined) return;
  state.upstream = undefined;
  const loss = { code, resumable: isResumableClose(code) };
  let recovering = false;
  for (const feature of context.features) {
    if (feature.onUpstreamLost?.(loss) === 'recover') recovering = true;
    if (state.closed) return;
  }
  if (!recovering) {
    closeForUpstream(context, code);
    return;
  }
  // Closed already when it dropped; open when a feature gave it up (an expired session).
  lost.close(CloseCode.normal, 'replaced after a failure');
  context.logger.log('warn', 'upstream.closed', { session: context.id, code, resuming: true });
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
  finishSession(context, CloseCode.internalError, CloseReason.upstreamUnavailable, false);
}

/**
 * Starts replacing the live upstream: it becomes the retiring one (its frames still pass, its
 * close is expected) and the client's frames are held from now.
 *
 * @example
 * ```ts
 * if (beginSwitch(context)) attach(await context.connect(), 'rollover');
 * ```
 */
export function beginSwitch(context: SessionContext): boolean {
  const { state } = context;
  if (state.closed || state.upstream === undefined || state.retiring !== undefined) return false;
  state.retiring = state.upstream;
  state.upstream = undefined;
  return true;
}

/**
 * The switch is done: the retiring upstream is closed.
 *
 * @example
 * ```ts
 * if (onUpstreamOpen(context, fresh, latency, 'rollover')) finishSwitch(context);
 * ```
 */
export function finishSwitch(context: SessionContext): void {
  const { state } = context;
  const old = state.retiring;
  state.retiring = undefined;
  old?.close(CloseCode.normal, 'rolled over to a fresh upstream session');
}

/**
 * The switch failed: the retiring upstream, still open and still set up, takes the held
 * frames again. `false` when it closed meanwhile (its close was taken for the expected one):
 * the session then has no upstream.
 *
 * @example
 * ```ts
 * if (!abandonSwitch(context)) giveUpUpstream(context, 1011);
 * ```
 */
export function abandonSwitch(context: SessionContext): boolean {
  const { state } = context;
  const old = state.retiring;
  if (old === undefined || state.closed) return false;
  state.retiring = undefined;
  state.upstream = old;
  sendHeldFrames(context, old);
  return true;
}

/**
 * No upstream is left for the session: the client gets an `error` when `code` is abnormal,
 * and the close a drop with `code` gets.
 *
 * @example
 * ```ts
 * closeForUpstream(context, 1011);
 * ```
 */
export function closeForUpstream(context: SessionContext, code: number): void {
  if (context.state.closed) return;
  if (isAbnormalClose(code)) {
    context.logger.log('warn', 'upstream.closed', { session: context.id, code });
    sendRelayError(context, {
      type: 'server_error',
      code: 'upstream_closed',
      message: `the upstream connection closed unexpectedly (code ${code})`,
    });
  }
  finishSession(context, clientCloseCode(code), CloseReason.upstreamClosed, false);
}
