import { type ClientEventInput, encodeClientEvent } from '@rtwire/serializer';
import { frameReader } from '../json-object.ts';
import type { DuplexSocket } from '../sockets/duplex-socket.ts';
import { drained, holdToLimits, sendRelayError, sendTo } from './backpressure.ts';
import { CloseCode, clientCloseCode, isAbnormalClose, isResumableClose } from './close-codes.ts';
import { guardTask } from './fault-boundary.ts';
import { frameSize } from './frame-size.ts';
import {
  isIdle,
  observeForResume,
  prepareReplay,
  resumeBackoffMs,
  resumeRefusal,
  settleForClient,
} from './resume.ts';
import { finishSession } from './session-end.ts';
import { openingSessionUpdate } from './session-policy.ts';
import type { SessionContext } from './session-state.ts';
import { forgetCallsOfLostUpstream, upstreamFrameUnderPolicy } from './tool-calls.ts';

/** How an upstream joins the session: the first, one resuming after a drop, or a rollover. */
export type UpstreamMode = 'first' | 'resume' | 'rollover';

/**
 * An upstream connected: it is listened to, the session is set up on it (the operator's
 * policy on the first; the kept configuration and conversation replayed on a later one), and
 * the client frames held meanwhile are sent in order (the client is read again if that left
 * the buffer under high water). `connectLatencyMs` is how long the connection took.
 *
 * Never throws. If setting the session up throws (a replay the socket refuses, say), this
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
  const { state, resume } = context;
  context.metrics?.observeConnectLatency(connectLatencyMs);
  state.upstream = socket;
  context.logger.log('info', 'session.upstream_open', {
    session: context.id,
    model: context.model,
    ...(mode === 'first' ? {} : { mode }),
  });
  // Before listening: a fresh upstream may have sent its session.created already, and it is
  // one of the acknowledgements the client must not see.
  const replay =
    mode !== 'first' && resume !== undefined ? prepareReplay(context, resume) : undefined;
  socket.listen({
    message: (data, binary) => onUpstreamFrame(context, socket, data, binary),
    close: (code) => onUpstreamClose(context, socket, code),
    drain: () => drained(context, 'upstream', socket.bufferedAmount),
  });
  if (state.closed) return;
  if (replay !== undefined) {
    for (const frame of replay.frames) socket.send(frame, false);
    context.metrics?.countResume(mode === 'resume' ? 'resumed' : 'rolled_over', replay.items);
  } else {
    // The operator's instructions and tools go first, before anything of the client's; the
    // same function says which session.updated answers it (withheld from the client).
    const first = openingSessionUpdate(context);
    if (first !== undefined) {
      socket.send(encodeClientEvent(first as unknown as ClientEventInput), false);
    }
  }
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
    socket.send(frame.data, frame.binary);
  }
  holdToLimits(context, 'upstream', socket.bufferedAmount);
  drained(context, 'upstream', socket.bufferedAmount);
}

/**
 * One upstream frame: its type is peeked for the metrics, what resume and policy need is
 * read from the few types they watch, and it goes to the client untouched unless one of them
 * withholds or rewrites it. Frames of an upstream the session has left are dropped, except a
 * retiring one's during a rollover.
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
  const { state, resume } = context;
  if (state.closed || (socket !== state.upstream && socket !== resume?.retiring)) return;
  const type = context.peekType(data);
  context.metrics?.countFrame('upstream_to_client', type, frameSize(data));
  // Resume and policy read the same few frames: one parse serves both, on first need.
  const read = frameReader(data);
  if (resume !== undefined) {
    const verdict = observeForResume(context, resume, type, read);
    if (verdict === 'withhold') return;
    // The upstream says its session is over: resumed like a drop, its error not shown.
    if (verdict === 'expired' && resumeRefusal(resume) === undefined) {
      guardTask(context, 'resume.recover', recoverUpstream(context, socket, 1011));
      return;
    }
  }
  if (context.policy === undefined) {
    sendTo(context, 'client', data, binary);
    return;
  }
  const shown = upstreamFrameUnderPolicy(context, context.policy, data, type, read);
  if (shown === data) sendTo(context, 'client', data, binary);
  else if (shown !== undefined) sendTo(context, 'client', shown, false);
}

/**
 * An upstream closed. The one a rollover retired closes as expected. A close of the current
 * one that a reconnect can cure (`isResumableClose`: it went away, failed or broke) is resumed
 * when resume is on; otherwise (or when every attempt fails) the client gets an `error` event
 * when the close was abnormal, and the matching close code.
 *
 * @example
 * ```ts
 * upstream.listen({ close: (code) => onUpstreamClose(context, upstream, code), … });
 * ```
 */
export function onUpstreamClose(context: SessionContext, socket: DuplexSocket, code: number): void {
  const { state, resume } = context;
  if (state.closed) return;
  if (resume?.retiring === socket) {
    resume.retiring = undefined;
    return;
  }
  if (socket !== state.upstream) return;
  if (isResumableClose(code) && resume !== undefined) {
    const refusal = resumeRefusal(resume);
    if (refusal === undefined) {
      guardTask(context, 'resume.recover', recoverUpstream(context, socket, code));
      return;
    }
    if (refusal !== 'off') {
      // Resume is on and this drop ends the session all the same: a failed resume.
      context.logger.log('warn', 'resume.skipped', { session: context.id, reason: refusal });
      context.metrics?.countResume('failed', 0);
    }
  }
  closeForUpstream(context, code);
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

/**
 * Replaces the upstream before its session expires, at a moment with no response and no
 * uncommitted audio: a fresh upstream is opened, the session replayed onto it, client frames
 * held meanwhile, and the old one closed once the new one has them. The client notices
 * nothing. If the fresh one cannot be opened the old one carries on.
 *
 * @example
 * ```ts
 * resume.onRolloverDue = () => void rollOverUpstream(context);
 * ```
 */
export async function rollOverUpstream(context: SessionContext): Promise<void> {
  const { state, resume } = context;
  const old = state.upstream;
  if (resume === undefined || old === undefined || state.closed || resume.retiring !== undefined)
    return;
  // A conversation the relay could not keep whole is not replayed, not even to roll over.
  if (!isIdle(resume) || !resume.copy.resumable) return;
  resume.rolloverDue = false;
  // From here the client's frames wait for the new upstream; the old one's still pass.
  state.upstream = undefined;
  resume.retiring = old;
  const started = context.now();
  let failure: unknown;
  try {
    const socket = await context.connect();
    if (state.closed) {
      socket.close(CloseCode.normal, 'client session ended');
      return;
    }
    if (onUpstreamOpen(context, socket, context.now() - started, 'rollover')) {
      old.close(CloseCode.normal, 'rolled over to a fresh upstream session');
      context.logger.log('info', 'resume.rolled_over', { session: context.id });
      return;
    }
    failure = new Error('the replay failed');
  } catch (error) {
    failure = error;
  }
  if (state.closed) return;
  context.logger.log('warn', 'resume.rollover_failed', {
    session: context.id,
    error: failure instanceof Error ? failure.message : 'unknown error',
  });
  context.metrics?.countResume('rollover_failed', 0);
  // The old upstream closed meanwhile (its close was taken for the expected one): a drop.
  if (resume.retiring !== old) {
    closeForUpstream(context, CloseCode.internalError);
    return;
  }
  // Still open and still set up: it takes the held frames; nothing of it is an acknowledgement.
  resume.retiring = undefined;
  resume.acks = undefined;
  state.upstream = old;
  try {
    sendHeldFrames(context, old);
  } catch {
    finishSession(context, CloseCode.internalError, 'upstream failed', false);
  }
}

/**
 * The current upstream is gone (`code` abnormal) and resume is on: the client's streaming
 * responses and uncommitted audio are settled, then up to `attempts` reconnects within the
 * window (drops close together share the budget), each after a backoff with jitter
 * (`resumeBackoffMs`), the session replayed onto the first that opens and takes the replay,
 * and the client told with one `error` (`upstream_reconnected`). Client frames wait meanwhile.
 * Every socket an attempt opened and could not use is closed. When none works, the client gets
 * an `error` and the close the drop would have got.
 */
async function recoverUpstream(
  context: SessionContext,
  socket: DuplexSocket,
  code: number,
): Promise<void> {
  const { state, resume } = context;
  if (resume === undefined || state.upstream !== socket) return;
  state.upstream = undefined;
  socket.close(CloseCode.normal, 'replaced after a failure');
  const dropped = context.now();
  context.logger.log('warn', 'upstream.closed', { session: context.id, code, resuming: true });
  resume.resumes++;
  settleForClient(context, resume);
  if (context.policy !== undefined) forgetCallsOfLostUpstream(context, context.policy);
  const { attempts, windowMs } = resume.settings;
  const { budget } = resume;
  if (dropped - budget.windowStart > windowMs) {
    budget.windowStart = dropped;
    budget.used = 0;
  }
  for (let attempt = 0; budget.used < attempts && !state.closed; attempt++) {
    const left = windowMs - (context.now() - dropped);
    if (left <= 0) break;
    await delay(Math.min(resumeBackoffMs(budget.used, Math.random), left), context.abort.signal);
    budget.used++;
    if (state.closed) return;
    let failure: unknown;
    try {
      const next = await withTimeout(context.connect(), windowMs - (context.now() - dropped));
      if (state.closed) {
        next.close(CloseCode.normal, 'client session ended');
        return;
      }
      if (onUpstreamOpen(context, next, context.now() - dropped, 'resume')) {
        context.metrics?.observeResumeTime(context.now() - dropped);
        sendRelayError(context, {
          type: 'server_error',
          code: 'upstream_reconnected',
          message: 'the upstream connection was lost and the session was resumed on a new one',
        });
        return;
      }
      failure = new Error('the replay failed');
    } catch (error) {
      failure = error;
    }
    context.logger.log('warn', 'resume.attempt_failed', {
      session: context.id,
      attempt: attempt + 1,
      error: failure instanceof Error ? failure.message : 'unknown error',
    });
  }
  if (state.closed) return;
  context.metrics?.countResume('failed', 0);
  closeForUpstream(context, code);
}

function closeForUpstream(context: SessionContext, code: number): void {
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

/** Resolves after `ms`, or at once when `signal` aborts (the session ended). */
function delay(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

/** `connecting`, or a rejection once `ms` passed; a socket that opens later is closed. */
function withTimeout(connecting: Promise<DuplexSocket>, ms: number): Promise<DuplexSocket> {
  return new Promise((resolve, reject) => {
    let late = false;
    const timer = setTimeout(
      () => {
        late = true;
        reject(new Error('resume window passed'));
      },
      Math.max(0, ms),
    );
    connecting.then(
      (socket) => {
        clearTimeout(timer);
        if (late) socket.close(CloseCode.normal, 'resume window passed');
        else resolve(socket);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
