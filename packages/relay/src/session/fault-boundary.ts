import { delegatingSocket } from '../sockets/delegating-socket.ts';
import type { DuplexSocket } from '../sockets/duplex-socket.ts';
import { sendRelayError } from './backpressure.ts';
import { CloseCode } from './close-codes.ts';
import { logFault } from './fault-log.ts';
import { finishSession } from './session-end.ts';
import type { SessionContext, Side } from './session-state.ts';

/**
 * The session's fault boundary: something in its handling threw. The session ends with 1011
 * (after one `error` event, `server_error` / `internal_error`, when the client can still take
 * it) and its upstream is closed; one log line names the session, where it was entered and
 * the error's class and code. Never throws, and a throw while failing is not logged again.
 * Other sessions are untouched: nothing here is shared.
 *
 * @example
 * ```ts
 * try { onClientFrame(context, data, binary); } catch (error) { failSession(context, 'client.message', error); }
 * ```
 */
export function failSession(context: SessionContext, where: string, error: unknown): void {
  if (!logFault(context, where, error) || context.state.closed) return;
  try {
    sendRelayError(context, {
      type: 'server_error',
      code: 'internal_error',
      message: 'the relay failed while handling this session; it is closed',
    });
  } catch {
    // The close below still ends the session.
  }
  finishSession(context, CloseCode.internalError, 'internal error', false);
}

/**
 * `run` behind the session's fault boundary, for a timer or any other callback that enters the
 * session from outside: a throw ends the session (see {@link failSession}) instead of reaching
 * the runtime.
 *
 * @example
 * ```ts
 * setTimeout(guard(context, 'session.time_limit', () => finishSession(context, 1000, 'limit', false)), ms);
 * ```
 */
export function guard(context: SessionContext, where: string, run: () => void): () => void {
  return () => {
    try {
      run();
    } catch (error) {
      failSession(context, where, error);
    }
  };
}

/**
 * Watches a promise the session started and does not await (a reconnect, a tool call's
 * follow-up): a rejection ends the session (see {@link failSession}) instead of becoming an
 * unhandled rejection. Use it in place of `void task`.
 *
 * @example
 * ```ts
 * guardTask(context, 'resume.recover', recoverUpstream(context, socket, code));
 * ```
 */
export function guardTask(
  context: SessionContext,
  where: string,
  task: PromiseLike<unknown>,
): void {
  Promise.resolve(task).then(undefined, (error: unknown) => failSession(context, where, error));
}

/**
 * One of the session's sockets behind its fault boundary: a throw from a handler the session
 * gives it (message, close, drain) or from a call into it (send, close, pause, resume) goes to
 * `onFault` (which ends the session: {@link failSession}) where it would otherwise reach the
 * socket's event loop or a caller that cannot handle it (an in-process engine's `receive`).
 * Everything else is passed through; `pause` and `resume` only where the socket has them.
 *
 * @example
 * ```ts
 * const upstream = guardSocket((where, error) => failSession(context, where, error), socket, 'upstream');
 * ```
 */
export function guardSocket(
  onFault: (where: string, error: unknown) => void,
  socket: DuplexSocket,
  side: Side,
): DuplexSocket {
  // Each wrapper is made once per socket (listen: once per session), not per call: sends and
  // messages are the hot path.
  // Three fixed parameters, no rest and spread: nothing is allocated per call.
  const guard =
    <A = undefined, B = undefined, C = undefined>(what: string, run: (a: A, b: B, c: C) => void) =>
    (a?: A, b?: B, c?: C): void => {
      try {
        run(a as A, b as B, c as C);
      } catch (error) {
        onFault(`${side}.${what}`, error);
      }
    };
  type Send = DuplexSocket['send'];
  const pausable = socket.pause !== undefined;
  return delegatingSocket(socket, {
    send: guard(
      'send',
      (data: Parameters<Send>[0], binary: boolean, decoded: Parameters<Send>[2]) =>
        socket.send(data, binary, decoded),
    ),
    close: guard('close', (code: number, reason: string) => socket.close(code, reason)),
    listen(handlers) {
      socket.listen({
        message: guard('message', (data: string | Uint8Array, binary: boolean) =>
          handlers.message(data, binary),
        ),
        close: guard('closed', (code: number, reason: string) => handlers.close(code, reason)),
        drain: guard('drain', () => handlers.drain()),
      });
    },
    // Both or neither, as the socket can pause.
    pause: pausable ? guard('pause', () => socket.pause?.()) : undefined,
    resume: pausable ? guard('resume', () => socket.resume?.()) : undefined,
  });
}
