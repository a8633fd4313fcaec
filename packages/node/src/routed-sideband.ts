import type { Duplex } from 'node:stream';
import { type DuplexSocket, REALTIME_PATH, routedCallHeaders } from '@rtwire/relay';
import { WebSocket } from 'ws';
import { createWsDuplexSocket } from './ws-duplex-socket.ts';

/** How the instance holding a call answered a sideband passed on to it. */
export type RoutedSideband =
  | { readonly ok: true; readonly socket: DuplexSocket; readonly protocol: string }
  | { readonly ok: false; readonly status: number; readonly message: string };

/** Options of {@link dialRoutedSideband}. */
export interface RoutedSidebandOptions {
  /** Where the instance holding the call answers (from the call directory). */
  readonly base: URL;
  readonly callId: string;
  /** The sideband request's headers: its credential and origin are passed on. */
  readonly headers: { get(name: string): string | null };
  /** Largest message either way. */
  readonly maxFrameBytes: number;
  /** How long the other instance may take to answer (default 10 s). */
  readonly handshakeTimeoutMs?: number;
  /** Pings the other instance this often, and drops it when it stops answering (the relay's heartbeat). */
  readonly heartbeatIntervalMs?: number;
  /** How long one message may take to arrive. */
  readonly messageTimeoutMs?: number;
}

/**
 * Opens a call's sideband on the instance that holds the call, with the caller's credential, so
 * that this instance can pipe its caller to it. The other instance's refusal (401, 404) comes
 * back as its status; no answer is 502.
 *
 * @example
 * ```ts
 * const routed = await dialRoutedSideband({ base, callId, headers, maxFrameBytes });
 * if (routed.ok) pipeSockets(client, routed.socket, config.highWaterBytes);
 * ```
 */
export function dialRoutedSideband(options: RoutedSidebandOptions): Promise<RoutedSideband> {
  const url = new URL(REALTIME_PATH, options.base);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  url.searchParams.set('call_id', options.callId);
  const offered = options.headers.get('sec-websocket-protocol');
  const protocols =
    offered === null
      ? []
      : offered
          .split(',')
          .map((protocol) => protocol.trim())
          .filter((protocol) => protocol !== '');
  return new Promise((resolve) => {
    const ws = new WebSocket(url, protocols, {
      headers: routedCallHeaders(options.headers),
      perMessageDeflate: false,
      maxPayload: options.maxFrameBytes,
      handshakeTimeout: options.handshakeTimeoutMs ?? 10_000,
      followRedirects: false,
      skipUTF8Validation: false,
    });
    let transport: Duplex | undefined;
    let settled = false;
    const settle = (result: RoutedSideband) => {
      if (settled) return;
      settled = true;
      resolve(result);
    };
    ws.once('upgrade', (response) => {
      transport = response.socket;
    });
    ws.once('open', () => {
      if (transport === undefined) {
        ws.terminate();
        settle({ ok: false, status: 502, message: 'call_instance_unreachable' });
        return;
      }
      const socket = createWsDuplexSocket(ws, transport, {
        ...(options.heartbeatIntervalMs === undefined
          ? {}
          : { heartbeatIntervalMs: options.heartbeatIntervalMs }),
        ...(options.messageTimeoutMs === undefined
          ? {}
          : { messageTimeoutMs: options.messageTimeoutMs }),
      });
      settle({ ok: true, socket, protocol: ws.protocol });
    });
    ws.once('unexpected-response', (request, response) => {
      const status = response.statusCode ?? 502;
      response.resume();
      request.destroy();
      settle({
        ok: false,
        status,
        message: status === 404 ? 'call_id_not_found' : (response.statusMessage ?? 'refused'),
      });
    });
    ws.on('error', () => settle({ ok: false, status: 502, message: 'call_instance_unreachable' }));
  });
}

/** Close codes a peer may send (1005, 1006 and 1015 are only ever reported). */
function sendableCode(code: number): number {
  if (code === 1005) return 1000;
  if (code === 1006 || code === 1015) return 1011;
  return code;
}

/**
 * Pipes two sockets both ways, frame for frame and as the frames came (text stays text), until
 * either closes: the other is then closed with its code and reason. A side that reads faster
 * than the other writes is paused past `highWaterBytes` (a socket's high-water mark, not the
 * process's budget) and resumed on drain; one that cannot pause is closed (1013) past twice
 * that, so a pipe holds at most about that and one message each way.
 *
 * @example
 * ```ts
 * pipeSockets(callerSocket, holderSocket, config.highWaterBytes);
 * ```
 */
export function pipeSockets(a: DuplexSocket, b: DuplexSocket, highWaterBytes: number): void {
  let closed = false;
  const closeBoth = (code: number, reason: string) => {
    if (closed) return;
    closed = true;
    a.close(sendableCode(code), reason);
    b.close(sendableCode(code), reason);
  };
  const forward = (from: DuplexSocket, to: DuplexSocket) => ({
    message(data: string | Uint8Array, binary: boolean) {
      if (closed) return;
      to.send(data, binary);
      if (to.bufferedAmount <= highWaterBytes) return;
      if (from.pause !== undefined) from.pause();
      else if (to.bufferedAmount > 2 * highWaterBytes) closeBoth(1013, 'peer too slow');
    },
    close: closeBoth,
    // `from` drained: the side that writes into it may read again.
    drain() {
      to.resume?.();
    },
  });
  a.listen(forward(a, b));
  b.listen(forward(b, a));
}
