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
import { callObjectFor, callObjectNamespace } from './relay-call-object.ts';
import { invalidConfiguration, stringBindings } from './string-bindings.ts';
import { workersRuntime } from './workers-runtime.ts';

export {
  CALLS_BINDING,
  type CallObjectId,
  type CallObjectNamespace,
  RelayCallObject,
} from './relay-call-object.ts';
export type { FetchRelayOptions };

/** What a module worker exports as its default: Workers call `fetch(request, env)`. */
export interface WorkersRelay {
  fetch(request: Request, env?: Readonly<Record<string, unknown>>): Response | Promise<Response>;
}

/**
 * A module worker serving the relay: `createFetchRelay` with a `WebSocketPair` upgrade and a
 * `fetch` upgrade to dial the upstream (no heartbeat: Workers cannot ping). The relay is
 * built from the first request's `env` and kept for the isolate. A configuration that cannot
 * be read answers every request with 500 and logs the variables (never their values). Pass
 * `engine` (`engineUpstream` of `@rtwire/relay/engine`) for the simulator or a cascade;
 * without it `UPSTREAM_URL` must be set and the bundle carries no engine. With `UPSTREAM_URL`,
 * WebRTC calls are forwarded through one {@link RelayCallObject} each, bound as `RTWIRE_CALLS`
 * (without the binding an offer gets 501 `calls_not_configured`).
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
    async fetch(request, env = {}) {
      if (relay === undefined) {
        relay = createFetchRelay(stringBindings(env), workersRuntime, options);
        if (!relay.ok) {
          for (const problem of relay.errors)
            console.error(`rtwire relay: ${problem.variable}: ${problem.message}`);
        }
      }
      if (!relay.ok) return invalidConfiguration();
      const path = new URL(request.url).pathname;
      if (
        request.method === 'POST' &&
        relay.host.routeOf(path) === 'client_secrets' &&
        relay.host.config.clientSecretKeys.length === 0
      ) {
        return notConfigured(
          'client_secret_keys_not_configured',
          'Client secrets on Workers need CLIENT_SECRET_KEYS: isolates and call objects share no key made at start.',
        );
      }
      if (relay.host.config.upstreamUrl !== undefined) {
        const calls = callObjectNamespace(env);
        if (calls !== undefined) {
          const call = await callObjectFor(request, calls, relay.host);
          if (call !== undefined) return call.fetch(request);
        } else if (request.method === 'POST' && path === '/v1/realtime/calls') {
          return notConfigured(
            'calls_not_configured',
            'WebRTC calls on Workers need the RTWIRE_CALLS Durable Object binding (class RelayCallObject).',
          );
        }
      }
      return relay.fetch(request);
    },
  };
}

/**
 * What a worker cannot do without a setting a process does not need: a call outlives its
 * request, and a key made at start lives in one isolate.
 */
function notConfigured(code: string, message: string): Response {
  return new Response(
    JSON.stringify({ error: { type: 'invalid_request_error', code, param: null, message } }),
    { status: 501, headers: { 'content-type': 'application/json' } },
  );
}
