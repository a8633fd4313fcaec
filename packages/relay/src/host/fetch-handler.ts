import { createWebSocketDuplex, type WebSocketLike } from '../sockets/web-socket-duplex.ts';
import { type HttpReply, textReply } from './http-reply.ts';
import type { RelayHost } from './relay-host.ts';

/** How the relay wants an upgraded client connection watched, for runtimes that can. */
export interface UpgradeOptions {
  /**
   * `HEARTBEAT_INTERVAL_MS`: how often to ping the client; one that has not answered by the
   * next ping is to be dropped (0: never). Deno's `idleTimeout` does this; Workers cannot.
   */
  readonly heartbeatIntervalMs: number;
}

/**
 * Upgrades a request to a WebSocket in a web-standard runtime: Deno's `Deno.upgradeWebSocket`,
 * a Workers `WebSocketPair`, Bun's server. Returns the server side of the socket and the
 * `101` response to hand back; `protocol` is the subprotocol to select, when there is one.
 *
 * @example
 * ```ts
 * const upgrade: WebSocketUpgrader = (request, protocol, { heartbeatIntervalMs }) =>
 *   Deno.upgradeWebSocket(request, { protocol, idleTimeout: (2 * heartbeatIntervalMs) / 1000 });
 * ```
 */
export type WebSocketUpgrader = (
  request: Request,
  protocol: string | undefined,
  options: UpgradeOptions,
) => { readonly socket: WebSocketLike; readonly response: Response };

/**
 * A web-standard `fetch` handler for a {@link RelayHost}: `GET /v1/realtime` with
 * `Upgrade: websocket` becomes a relay session through `upgrade`, everything else is answered
 * by the host's routes. Runs unchanged on Deno, Cloudflare Workers and Bun.
 *
 * @example
 * ```ts
 * const handler = createFetchHandler(host, (request, protocol) =>
 *   Deno.upgradeWebSocket(request, protocol === undefined ? {} : { protocol }),
 * );
 * Deno.serve({ port: 8788 }, handler);
 * ```
 */
export function createFetchHandler(
  host: RelayHost,
  upgrade: WebSocketUpgrader,
): (request: Request) => Promise<Response> {
  // The one place a reply of the relay's becomes a web `Response`.
  const responseOf = (request: Request, reply: HttpReply) =>
    new Response(request.method === 'HEAD' || reply.body === '' ? null : reply.body, {
      status: reply.status,
      headers: reply.headers,
    });
  // A server's sideband of a forwarded call: no session of its own, it joins the call's.
  const sideband = (request: Request, callId: string): Response => {
    const admitted = host.attachCallSideband(callId, request.headers);
    if (!('open' in admitted))
      return responseOf(request, textReply(admitted.status, admitted.message));
    const offered = request.headers.get('sec-websocket-protocol') ?? '';
    const protocol = offered.split(',').some((p) => p.trim() === 'realtime')
      ? 'realtime'
      : undefined;
    let upgraded: ReturnType<WebSocketUpgrader>;
    try {
      upgraded = upgrade(request, protocol, {
        heartbeatIntervalMs: host.config.heartbeatIntervalMs,
      });
    } catch {
      return responseOf(request, textReply(400, 'Bad WebSocket handshake'));
    }
    admitted.open(
      createWebSocketDuplex(upgraded.socket, { highWaterBytes: host.config.highWaterBytes }),
    );
    return upgraded.response;
  };
  return async (request) => {
    if (request.headers.get('upgrade')?.toLowerCase() !== 'websocket') {
      const route = host.routeOf(new URL(request.url).pathname);
      if (request.method === 'POST' && route === 'client_secrets') {
        return responseOf(request, await host.mintClientSecret(request));
      }
      if ((request.method === 'POST' || request.method === 'OPTIONS') && route === 'calls') {
        return responseOf(request, await host.handleCall(request));
      }
      return responseOf(request, host.respond(request.method, request.url, request.headers));
    }
    const callId = new URL(request.url).searchParams.get('call_id');
    if (callId !== null && host.config.upstreamUrl !== undefined) {
      return sideband(request, callId);
    }
    const admission = await host.admit({ url: request.url, headers: request.headers });
    if (!admission.ok) return responseOf(request, admission.reply);
    let upgraded: ReturnType<WebSocketUpgrader>;
    try {
      upgraded = upgrade(request, admission.protocol, {
        heartbeatIntervalMs: host.config.heartbeatIntervalMs,
      });
    } catch {
      admission.cancel();
      return responseOf(request, textReply(400, 'Bad WebSocket handshake'));
    }
    admission.open(
      createWebSocketDuplex(upgraded.socket, { highWaterBytes: host.config.highWaterBytes }),
    );
    return upgraded.response;
  };
}
