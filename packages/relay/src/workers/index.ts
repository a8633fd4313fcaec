/**
 * `@rtwire/relay/workers`: the relay as a Cloudflare Workers module worker (and any runtime
 * that runs one). The configuration is the worker's `env` (vars and secrets), read once per
 * isolate on the first request.
 *
 * @example
 * ```ts
 * // src/worker.ts, the `main` of wrangler.toml: a relay to UPSTREAM_URL, no engine bundled.
 * import { createWorkersRelay } from '@rtwire/relay/workers';
 *
 * export default createWorkersRelay();
 * ```
 *
 * @module
 */
import { createFetchRelay, type FetchRelay, type FetchRelayOptions } from '../host/fetch-relay.ts';
import { workersRuntime } from './workers-runtime.ts';

export type { FetchRelayOptions };

/** What a module worker exports as its default: Workers call `fetch(request, env)`. */
export interface WorkersRelay {
  fetch(request: Request, env?: Readonly<Record<string, unknown>>): Response | Promise<Response>;
}

/** The string bindings of a Workers `env`: vars and secrets (other bindings are not config). */
function stringBindings(env: Readonly<Record<string, unknown>>): Record<string, string> {
  const strings: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (typeof value === 'string') strings[name] = value;
  }
  return strings;
}

/**
 * A module worker serving the relay: `createFetchRelay` with a `WebSocketPair` upgrade and a
 * `fetch` upgrade to dial the upstream (no heartbeat: Workers cannot ping). The relay is
 * built from the first request's `env` and kept for the isolate. A configuration that cannot
 * be read answers every request with 500 and logs the variables (never their values). Pass
 * `engine` (`engineUpstream` of `@rtwire/relay/engine`) for the simulator or a cascade;
 * without it `UPSTREAM_URL` must be set and the bundle carries no engine.
 *
 * @example
 * ```ts
 * import { engineUpstream } from '@rtwire/relay/engine';
 * import { createWorkersRelay } from '@rtwire/relay/workers';
 *
 * export default createWorkersRelay({ engine: engineUpstream });
 * ```
 */
export function createWorkersRelay(options: FetchRelayOptions = {}): WorkersRelay {
  let relay: FetchRelay | undefined;
  return {
    fetch(request, env = {}) {
      if (relay === undefined) {
        relay = createFetchRelay(stringBindings(env), workersRuntime, options);
        if (!relay.ok) {
          for (const problem of relay.errors)
            console.error(`rtwire relay: ${problem.variable}: ${problem.message}`);
        }
      }
      if (!relay.ok) {
        return new Response('Relay configuration invalid\n', {
          status: 500,
          headers: { 'content-type': 'text/plain; charset=utf-8' },
        });
      }
      return relay.fetch(request);
    },
  };
}
