import { whenOpen } from '@rtwire/relay';
import type { EdgeRuntime } from './create-handler.ts';

/**
 * Deno: `Deno.upgradeWebSocket` on the way in; on the way out Deno's `WebSocket`, which
 * (unlike the browser's) takes handshake headers, so the upstream key travels as a header.
 *
 * The heartbeat is Deno's `idleTimeout` (seconds): after half of it without a frame Deno pings,
 * and after all of it without an answer it closes with 1001. Twice the relay's interval gives
 * the same schedule as the Node relay: a ping each interval, gone after one unanswered.
 */
export const denoRuntime: EdgeRuntime = {
  upgrade: (request, protocol, { heartbeatIntervalMs }) =>
    Deno.upgradeWebSocket(request, {
      ...(protocol === undefined ? {} : { protocol }),
      idleTimeout: heartbeatIntervalMs === 0 ? 0 : Math.max(1, (2 * heartbeatIntervalMs) / 1000),
    }),
  dial: (url, headers, signal) => whenOpen(new WebSocket(url, { headers }), signal),
  readTextFile: (path) => Deno.readTextFileSync(path),
};
