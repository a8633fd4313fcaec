/**
 * The relay as a module worker (`export default { fetch }`): `@rtwire/relay/workers` with the
 * engine, so a worker with no `UPSTREAM_URL` serves the simulator (or `MODEL_BASE_URL`'s
 * cascade). Cloudflare Workers read the configuration from `env` on the first request.
 *
 * Deploy with `wrangler deploy` (see wrangler.toml); Deno runs src/main.ts instead. A worker
 * that only relays to `UPSTREAM_URL` leaves `engine` out, and its bundle carries no engine.
 * `RelayCallObject` is the Durable Object that holds each WebRTC call forwarded to
 * `UPSTREAM_URL` (bound as RTWIRE_CALLS in wrangler.toml).
 */
import { engineUpstream } from '@rtwire/relay/engine';
import { createWorkersRelay, RelayCallObject } from '@rtwire/relay/workers';

export { RelayCallObject };
export default createWorkersRelay({ engine: engineUpstream });
