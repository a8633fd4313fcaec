/**
 * The relay as a web-standard module worker: `export default { fetch }`. Cloudflare Workers
 * call `fetch(request, env)`; the relay is built once per isolate from the first `env`.
 *
 * Deploy with `wrangler deploy` (see wrangler.toml); Deno runs src/main.ts instead.
 */
import { createEdgeRelay, type EdgeRelay } from './create-handler.ts';
import { workersRuntime } from './workers-runtime.ts';

let relay: EdgeRelay | undefined;

export default {
  fetch(request: Request, env: Readonly<Record<string, string | undefined>> = {}): Response {
    relay ??= createEdgeRelay(env, workersRuntime);
    return relay.fetch(request);
  },
};
