import { RtwireError } from '@rtwire/types';
import { createWebSocketDuplex, type WebSocketLike } from '../sockets/web-socket-duplex.ts';
import type { UpstreamConnector } from './upstream-connector.ts';
import { upstreamUrlFor } from './upstream-connector.ts';

/**
 * Opens a WebSocket to `url` with these handshake headers and resolves once it is open. Each
 * runtime sets headers its own way: Deno takes `new WebSocket(url, { headers })`, Workers
 * upgrade a `fetch`.
 */
export type WebSocketDialer = (
  url: URL,
  headers: Readonly<Record<string, string>>,
  signal: AbortSignal,
) => Promise<WebSocketLike>;

/** Options of {@link createWebSocketUpstreamConnector}. */
export interface WebSocketUpstreamOptions {
  /** The Realtime endpoint (`UPSTREAM_URL`); the client's `model` and `intent` are set on it. */
  readonly url: URL;
  /** Sent as `Authorization: Bearer …` (GA handshake, no beta header); never logged. */
  readonly apiKey: string | undefined;
  readonly dial: WebSocketDialer;
  /** Send-buffer size at which the socket reports itself full (default 1 MiB). */
  readonly highWaterBytes?: number;
  /** How long the handshake may take before the attempt is given up (default 10 s). */
  readonly handshakeTimeoutMs?: number;
}

/**
 * An upstream connector for web-standard runtimes: dials the Realtime endpoint with the key
 * in the handshake and wraps the socket for the relay. The key is never part of an error.
 *
 * @example
 * ```ts
 * const connectUpstream = createWebSocketUpstreamConnector({
 *   url: new URL('wss://api.openai.com/v1/realtime'),
 *   apiKey: Deno.env.get('OPENAI_API_KEY'),
 *   dial: dialDenoWebSocket,
 * });
 * ```
 */
export function createWebSocketUpstreamConnector(
  options: WebSocketUpstreamOptions,
): UpstreamConnector {
  const headers: Record<string, string> = {};
  if (options.apiKey !== undefined) headers.Authorization = `Bearer ${options.apiKey}`;
  const handshakeTimeoutMs = options.handshakeTimeoutMs ?? 10_000;
  return async ({ model, intent, signal, callId, kind }) => {
    // One signal for both ways an attempt ends early: the client left, or the clock ran out.
    const attempt = new AbortController();
    const giveUp = () => attempt.abort();
    signal.addEventListener('abort', giveUp, { once: true });
    const timer = setTimeout(giveUp, handshakeTimeoutMs);
    let socket: WebSocketLike;
    try {
      socket = await options.dial(
        upstreamUrlFor(options.url, model, intent, callId, kind),
        headers,
        attempt.signal,
      );
    } catch (error) {
      if (attempt.signal.aborted && !signal.aborted) {
        throw new RtwireError(
          'upstream_handshake_timeout',
          `upstream handshake timed out after ${handshakeTimeoutMs} ms`,
        );
      }
      throw error;
    } finally {
      clearTimeout(timer);
      signal.removeEventListener('abort', giveUp);
    }
    return createWebSocketDuplex(
      socket,
      options.highWaterBytes === undefined ? {} : { highWaterBytes: options.highWaterBytes },
    );
  };
}

/**
 * Waits for a freshly constructed WebSocket to open. Rejects (closing it) when it errors,
 * closes first, or `signal` aborts; the rejection names what happened, never a header.
 *
 * @example
 * ```ts
 * const socket = await whenOpen(new WebSocket(url), signal);
 * ```
 */
export function whenOpen<T extends WebSocketLike>(socket: T, signal: AbortSignal): Promise<T> {
  return new Promise((resolve, reject) => {
    if (socket.readyState === 1) {
      resolve(socket);
      return;
    }
    let decided = false;
    const fail = (reason: string) => {
      if (decided) return;
      decided = true;
      try {
        socket.close(1000, reason);
      } catch {
        // Closing a socket that never opened may throw in some runtimes; it is gone either way.
      }
      reject(new Error(reason));
    };
    signal.addEventListener('abort', () => fail('client left before the upstream opened'), {
      once: true,
    });
    socket.addEventListener('open', () => {
      if (decided) return;
      decided = true;
      resolve(socket);
    });
    socket.addEventListener('error', () => fail('upstream connection failed'));
    socket.addEventListener('close', ({ code }) => fail(`upstream closed the handshake (${code})`));
  });
}
