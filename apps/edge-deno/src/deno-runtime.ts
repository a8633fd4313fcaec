import { whenOpen } from '@rtwire/relay';
import type { EdgeRuntime } from './create-handler.ts';

/**
 * Deno: `Deno.upgradeWebSocket` on the way in; on the way out Deno's `WebSocket`, which
 * (unlike the browser's) takes handshake headers, so the upstream key travels as a header.
 */
export const denoRuntime: EdgeRuntime = {
  upgrade: (request, protocol) =>
    Deno.upgradeWebSocket(request, protocol === undefined ? {} : { protocol }),
  dial: (url, headers, signal) => whenOpen(new WebSocket(url, { headers }), signal),
};
