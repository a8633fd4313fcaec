import type { FetchRuntime } from '../host/fetch-relay.ts';
import type { WebSocketLike } from '../sockets/web-socket-duplex.ts';

/** The Workers globals this adapter uses, declared here: the package takes no Workers types. */
interface WorkersWebSocket extends WebSocketLike {
  accept(): void;
}
declare const WebSocketPair: { new (): { 0: WorkersWebSocket; 1: WorkersWebSocket } };
type WorkersResponseInit = ResponseInit & { webSocket?: WorkersWebSocket };

/**
 * Cloudflare Workers: a `WebSocketPair` on the way in (the client end goes back in the
 * `101` response); on the way out a `fetch` with `Upgrade: websocket`, which is how Workers
 * open a WebSocket with headers.
 *
 * No heartbeat: the Workers runtime answers a client's pings but never sends its own, and its
 * WebSocket has no `ping()`, no pong event and no idle timeout, so `HEARTBEAT_INTERVAL_MS` has
 * no effect here. A silently dropped client is noticed only when the edge's TCP stack gives up
 * on it. Incoming messages are capped by the runtime at 32 MiB (1009 past that).
 */
export const workersRuntime: FetchRuntime = {
  upgrade: (_request, protocol) => {
    const pair = new WebSocketPair();
    const client = pair[0];
    const server = pair[1];
    server.accept();
    const init: WorkersResponseInit = {
      status: 101,
      webSocket: client,
      headers: protocol === undefined ? {} : { 'sec-websocket-protocol': protocol },
    };
    return { socket: server, response: new Response(null, init) };
  },
  dial: async (url, headers, signal) => {
    const response = await fetch(url.href.replace(/^ws/, 'http'), {
      headers: { ...headers, upgrade: 'websocket' },
      signal,
    });
    const socket = (response as Response & { webSocket?: WorkersWebSocket | null }).webSocket;
    if (socket == null) throw new Error(`upstream answered HTTP ${response.status}`);
    socket.accept();
    return socket;
  },
};
