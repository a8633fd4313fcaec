import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import {
  CONSOLE_PATHS,
  createRelayHost,
  type PendingSession,
  parseRelayConfig,
  REALTIME_PATH,
  type RelayConfig,
  type RelayHost,
  type RelayLogger,
  type RelayMetrics,
  type RelayPolicy,
  type ServerToolHandler,
  STATUS_PATHS,
  silentLogger,
  type UpstreamConnector,
  upstreamFromConfig,
} from '@rtwire/relay';
import { type WebSocket, WebSocketServer } from 'ws';
import { createNodeRuntime } from './node-runtime.ts';
import { rejectUpgrade } from './reject-upgrade.ts';
import { createWsDuplexSocket } from './ws-duplex-socket.ts';

/** Options of {@link mountRelay}. */
export interface MountRelayOptions {
  /**
   * The relay's settings (default: every default of `parseRelayConfig`, which runs the
   * embedded simulator). To take the environment as the app does (`RELAY_POLICY` and
   * `RELAY_TOOLS_MODULE` included), mount what {@link loadRelayFromEnv} returns.
   */
  readonly config?: RelayConfig;
  /** Where the relay logs (default: nowhere). */
  readonly logger?: RelayLogger;
  /**
   * The upstream (default: `config.upstreamUrl` through {@link createWsUpstreamConnector},
   * or the embedded simulator when it is unset).
   */
  readonly connectUpstream?: UpstreamConnector;
  /**
   * Whether the relay owns every upgrade on this server: an upgrade to another path is then
   * refused with 404. Default: it takes `/v1/realtime` only and leaves other upgrades to the
   * server's other `upgrade` listeners (socket.io, your own `ws` server).
   */
  readonly ownsUpgrades?: boolean;
  /**
   * Whether {@link MountedRelay.handleRequest} serves the relay's demo page at `/` (default
   * `false`: the root of your server stays yours).
   */
  readonly demoPage?: boolean;
  /**
   * What each tenant's sessions may do, and their server tools (`RELAY_POLICY`). While
   * `RELAY_POLICY` is set in `process.env`, leaving this out throws: pass the policy (or
   * `undefined` to run without one), or mount what {@link loadRelayFromEnv} returns.
   */
  readonly policy?: RelayPolicy | undefined;
  /**
   * Handlers of the `"module": true` server tools, by name ({@link loadToolsModule}). While
   * `RELAY_TOOLS_MODULE` is set in `process.env`, leaving this out throws, as for `policy`.
   */
  readonly toolHandlers?: Readonly<Record<string, ServerToolHandler>> | undefined;
}

/** A relay mounted on a Node HTTP(S) server. */
export interface MountedRelay {
  /** The runtime-neutral host: admission, sessions, metrics, draining. */
  readonly host: RelayHost;
  readonly metrics: RelayMetrics;
  /** Sessions open now. */
  readonly activeSessions: number;
  /**
   * Answers the relay's own HTTP routes (`/healthz`, `/metrics`, a plain request to
   * `/v1/realtime` with 426 Upgrade Required as the app does, and the console at `/` with
   * `demoPage`) and returns `true`; returns `false`, touching nothing, for any other path, so
   * your app answers it.
   */
  handleRequest(request: IncomingMessage, response: ServerResponse): boolean;
  /**
   * Stops taking sessions, closes every one with 1001 (going away) and resolves once all are
   * gone or `config.shutdownTimeoutMs` passed (stragglers are then dropped). The server itself
   * is yours to close.
   */
  close(): Promise<void>;
}

/**
 * Mounts the Realtime relay on an existing `http.Server` or `https.Server` (and so on express,
 * fastify or hono's Node server, which run on one): WebSocket upgrades to `/v1/realtime`
 * become relay sessions, with the official SDKs' handshake (subprotocols, bearer tokens),
 * admission, limits, heartbeats and metrics of `@rtwire/relay`. Frames stay text frames.
 *
 * @example
 * ```ts
 * const server = createServer((request, response) => {
 *   if (!relay.handleRequest(request, response)) response.writeHead(404).end();
 * });
 * const relay = mountRelay(server);
 * server.listen(8787);
 * ```
 */
export function mountRelay(server: Server, options: MountRelayOptions = {}): MountedRelay {
  refuseUnloadedEnvironment(options, process.env);
  const config = options.config ?? defaultConfig();
  const logger = options.logger ?? silentLogger;
  const host = createRelayHost({
    config,
    logger,
    connectUpstream: options.connectUpstream ?? upstreamFromConfig(config, createNodeRuntime()),
    policy: options.policy,
    ...(options.toolHandlers ? { toolHandlers: options.toolHandlers } : {}),
  });
  // A plain GET of the endpoint is the relay's to answer (426), as a server the relay owns does.
  const ownPaths = new Set([...STATUS_PATHS, REALTIME_PATH]);
  const clients = new Set<WebSocket>();
  const admissions = new WeakMap<IncomingMessage, PendingSession>();
  const wss = new WebSocketServer({
    noServer: true,
    perMessageDeflate: false,
    maxPayload: config.maxFrameBytes,
    clientTracking: false,
    // The relay decodes every client frame with a fatal UTF-8 decoder; checking twice costs.
    skipUTF8Validation: true,
    handleProtocols: (_offered, request) => admissions.get(request)?.protocol ?? false,
  });

  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (options.ownsUpgrades !== true && pathOf(request) !== REALTIME_PATH) return;
    socket.on('error', () => socket.destroy());
    const admission = host.admit({ url: request.url ?? '/', headers: headersOf(request) });
    if (!admission.ok) {
      rejectUpgrade(socket, admission.status, admission.message);
      return;
    }
    admissions.set(request, admission);
    // ws drops a malformed handshake without calling back; the socket closing settles it then.
    socket.once('close', () => admission.cancel());
    wss.handleUpgrade(request, socket, head, (ws) => {
      clients.add(ws);
      ws.once('close', () => clients.delete(ws));
      admission.open(
        createWsDuplexSocket(ws, socket, {
          heartbeatIntervalMs: config.heartbeatIntervalMs,
          messageTimeoutMs: config.messageTimeoutMs,
        }),
      );
    });
  };
  server.on('upgrade', onUpgrade);

  return {
    host,
    metrics: host.metrics,
    get activeSessions() {
      return host.activeSessions;
    },
    handleRequest(request, response) {
      const path = pathOf(request);
      if (!ownPaths.has(path) && !(options.demoPage === true && CONSOLE_PATHS.has(path))) {
        return false;
      }
      const reply = host.respond(request.method ?? 'GET', request.url ?? '/', headersOf(request));
      response
        .writeHead(reply.status, reply.headers)
        .end(request.method === 'HEAD' ? '' : reply.body);
      return true;
    },
    async close() {
      server.off('upgrade', onUpgrade);
      if (host.draining) return;
      host.drain();
      await host.idle(config.shutdownTimeoutMs);
      for (const ws of clients) ws.terminate();
    },
  };
}

/**
 * Throws when the environment names a policy or a tools module that `options` leave out: a
 * relay mounted without them would run unrestricted, with no word that it does.
 */
function refuseUnloadedEnvironment(
  options: MountRelayOptions,
  env: Readonly<Record<string, string | undefined>>,
): void {
  const isSet = (name: string) => (env[name]?.trim() ?? '') !== '';
  const leftOut = [
    ...(isSet('RELAY_POLICY') && !('policy' in options) ? ['RELAY_POLICY (option policy)'] : []),
    ...(isSet('RELAY_TOOLS_MODULE') && !('toolHandlers' in options)
      ? ['RELAY_TOOLS_MODULE (option toolHandlers)']
      : []),
  ];
  if (leftOut.length === 0) return;
  throw new TypeError(
    `mountRelay: the environment sets ${leftOut.join(' and ')}, which mountRelay does not read: mount what loadRelayFromEnv(process.env) returns, or pass the option (undefined for none)`,
  );
}

function defaultConfig(): RelayConfig {
  const parsed = parseRelayConfig({});
  // The defaults always parse; this is for the type.
  if (!parsed.ok) throw new TypeError('mountRelay: the default relay config did not parse');
  return parsed.config;
}

function pathOf(request: IncomingMessage): string {
  const url = request.url ?? '/';
  const query = url.indexOf('?');
  return query < 0 ? url : url.slice(0, query);
}

function headersOf(request: IncomingMessage): { get(name: string): string | null } {
  return {
    get(name) {
      const value = request.headers[name.toLowerCase()];
      if (value === undefined) return null;
      return Array.isArray(value) ? value.join(', ') : value;
    },
  };
}
