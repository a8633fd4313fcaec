import type { FetchRuntime } from '../host/fetch-relay.ts';
import type { WebSocketLike } from '../sockets/web-socket-duplex.ts';
import { whenOpen } from '../upstream/web-socket-upstream-connector.ts';

/**
 * The parts of the `Deno` namespace this adapter uses, declared here so the package builds
 * without Deno's types (and so a bundle for another runtime type-checks too).
 */
declare const Deno: {
  upgradeWebSocket(
    request: Request,
    options: { protocol?: string; idleTimeout?: number },
  ): { socket: WebSocketLike; response: Response };
  readTextFileSync(path: string): string;
};

/** Deno's `WebSocket`, whose constructor (unlike the browser's) takes handshake headers. */
type DenoWebSocket = new (
  url: URL,
  options: { headers: Readonly<Record<string, string>> },
) => WebSocketLike;

/**
 * Deno: `Deno.upgradeWebSocket` on the way in; on the way out Deno's `WebSocket`, which
 * (unlike the browser's) takes handshake headers, so the upstream key travels as a header.
 *
 * The heartbeat is Deno's `idleTimeout` (seconds): after half of it without a frame Deno pings,
 * and after all of it without an answer it closes with 1001. Twice the relay's interval gives
 * the same schedule as the Node relay: a ping each interval, gone after one unanswered.
 */
export const denoRuntime: FetchRuntime = {
  upgrade: (request, protocol, { heartbeatIntervalMs }) =>
    Deno.upgradeWebSocket(request, {
      ...(protocol === undefined ? {} : { protocol }),
      idleTimeout: heartbeatIntervalMs === 0 ? 0 : Math.max(1, (2 * heartbeatIntervalMs) / 1000),
    }),
  dial: (url, headers, signal) =>
    whenOpen(new (WebSocket as unknown as DenoWebSocket)(url, { headers }), signal),
  readTextFile: (path) => Deno.readTextFileSync(path),
};
