import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { mountRelay } from '@rtwire/node';
import type {
  RelayConfig,
  RelayLogger,
  RelayMetrics,
  RelayPolicy,
  ServerToolHandler,
  UpstreamConnector,
} from '@rtwire/relay';
import { readPem } from './read-pem.ts';

/** Options of {@link startRelayServer}. */
export interface RelayServerOptions {
  readonly config: RelayConfig;
  readonly logger: RelayLogger;
  /** Overrides the upstream chosen from the config (tests, embedding). */
  readonly connectUpstream?: UpstreamConnector;
  /** `RELAY_POLICY`, parsed. */
  readonly policy?: RelayPolicy | undefined;
  /** Handlers of the `"module": true` server tools (`RELAY_TOOLS_MODULE`). */
  readonly toolHandlers?: Readonly<Record<string, ServerToolHandler>>;
}

/** A listening relay. */
export interface RelayServer {
  /** `http://host:port` or `https://host:port`. */
  readonly url: string;
  readonly port: number;
  readonly metrics: RelayMetrics;
  /** Sessions open now. */
  readonly activeSessions: number;
  /**
   * Stops accepting, closes every session with 1001 and resolves once all clients are gone
   * or `shutdownTimeoutMs` passed (stragglers are then dropped).
   */
  shutdown(): Promise<void>;
}

/**
 * Starts the HTTP(S) server with the relay mounted on it (`@rtwire/node`): `GET /v1/realtime`
 * upgrades to a relay session, `/` serves the demo page, `/healthz` and `/metrics` serve
 * operations, anything else is 404. TLS when the config has a cert.
 *
 * @example
 * ```ts
 * const server = await startRelayServer({ config, logger });
 * console.log(server.url);
 * ```
 */
export async function startRelayServer(options: RelayServerOptions): Promise<RelayServer> {
  const { config, logger } = options;
  const handle = (request: IncomingMessage, response: ServerResponse) => {
    if (relay.handleRequest(request, response)) return;
    // Every other path: the host's own answer (404, or 426 for a plain GET of the endpoint).
    const reply = relay.host.respond(request.method ?? 'GET', request.url ?? '/');
    response
      .writeHead(reply.status, reply.headers)
      .end(request.method === 'HEAD' ? '' : reply.body);
  };
  const server: Server =
    config.tlsCert !== undefined && config.tlsKey !== undefined
      ? createHttpsServer({ cert: readPem(config.tlsCert), key: readPem(config.tlsKey) }, handle)
      : createHttpServer(handle);
  const relay = mountRelay(server, {
    config,
    logger,
    ownsUpgrades: true,
    demoPage: true,
    ...(options.connectUpstream ? { connectUpstream: options.connectUpstream } : {}),
    policy: options.policy,
    ...(options.toolHandlers ? { toolHandlers: options.toolHandlers } : {}),
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const hostname = config.host.includes(':') ? `[${config.host}]` : config.host;
  const url = `${config.tlsCert !== undefined ? 'https' : 'http'}://${hostname}:${port}`;

  let stopped = false;
  return {
    url,
    port,
    metrics: relay.metrics,
    get activeSessions() {
      return relay.activeSessions;
    },
    async shutdown() {
      if (stopped) return;
      stopped = true;
      server.close();
      server.closeIdleConnections();
      await relay.close();
      server.closeAllConnections();
      logger.log('info', 'relay.stopped', {});
    },
  };
}
