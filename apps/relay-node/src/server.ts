import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import {
  createRelayHost,
  createSimulatorConnector,
  type PendingSession,
  type RelayConfig,
  type RelayLogger,
  type RelayMetrics,
  type UpstreamConnector,
} from '@rtwire/relay';
import { type WebSocket, WebSocketServer } from 'ws';
import { readPem } from './read-pem.ts';
import { rejectUpgrade } from './reject-upgrade.ts';
import { wsDuplexSocket } from './ws-adapter.ts';
import { createWsUpstreamConnector } from './ws-upstream-connector.ts';

/** Options of {@link startRelayServer}. */
export interface RelayServerOptions {
  readonly config: RelayConfig;
  readonly logger: RelayLogger;
  /** Overrides the upstream chosen from the config (tests, embedding). */
  readonly connectUpstream?: UpstreamConnector;
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
 * Starts the HTTP(S) server: `GET /v1/realtime` upgrades to a relay session, `/` serves the
 * demo page, `/healthz` and `/metrics` serve operations. TLS when the config has a cert.
 *
 * @example
 * ```ts
 * const server = await startRelayServer({ config, logger });
 * console.log(server.url);
 * ```
 */
export async function startRelayServer(options: RelayServerOptions): Promise<RelayServer> {
  const { config, logger } = options;
  const connectUpstream =
    options.connectUpstream ??
    (config.upstreamUrl
      ? createWsUpstreamConnector({
          url: config.upstreamUrl,
          apiKey: config.upstreamApiKey,
          maxFrameBytes: config.maxFrameBytes,
          handshakeTimeoutMs: config.upstreamHandshakeTimeoutMs,
        })
      : createSimulatorConnector({
          pace: config.simulatorPace,
          maxQueuedBytes: config.hardLimitBytes,
        }));
  const host = createRelayHost({ config, connectUpstream, logger });
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

  const handleRequest = (request: IncomingMessage, response: ServerResponse) => {
    const reply = host.respond(request.method ?? 'GET', request.url ?? '/', {
      get: (name) => headerValue(request, name),
    });
    response
      .writeHead(reply.status, reply.headers)
      .end(request.method === 'HEAD' ? '' : reply.body);
  };

  const handleUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const admission = host.admit({
      url: request.url ?? '/',
      headers: { get: (name) => headerValue(request, name) },
    });
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
        wsDuplexSocket(ws, socket, {
          heartbeatIntervalMs: config.heartbeatIntervalMs,
          messageTimeoutMs: config.messageTimeoutMs,
        }),
      );
    });
  };

  const server: Server =
    config.tlsCert !== undefined && config.tlsKey !== undefined
      ? createHttpsServer(
          { cert: readPem(config.tlsCert), key: readPem(config.tlsKey) },
          handleRequest,
        )
      : createHttpServer(handleRequest);
  server.on('upgrade', handleUpgrade);
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

  return {
    url,
    port,
    metrics: host.metrics,
    get activeSessions() {
      return host.activeSessions;
    },
    async shutdown() {
      if (host.draining) return;
      server.close();
      server.closeIdleConnections();
      host.drain();
      await host.idle(config.shutdownTimeoutMs);
      for (const ws of clients) ws.terminate();
      server.closeAllConnections();
      logger.log('info', 'relay.stopped', {});
    },
  };
}

function headerValue(request: IncomingMessage, name: string): string | null {
  const value = request.headers[name.toLowerCase()];
  if (value === undefined) return null;
  return Array.isArray(value) ? value.join(', ') : value;
}
