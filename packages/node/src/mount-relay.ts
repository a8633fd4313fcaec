import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import {
  createRelayFromEnv,
  createRelayHost,
  type DuplexSocket,
  type HttpReply,
  hangupCallId,
  type PendingSession,
  type RelayHost,
  type RelayHostOptions,
  type RelayMetrics,
  routeCallHangup,
  sessionKindOf,
} from '@rtwire/relay';
import { type WebSocket, WebSocketServer } from 'ws';
import { type CallServer, createCallServer, type WebRtcStack } from './calls/call-server.ts';
import { createNodeRuntime } from './node-runtime.ts';
import { rejectUpgrade } from './reject-upgrade.ts';
import { dialRoutedSideband, pipeSockets } from './routed-sideband.ts';
import { toWebRequest } from './web-request.ts';
import { createWsDuplexSocket } from './ws-duplex-socket.ts';

/**
 * Options of {@link mountRelay}: the relay as `loadRelayFromEnv` (or `createRelayFromEnv`)
 * assembled it, handed on whole, and how it shares the server.
 */
export interface MountRelayOptions extends Partial<RelayHostOptions> {
  /**
   * Whether the relay owns every upgrade on this server: an upgrade to another path is then
   * refused with 404. Default: it takes `/v1/realtime` and `/v1/realtime/translations` only and leaves other upgrades to the
   * server's other `upgrade` listeners (socket.io, your own `ws` server).
   */
  readonly ownsUpgrades?: boolean;
  /**
   * Whether {@link MountedRelay.handleRequest} serves the relay's console at `/` (default
   * `false`: the root of your server stays yours).
   */
  readonly console?: boolean;
  /**
   * A WebRTC stack to serve calls with: `POST /v1/realtime/calls` (and `…/{call_id}/hangup`)
   * answered by {@link MountedRelay.handleRequest}, and sidebands at `/v1/realtime?call_id=`.
   * Absent: no calls (those paths get 404).
   */
  readonly calls?: WebRtcStack;
}

/** A relay mounted on a Node HTTP(S) server. */
export interface MountedRelay {
  /** The runtime-neutral host: admission, sessions, metrics, draining. */
  readonly host: RelayHost;
  readonly metrics: RelayMetrics;
  /** Sessions open now (calls included). */
  readonly activeSessions: number;
  /** Calls in progress (each is also a session); 0 without `calls`. */
  readonly activeCalls: number;
  /**
   * Answers the relay's own HTTP routes (with `calls`, `/v1/realtime/calls` and its hangup) (`/healthz`, `/metrics`, a plain request to
   * `/v1/realtime` with 426 Upgrade Required as the app does, and the console at `/` with
   * `console`) and returns `true`; returns `false`, touching nothing, for any other path, so
   * your app answers it.
   */
  handleRequest(request: IncomingMessage, response: ServerResponse): boolean;
  /**
   * Answers any request as the relay's own server does: its routes, 404 for every other
   * path. For a server that is only the relay.
   */
  respond(request: IncomingMessage, response: ServerResponse): void;
  /**
   * Stops taking sessions, closes every one with 1001 (going away) and resolves once all are
   * gone or `config.shutdownTimeoutMs` passed (stragglers are then dropped), and the usage
   * store's last calls are done (its connection closed). The server itself is yours to close.
   */
  close(): Promise<void>;
}

/**
 * Mounts the Realtime relay on an existing `http.Server` or `https.Server` (and so on express,
 * fastify or hono's Node server, which run on one): WebSocket upgrades to `/v1/realtime`
 * become relay sessions, with the official SDKs' handshake (subprotocols, bearer tokens),
 * admission, limits, heartbeats and metrics of `@rtwire/relay`. Frames stay text frames.
 * Mount what `loadRelayFromEnv` returns (`mountRelay(server, relay)`); with no relay, every
 * default, on the simulator.
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
  const host = createRelayHost(relayOf(options));
  const { config } = host;
  const clients = new Set<WebSocket>();
  const admissions = new WeakMap<IncomingMessage, PendingSession>();
  const wss = new WebSocketServer({
    noServer: true,
    perMessageDeflate: false,
    maxPayload: config.maxFrameBytes,
    clientTracking: false,
    // The relay decodes every client frame with a fatal UTF-8 decoder; checking twice costs.
    skipUTF8Validation: true,
    // A sideband is no admission of its own: it gets `realtime` when it offers it, as SDKs do.
    handleProtocols: (offered, request) =>
      admissions.get(request)?.protocol ?? (offered.has('realtime') ? 'realtime' : false),
  });

  const calls: CallServer | undefined =
    options.calls === undefined ? undefined : createCallServer({ host, stack: options.calls });

  /** Completes an admitted upgrade and hands the WebSocket, as a relay socket, to `open`. */
  const accept = (
    request: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    open: (client: DuplexSocket) => void,
  ) => {
    wss.handleUpgrade(request, socket, head, (ws) => {
      clients.add(ws);
      ws.once('close', () => clients.delete(ws));
      open(
        createWsDuplexSocket(ws, socket, {
          heartbeatIntervalMs: config.heartbeatIntervalMs,
          messageTimeoutMs: config.messageTimeoutMs,
        }),
      );
    });
  };

  /** Whether this instance holds the call: one its engine serves, or one it forwards. */
  const heldHere = (callId: string) => calls?.holds(callId) === true || host.holdsCall(callId);

  /** Answers a sideband for a call this instance holds, or 404 (with 401 for a bad credential). */
  const attachHere = (request: IncomingMessage, socket: Duplex, head: Buffer, callId: string) => {
    // The engine's calls are this server's; a network upstream's, the host's (forwarded).
    const admitted =
      calls !== undefined
        ? calls.admitSideband(callId, headersOf(request))
        : host.attachCallSideband(callId, headersOf(request));
    if (!('open' in admitted)) {
      rejectUpgrade(socket, {
        status: admitted.status,
        headers: { 'content-type': 'text/plain; charset=utf-8' },
        body: `${admitted.message}\n`,
      });
      return;
    }
    accept(request, socket, head, admitted.open);
  };

  /** A sideband for a call another instance holds: piped to it, with the caller's credential. */
  const passSidebandOn = async (
    request: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    callId: string,
  ) => {
    const headers = headersOf(request);
    const credential = await host.authenticate(headers);
    // Only a server credential gets a sideband; anything else is answered here, as it would be there.
    const base =
      credential.ok && !credential.clientSecret
        ? await host.locateCall(callId, headers)
        : undefined;
    if (base === undefined || socket.destroyed) {
      if (!socket.destroyed) attachHere(request, socket, head, callId);
      return;
    }
    // A handshake ws would refuse must not open a connection to the other instance first.
    if (!upgradeLooksValid(request)) {
      attachHere(request, socket, head, callId);
      return;
    }
    const routed = await dialRoutedSideband({
      base,
      callId,
      headers,
      maxFrameBytes: config.maxFrameBytes,
      heartbeatIntervalMs: config.heartbeatIntervalMs,
      messageTimeoutMs: config.messageTimeoutMs,
    });
    host.metrics.countCallRouted(
      'sideband',
      routed.ok ? 'ok' : routed.status === 502 ? 'unreachable' : 'refused',
    );
    if (!routed.ok) {
      rejectUpgrade(socket, {
        status: routed.status,
        headers: { 'content-type': 'text/plain; charset=utf-8' },
        body: `${routed.message}\n`,
      });
      return;
    }
    if (socket.destroyed) {
      routed.socket.close(1001, 'caller left');
      return;
    }
    // Until the caller's upgrade completes, its leaving (or an upgrade ws never completes)
    // closes the other side too.
    const callerLeft = () => {
      clearTimeout(stalled);
      routed.socket.close(1001, 'caller left');
    };
    const stalled = setTimeout(() => {
      callerLeft();
      socket.destroy();
    }, UPGRADE_STALL_MS);
    socket.once('close', callerLeft);
    accept(request, socket, head, (client) => {
      clearTimeout(stalled);
      socket.off('close', callerLeft);
      pipeSockets(client, routed.socket, config.highWaterBytes);
    });
  };

  const onSideband = (request: IncomingMessage, socket: Duplex, head: Buffer, callId: string) => {
    if (heldHere(callId) || host.callDirectory === undefined) {
      attachHere(request, socket, head, callId);
      return;
    }
    passSidebandOn(request, socket, head, callId).catch(() => socket.destroy());
  };

  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (options.ownsUpgrades !== true && sessionKindOf(pathOf(request)) === undefined) return;
    socket.on('error', () => socket.destroy());
    const callId =
      calls === undefined && config.upstreamUrl === undefined ? null : callIdOf(request);
    if (callId !== null) {
      onSideband(request, socket, head, callId);
      return;
    }
    // Admission may wait (a client secret is opened with WebCrypto); the client may leave.
    host
      .admit({ url: request.url ?? '/', headers: headersOf(request) })
      .then((admission) => {
        if (!admission.ok) {
          rejectUpgrade(socket, admission.reply);
          return;
        }
        if (socket.destroyed) {
          admission.cancel();
          return;
        }
        admissions.set(request, admission);
        // ws drops a malformed handshake without calling back; the socket closing cancels it.
        socket.once('close', () => admission.cancel());
        accept(request, socket, head, (client) => admission.open(client));
      })
      .catch(() => socket.destroy());
  };
  server.on('upgrade', onUpgrade);

  const respond = (request: IncomingMessage, response: ServerResponse) => {
    const route = host.routeOf(pathOf(request));
    const forwardsCall =
      route === 'calls' && (request.method === 'POST' || request.method === 'OPTIONS');
    if ((request.method === 'POST' && route === 'client_secrets') || forwardsCall) {
      const web = toWebRequest(request);
      (forwardsCall ? host.handleCall(web) : host.mintClientSecret(web))
        .then((reply) => writeReply(request, response, reply))
        .catch(() => {
          if (!response.headersSent) response.writeHead(500).end();
        });
      return;
    }
    writeReply(
      request,
      response,
      host.respond(request.method ?? 'GET', request.url ?? '/', headersOf(request)),
    );
  };

  /**
   * A hangup for a call another instance holds, passed on to it: `true` when this takes the
   * request (it answers asynchronously); `false` for a request to answer here.
   */
  const routedHangup = (request: IncomingMessage, response: ServerResponse): boolean => {
    if (host.callDirectory === undefined || request.method !== 'POST') return false;
    const path = pathOf(request);
    const callId = hangupCallId(path);
    if (callId === undefined || heldHere(callId)) {
      return false;
    }
    // Only where this relay takes calls: the engine's (a stack) or a network upstream's.
    if (calls === undefined && host.routeOf(path) !== 'calls') return false;
    const headers = headersOf(request);
    host
      .authenticate(headers)
      // Only a server credential's hangup is passed on; anything else is answered here.
      .then((credential) =>
        credential.ok && !credential.clientSecret ? host.locateCall(callId, headers) : undefined,
      )
      .then(async (base) => {
        if (base === undefined) {
          if (calls?.handleRequest(request, response) !== true) respond(request, response);
          return;
        }
        request.resume();
        const reply = await routeCallHangup(base, path, headers);
        host.metrics.countCallRouted(
          'hangup',
          reply.status === 502 ? 'unreachable' : reply.status < 400 ? 'ok' : 'refused',
        );
        writeReply(request, response, reply);
      })
      .catch(() => {
        if (!response.headersSent) response.writeHead(500).end();
      });
    return true;
  };

  return {
    host,
    metrics: host.metrics,
    get activeSessions() {
      return host.activeSessions;
    },
    get activeCalls() {
      return (calls?.activeCalls ?? 0) + host.activeCalls;
    },
    handleRequest(request, response) {
      if (routedHangup(request, response)) return true;
      if (calls?.handleRequest(request, response) === true) return true;
      const route = host.routeOf(pathOf(request));
      if (route === undefined || (route === 'console' && options.console !== true)) return false;
      respond(request, response);
      return true;
    },
    respond: (request, response) => {
      if (routedHangup(request, response)) return;
      if (calls?.handleRequest(request, response) !== true) respond(request, response);
    },
    async close() {
      server.off('upgrade', onUpgrade);
      if (host.draining) return;
      host.drain();
      await calls?.close();
      await host.idle(config.shutdownTimeoutMs);
      for (const ws of clients) ws.terminate();
      await host.close();
    },
  };
}

/** The one place a reply of the relay's is written to a Node `ServerResponse`. */
function writeReply(request: IncomingMessage, response: ServerResponse, reply: HttpReply): void {
  response.writeHead(reply.status, reply.headers).end(request.method === 'HEAD' ? '' : reply.body);
}

/**
 * The relay a mount runs: the one given, or, with none, what `createRelayFromEnv` makes of an
 * empty environment (every default, the simulator) logging nowhere.
 */
function relayOf(options: MountRelayOptions): RelayHostOptions {
  const { config, connectUpstream } = options;
  if (config !== undefined && connectUpstream !== undefined)
    return { ...options, config, connectUpstream };
  if (config !== undefined || connectUpstream !== undefined) {
    throw new TypeError(
      'mountRelay: pass config and connectUpstream together (mount what loadRelayFromEnv returns), or neither for the defaults',
    );
  }
  const defaults = createRelayFromEnv({}, createNodeRuntime({ write: () => {} }));
  // The defaults always parse; this is for the type.
  if (!defaults.ok) throw new TypeError('mountRelay: the default relay config did not parse');
  return {
    ...defaults,
    ...options,
    config: defaults.config,
    connectUpstream: defaults.connectUpstream,
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

/** How long a caller's upgrade may take to complete once its sideband's other side is open. */
const UPGRADE_STALL_MS = 10_000;

/**
 * Whether an upgrade carries what `ws` needs to complete it (a key of 16 bytes, version 13):
 * checked before a sideband is passed on, since `ws` drops a bad one without a word.
 */
function upgradeLooksValid(request: IncomingMessage): boolean {
  const key = request.headers['sec-websocket-key'];
  return (
    request.headers['sec-websocket-version'] === '13' &&
    typeof key === 'string' &&
    /^[+/0-9A-Za-z]{22}==$/.test(key.trim())
  );
}

/** The `call_id` of a sideband upgrade (`/v1/realtime?call_id=…`), or null for a session. */
function callIdOf(request: IncomingMessage): string | null {
  const url = request.url ?? '/';
  if (!url.includes('call_id=')) return null;
  return new URL(url, 'http://relay.invalid').searchParams.get('call_id');
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
