import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { type MountRelayOptions, mountRelay } from '@rtwire/node';
import type { RelayConfig, RelayLogger, RelayMetrics } from '@rtwire/relay';
import { readPem } from './read-pem.ts';

/**
 * The relay to serve, as `loadRelayFromEnv` of `@rtwire/node` assembles it (config, logger,
 * upstream, policy, tool handlers, the WebRTC stack), handed on whole.
 */
export type RelayServerOptions = MountRelayOptions & {
  /** The relay's configuration: where to listen, TLS, the drain's bound. */
  readonly config: RelayConfig;
  /** Where the relay's log lines go. */
  readonly logger: RelayLogger;
};

/** A listening relay. */
export interface RelayServer {
  /** `http://host:port` or `https://host:port`. */
  readonly url: string;
  /** The port it listens on (the one the system chose for `PORT=0`). */
  readonly port: number;
  /** The relay's counters, as `/metrics` serves them. */
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
 * upgrades to a relay session, `/` serves the console, `/healthz` and `/metrics` serve
 * operations, anything else is 404. TLS when the config has a cert. Rejects when it cannot
 * listen (`listenFailureMessage` of `@rtwire/relay/app` says why in one line).
 *
 * @example
 * ```ts
 * const relay = await loadRelayFromEnv(process.env);
 * if (relay.ok) console.log((await startRelayServer(relay)).url); // http://127.0.0.1:8787
 * ```
 */
export async function startRelayServer(options: RelayServerOptions): Promise<RelayServer> {
  const { config, logger } = options;
  // This server is only the relay: every request gets the relay's answer (404 off its routes).
  const handle = (request: IncomingMessage, response: ServerResponse) =>
    relay.respond(request, response);
  const server: Server =
    config.tlsCert !== undefined && config.tlsKey !== undefined
      ? createHttpsServer({ cert: readPem(config.tlsCert), key: readPem(config.tlsKey) }, handle)
      : createHttpServer(handle);
  const relay = mountRelay(server, { ...options, ownsUpgrades: true, console: true });
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
