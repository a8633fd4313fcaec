import type { Duplex } from 'node:stream';
import { type UpstreamConnector, upstreamUrlFor } from '@rtwire/relay';
import { WebSocket } from 'ws';
import { createWsDuplexSocket } from './ws-duplex-socket.ts';

/** Options of {@link createWsUpstreamConnector}. */
export interface WsUpstreamOptions {
  /** The Realtime endpoint (`UPSTREAM_URL`); the client's `model` and `intent` are set on it. */
  readonly url: URL;
  /** Sent as `Authorization: Bearer …`; never logged. */
  readonly apiKey: string | undefined;
  /** Largest upstream message; bigger ones close the upstream with 1009. */
  readonly maxFrameBytes: number;
  /** How long the upstream handshake may take (default 10 s). */
  readonly handshakeTimeoutMs?: number;
}

/**
 * Connects to a real Realtime endpoint with `ws`, using the GA handshake (bearer key, no beta
 * header). Rejections name the failure (an HTTP status or a network error code), never the key.
 *
 * @example
 * ```ts
 * const connectUpstream = createWsUpstreamConnector({ url, apiKey: process.env.OPENAI_API_KEY, maxFrameBytes });
 * ```
 */
export function createWsUpstreamConnector(options: WsUpstreamOptions): UpstreamConnector {
  const headers: Record<string, string> = {};
  if (options.apiKey !== undefined) headers.Authorization = `Bearer ${options.apiKey}`;
  return ({ model, intent, signal, callId, kind }) =>
    new Promise((resolve, reject) => {
      const ws = new WebSocket(upstreamUrlFor(options.url, model, intent, callId, kind), {
        headers,
        perMessageDeflate: false,
        maxPayload: options.maxFrameBytes,
        handshakeTimeout: options.handshakeTimeoutMs ?? 10_000,
        followRedirects: false,
        // Upstream frames are forwarded as bytes, never decoded here, so this is the one place a
        // text frame with invalid UTF-8 is caught: ws fails the upstream (1007) instead of the
        // relay passing on a frame that would make the client's own WebSocket abort.
        skipUTF8Validation: false,
      });
      let transport: Duplex | undefined;
      const fail = (reason: string) => {
        signal.removeEventListener('abort', onAbort);
        reject(new Error(reason));
      };
      const onAbort = () => {
        ws.terminate();
        fail('client left before the upstream opened');
      };
      signal.addEventListener('abort', onAbort, { once: true });
      ws.once('upgrade', (response) => {
        transport = response.socket;
      });
      ws.once('open', () => {
        signal.removeEventListener('abort', onAbort);
        if (transport === undefined) {
          ws.terminate();
          fail('upstream socket unavailable');
          return;
        }
        resolve(createWsDuplexSocket(ws, transport));
      });
      ws.once('unexpected-response', (request, response) => {
        response.resume();
        request.destroy();
        fail(`upstream answered HTTP ${response.statusCode ?? 'unknown'}`);
      });
      ws.on('error', (error: NodeJS.ErrnoException) => {
        fail(`upstream connection failed (${error.code ?? 'error'})`);
      });
    });
}
