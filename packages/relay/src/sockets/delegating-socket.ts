import type { DuplexSocket } from './duplex-socket.ts';

/** What a {@link delegatingSocket} does itself instead of passing it to the inner socket. */
export interface SocketOverrides {
  readonly send?: DuplexSocket['send'];
  readonly close?: DuplexSocket['close'];
  readonly listen?: DuplexSocket['listen'];
  /**
   * Given (the key present): the wrapper's `pause`, and none when it is `undefined`. Not
   * given: the inner socket's passed through, where it has one.
   */
  readonly pause?: (() => void) | undefined;
  /** As `pause`. */
  readonly resume?: (() => void) | undefined;
}

/**
 * A socket that is `inner` but for `overrides`: `send`, `close` and `listen` go to the
 * override where there is one and to `inner` otherwise; `bufferedAmount`, `incomingBytes` and
 * `heldBytes` are read from `inner` at each read; `pause` and `resume` are passed through only
 * where `inner` has them (a socket that cannot pause stays one), unless `overrides` names them.
 * The base of the relay's socket wrappers, which each change one or two things.
 *
 * @example
 * ```ts
 * const counted = delegatingSocket(socket, {
 *   send(data, binary, decoded) {
 *     sent++;
 *     socket.send(data, binary, decoded);
 *   },
 * });
 * ```
 */
export function delegatingSocket(inner: DuplexSocket, overrides: SocketOverrides): DuplexSocket {
  const socket: DuplexSocket = {
    send: overrides.send ?? ((data, binary, decoded) => inner.send(data, binary, decoded)),
    close: overrides.close ?? ((code, reason) => inner.close(code, reason)),
    get bufferedAmount() {
      return inner.bufferedAmount;
    },
    get incomingBytes() {
      return inner.incomingBytes;
    },
    get heldBytes() {
      return inner.heldBytes;
    },
    listen: overrides.listen ?? ((handlers) => inner.listen(handlers)),
  };
  const pause = Object.hasOwn(overrides, 'pause')
    ? overrides.pause
    : inner.pause === undefined
      ? undefined
      : () => inner.pause?.();
  const resume = Object.hasOwn(overrides, 'resume')
    ? overrides.resume
    : inner.resume === undefined
      ? undefined
      : () => inner.resume?.();
  if (pause !== undefined) socket.pause = pause;
  if (resume !== undefined) socket.resume = resume;
  return socket;
}
