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
  admitRequest,
  CloseCode,
  createSimulatorConnector,
  DEMO_PAGE_HTML,
  PROMETHEUS_CONTENT_TYPE,
  REALTIME_PATH,
  type RelayConfig,
  type RelayLogger,
  RelayMetrics,
  type RelaySession,
  renderPrometheus,
  startRelaySession,
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
  const metrics = new RelayMetrics();
  const connectUpstream =
    options.connectUpstream ??
    (config.upstreamUrl
      ? createWsUpstreamConnector({
          url: config.upstreamUrl,
          apiKey: config.upstreamApiKey,
          maxFrameBytes: config.maxFrameBytes,
        })
      : createSimulatorConnector({ pace: config.simulatorPace }));
  const sessions = new Set<RelaySession>();
  const clients = new Set<WebSocket>();
  const protocols = new WeakMap<IncomingMessage, string>();
  let draining = false;
  // Upgrades admitted but not yet sessions count against MAX_SESSIONS too.
  let upgrading = 0;

  const wss = new WebSocketServer({
    noServer: true,
    perMessageDeflate: false,
    maxPayload: config.maxFrameBytes,
    clientTracking: false,
    // The relay decodes every client frame with a fatal UTF-8 decoder; checking twice costs.
    skipUTF8Validation: true,
    handleProtocols: (_offered, request) => protocols.get(request) ?? false,
  });

  const handleRequest = (request: IncomingMessage, response: ServerResponse) => {
    const path = new URL(request.url ?? '/', 'http://relay.invalid').pathname;
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD' }).end();
    } else if (path === '/') {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(DEMO_PAGE_HTML);
    } else if (path === '/healthz') {
      response
        .writeHead(draining ? 503 : 200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ status: draining ? 'draining' : 'ok', sessions: sessions.size }));
    } else if (path === '/metrics') {
      response
        .writeHead(200, { 'content-type': PROMETHEUS_CONTENT_TYPE })
        .end(renderPrometheus(metrics));
    } else if (path === REALTIME_PATH) {
      response
        .writeHead(426, { upgrade: 'websocket', 'content-type': 'text/plain' })
        .end('Upgrade required\n');
    } else {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('Not found\n');
    }
  };

  const handleUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const decision = admitRequest(
      {
        url: request.url ?? '/',
        headers: { get: (name) => headerValue(request, name) },
        activeSessions: sessions.size + upgrading,
        draining,
      },
      config,
    );
    if (!decision.ok) {
      metrics.countRejection(decision.code);
      logger.log('info', 'upgrade.rejected', { status: decision.status, code: decision.code });
      rejectUpgrade(socket, decision.status, decision.message);
      return;
    }
    if (decision.protocol !== undefined) protocols.set(request, decision.protocol);
    // ws drops a malformed handshake without calling back; the socket closing settles it then.
    upgrading++;
    let settled = false;
    const settle = () => {
      if (settled) return;
      settled = true;
      upgrading--;
    };
    socket.once('close', settle);
    wss.handleUpgrade(request, socket, head, (ws) => {
      settle();
      clients.add(ws);
      ws.once('close', () => clients.delete(ws));
      const session = startRelaySession({
        client: wsDuplexSocket(ws, socket),
        connectUpstream,
        model: decision.model,
        limits: config,
        metrics,
        logger,
      });
      logger.log('info', 'session.open', { session: session.id, model: decision.model });
      sessions.add(session);
      void session.done.then(() => sessions.delete(session));
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
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  const url = `${config.tlsCert !== undefined ? 'https' : 'http'}://${host}:${port}`;

  return {
    url,
    port,
    metrics,
    get activeSessions() {
      return sessions.size;
    },
    async shutdown() {
      if (draining) return;
      draining = true;
      logger.log('info', 'relay.draining', { sessions: sessions.size });
      server.close();
      server.closeIdleConnections();
      for (const session of [...sessions])
        session.close(CloseCode.goingAway, 'server shutting down');
      const deadline = Date.now() + config.shutdownTimeoutMs;
      while (clients.size > 0 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
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
