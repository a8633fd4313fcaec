import type { RelayConfigError } from '../config/relay-config.ts';
import { createRelayFromEnv, type EngineUpstream } from '../config/relay-from-env.ts';
import {
  createWebSocketUpstreamConnector,
  type WebSocketDialer,
} from '../upstream/web-socket-upstream-connector.ts';
import { createFetchHandler, type WebSocketUpgrader } from './fetch-handler.ts';
import { createRelayHost, type RelayHost } from './relay-host.ts';

/**
 * How a web-standard runtime upgrades a request and dials an upstream: all that differs
 * between Deno, Cloudflare Workers and Bun. `@rtwire/relay/deno` and `@rtwire/relay/workers`
 * are the first two.
 *
 * @example
 * ```ts
 * const runtime: FetchRuntime = {
 *   upgrade: (request, protocol) => Deno.upgradeWebSocket(request, { protocol }),
 *   dial: (url, headers, signal) => openSocketWithHeaders(url, headers, signal),
 * };
 * ```
 */
export interface FetchRuntime {
  readonly upgrade: WebSocketUpgrader;
  readonly dial: WebSocketDialer;
  /** Reads a `RELAY_POLICY` file; absent where there is no file system (inline JSON only). */
  readonly readTextFile?: (path: string) => string;
}

/** Options of {@link createFetchRelay}, as the Deno and Workers adapters take them. */
export interface FetchRelayOptions {
  /**
   * Serves sessions in process when `UPSTREAM_URL` is unset: `engineUpstream` of
   * `@rtwire/relay/engine` (the simulator, or the cascade with `MODEL_BASE_URL`). Absent, the
   * relay needs `UPSTREAM_URL`, and a bundle of it carries no engine.
   */
  readonly engine?: EngineUpstream;
  /** Where log lines go (default `console.log`). */
  readonly write?: (line: string) => void;
  /** Makes the relay's ids of forwarded calls (see `RelayHostOptions.newCallId`). */
  readonly newCallId?: () => string;
}

/** A relay on a web-standard runtime, or the variables that could not be read. */
export type FetchRelay =
  | {
      readonly ok: true;
      /** The runtime's request handler: upgrades `/v1/realtime`, answers the other routes. */
      readonly fetch: (request: Request) => Promise<Response>;
      /** Admission, sessions, metrics and draining (`host.drain()` on shutdown). */
      readonly host: RelayHost;
    }
  | { readonly ok: false; readonly errors: readonly RelayConfigError[] };

/**
 * A relay served by a web-standard `fetch` handler, made from an environment record with
 * `createRelayFromEnv` (the same variables and defaults as every relay) and a runtime's
 * upgrade and dial. The Deno and Workers adapters are this with their runtime; use it as it
 * is for another (Bun).
 *
 * @example
 * ```ts
 * const relay = createFetchRelay(env, runtime, { engine: engineUpstream });
 * if (!relay.ok) throw new Error(relay.errors.map((e) => e.variable).join(', '));
 * Bun.serve({ fetch: relay.fetch });
 * ```
 */
export function createFetchRelay(
  env: Readonly<Record<string, string | undefined>>,
  runtime: FetchRuntime,
  options: FetchRelayOptions = {},
): FetchRelay {
  const relay = createRelayFromEnv(env, {
    connectRealtime: (upstream) =>
      createWebSocketUpstreamConnector({ ...upstream, dial: runtime.dial }),
    // A web-standard socket sends bytes as binary frames: text frames are strings here.
    frames: 'string',
    write: options.write ?? ((line) => console.log(line.trimEnd())),
    ...(options.engine ? { engine: options.engine } : {}),
    ...(runtime.readTextFile ? { readTextFile: runtime.readTextFile } : {}),
  });
  if (!relay.ok) return relay;
  const host = createRelayHost(
    options.newCallId === undefined ? relay : { ...relay, newCallId: options.newCallId },
  );
  return { ok: true, host, fetch: createFetchHandler(host, runtime.upgrade) };
}
