/**
 * `@rtwire/relay/deno`: the relay on Deno (and Deno Deploy), as a `fetch` handler for
 * `Deno.serve`. The configuration is the relay's environment variables; the upstream key
 * travels as a handshake header; `HEARTBEAT_INTERVAL_MS` becomes Deno's `idleTimeout`.
 *
 * @example
 * ```ts
 * import { createDenoRelay } from '@rtwire/relay/deno';
 * import { engineUpstream } from '@rtwire/relay/engine';
 *
 * const relay = createDenoRelay(Deno.env.toObject(), { engine: engineUpstream });
 * if (!relay.ok) throw new Error(relay.errors.map((e) => e.variable).join(', '));
 * Deno.serve({ port: 8788 }, relay.fetch);
 * ```
 *
 * @module
 */
import type { RelayConfigError } from '../config/relay-config.ts';
import { createFetchRelay, type FetchRelay, type FetchRelayOptions } from '../host/fetch-relay.ts';
import { denoRuntime } from './deno-runtime.ts';

export type { FetchRelay, FetchRelayOptions, RelayConfigError };

/**
 * The relay from an environment record (`Deno.env.toObject()`) on Deno: `createFetchRelay`
 * with Deno's upgrade (`Deno.upgradeWebSocket`, its `idleTimeout` as the heartbeat), dial
 * (`new WebSocket(url, { headers })`) and file reads for a `RELAY_POLICY` path. Pass
 * `engine` for the simulator or a cascade; without it `UPSTREAM_URL` must be set.
 *
 * @example
 * ```ts
 * const relay = createDenoRelay({ UPSTREAM_URL: 'wss://api.openai.com/v1/realtime', ...Deno.env.toObject() });
 * if (relay.ok) Deno.serve(relay.fetch);
 * ```
 */
export function createDenoRelay(
  env: Readonly<Record<string, string | undefined>>,
  options: FetchRelayOptions = {},
): FetchRelay {
  return createFetchRelay(env, denoRuntime, options);
}
