import { type ClientEventInput, encodeClientEvent } from '@rtwire/serializer';
import { RtwireError } from '@rtwire/types';
import { betaProtocolSession } from '../beta-protocol/beta-handshake.ts';
import type { CallDirectory } from '../calls/call-directory.ts';
import type { CallEnd } from '../calls/call-end.ts';
import { ROUTED_HEADER } from '../calls/call-routing.ts';
import { createForwardedCalls, type ForwardedCalls } from '../calls/forwarded-calls.ts';
import { ClientSecretKeys } from '../client-secrets/client-secret-token.ts';
import { CLIENT_SECRETS_PATH, mintClientSecret } from '../client-secrets/mint-client-secret.ts';
import {
  isSealedTranslationSession,
  TRANSLATION_CLIENT_SECRETS_PATH,
} from '../client-secrets/translation-secret-session.ts';
import type { RelayConfig } from '../config/relay-config.ts';
import type { JsonObject } from '../json-object.ts';
import { MemoryUsageStore } from '../metering/memory-usage-store.ts';
import { meterCaps, priceFor } from '../metering/meter-caps.ts';
import { OpeningContext } from '../metering/opening-context.ts';
import type { UsageSink } from '../metering/usage-record.ts';
import type { Exhausted, SessionLease, UsageStore } from '../metering/usage-store.ts';
import { watchUsageStore } from '../metering/watched-usage-store.ts';
import {
  createNeverThrowingLogger,
  type RelayLogger,
  silentLogger,
} from '../observe/relay-logger.ts';
import { RelayMetrics } from '../observe/relay-metrics.ts';
import { PROMETHEUS_CONTENT_TYPE, renderPrometheus } from '../observe/render-prometheus.ts';
import { policyForTenant, type RelayPolicy, type TenantPolicy } from '../policy/relay-policy.ts';
import { createHttpToolHandler, type ServerToolHandler } from '../policy/server-tools.ts';
import { type RelaySession, startRelaySession } from '../relay-session.ts';
import { CloseCode, CloseReason } from '../session/close-codes.ts';
import { describeFault } from '../session/fault-log.ts';
import { sessionBudgetBytes } from '../session/session-budget.ts';
import type { DuplexSocket } from '../sockets/duplex-socket.ts';
import { withFirstClientEvent } from '../sockets/with-first-client-event.ts';
import type { SessionKind, UpstreamConnector } from '../upstream/upstream-connector.ts';
import {
  type AdmissionDecision,
  admitRequest,
  REALTIME_PATH,
  TRANSLATIONS_PATH,
} from './admission.ts';
import { overBufferBudget } from './buffer-budget.ts';
import { CONSOLE_PATHS, consoleReply } from './console-page.ts';
import { constantTimeEqual } from './constant-time-equal.ts';
import { type HttpReply, textReply } from './http-reply.ts';
import { authenticateCredential, type RelayCredential } from './relay-credential.ts';

/** The handler of each server tool of a tenant's policy, made once per policy. */
function createToolHandlerCache(
  modules: Readonly<Record<string, ServerToolHandler>>,
): (rules: TenantPolicy) => ReadonlyMap<string, ServerToolHandler> {
  const cache = new WeakMap<TenantPolicy, Map<string, ServerToolHandler>>();
  return (rules) => {
    let handlers = cache.get(rules);
    if (handlers === undefined) {
      handlers = new Map();
      for (const tool of rules.serverTools) {
        const handler = tool.url !== undefined ? createHttpToolHandler(tool) : modules[tool.name];
        if (handler !== undefined) handlers.set(tool.name, handler);
      }
      cache.set(rules, handlers);
    }
    return handlers;
  };
}

/** Options of {@link createRelayHost}. */
export interface RelayHostOptions {
  readonly config: RelayConfig;
  /** Opens the upstream of each session (simulator or a network endpoint). */
  readonly connectUpstream: UpstreamConnector;
  readonly logger?: RelayLogger;
  /** Counters to report on `/metrics` (default: a new set). */
  readonly metrics?: RelayMetrics;
  /** What each tenant's sessions may do, and the server tools they get (`RELAY_POLICY`). */
  readonly policy?: RelayPolicy | undefined;
  /**
   * Handlers of the server tools declared with `"module": true`, by tool name (on Node, the
   * exports of `RELAY_TOOLS_MODULE`). Tools with a `url` get an HTTP handler.
   */
  readonly toolHandlers?: Readonly<Record<string, ServerToolHandler>>;
  /**
   * Told when a call forwarded to the upstream ends, however it ended (a hangup, the browser
   * gone, a time limit, a shutdown), as soon as the relay's session for it closes. A throw
   * is logged, never passed on.
   */
  readonly onCallEnd?: (call: CallEnd) => void;
  /**
   * Makes the relay's id of each call it forwards (default `rtc_` and 32 random hex digits);
   * at most 128 of `[A-Za-z0-9_-]`. For hosts that route a call's later requests by its id:
   * the Workers adapter names the Durable Object that holds the call.
   */
  readonly newCallId?: () => string;
  /**
   * Which instance holds each call, for relays behind a load balancer (`createCallDirectory`;
   * `RELAY_INSTANCE_URL` with `REDIS_URL`): call ids name the instance, and a sideband or a
   * hangup for a call another instance holds is passed on to it (`locateCall`). Its ids are
   * used unless `newCallId` is given.
   */
  readonly callDirectory?: CallDirectory;
  /**
   * Where tenants' usage and open sessions are counted for their `limits` (default: in this
   * process, `MemoryUsageStore`). A store several relays share makes the limits hold across
   * them.
   */
  readonly usageStore?: UsageStore;
  /**
   * What metering does when the store cannot answer (default: `config.meterStoreFailure`,
   * `METER_STORE_FAILURE`): `open` admits and lets responses through unmetered, `closed`
   * refuses them (503 `usage_store_unavailable`, an `error` of that code).
   */
  readonly usageStoreFailure?: 'open' | 'closed';
  /**
   * Where usage records (one per response, one per session) go besides the log: a batched
   * HTTP POST, a Redis stream (`createHttpUsageSink`, `createRedisStreamUsageSink`), yours.
   */
  readonly usageSink?: UsageSink | undefined;
}

/** The relay's status routes: health for load balancers, metrics for Prometheus. */
const STATUS_PATHS: ReadonlySet<string> = new Set(['/healthz', '/metrics']);

/**
 * What a path of the relay's is: the realtime endpoint, a status route (`/healthz`,
 * `/metrics`) or a file of the console (`/` and its assets).
 */
export type RelayRoute = 'realtime' | 'status' | 'console' | 'client_secrets' | 'calls';

/** An admitted upgrade: open it with the upgraded socket, or cancel it if the upgrade failed. */
export interface PendingSession {
  readonly ok: true;
  /** The `model` query parameter, passed upstream. */
  readonly model: string | undefined;
  /** The `intent` query parameter, passed upstream. */
  readonly intent: string | undefined;
  /** The subprotocol to select in the handshake response. */
  readonly protocol: string | undefined;
  /** The kind of session (`/v1/realtime/translations`: a translation session). */
  readonly kind: SessionKind;
  /**
   * Starts the session on the upgraded client socket. With `upstreamCallId`, the session is
   * the sideband of a call the upstream holds: it attaches to `?call_id=` and never resumes
   * (the call's conversation lives upstream).
   */
  open(client: DuplexSocket, options?: { readonly upstreamCallId?: string }): RelaySession;
  /** Gives the reserved slot back (the handshake failed or the client left). */
  cancel(): void;
}

/**
 * What {@link RelayHost.admit} answers: a pending session, or a refusal with the HTTP reply
 * to refuse the upgrade with.
 */
export type Admission =
  | PendingSession
  | (Extract<AdmissionDecision, { ok: false }> & { readonly reply: HttpReply });

/**
 * Everything a relay server does that does not depend on its runtime: the HTTP routes
 * (the console at `/`, `/healthz`, `/metrics`), admission of upgrades (auth, origin, capacity,
 * draining, with slots reserved during the handshake), the set of live sessions, metrics,
 * and graceful draining. The Node app and the edge worker are thin adapters around it.
 *
 * @example
 * ```ts
 * const host = createRelayHost({ config, connectUpstream: createSimulatorConnector() });
 * const admission = host.admit({ url: request.url, headers: request.headers });
 * if (admission.ok) admission.open(createWebSocketDuplex(socket));
 * ```
 */
export interface RelayHost {
  readonly config: RelayConfig;
  readonly metrics: RelayMetrics;
  /** Sessions open now. */
  readonly activeSessions: number;
  /** True once {@link drain} was called: new upgrades get 503, `/healthz` says so. */
  readonly draining: boolean;
  /**
   * The answer to a plain (non-upgrade) HTTP request. `headers` are read for `/metrics` when
   * `METRICS_TOKEN` is set (a bearer token in `Authorization`).
   */
  respond(method: string, url: string, headers?: { get(name: string): string | null }): HttpReply;
  /** Which of the relay's routes a path is, or `undefined` for a path it answers with 404. */
  routeOf(path: string): RelayRoute | undefined;
  /**
   * Who a request is: a relay token's tenant, or a client secret's (with the session it
   * seals), or why neither, with the 401's line.
   */
  authenticate(headers: { get(name: string): string | null }): Promise<RelayCredential>;
  /**
   * Decides on an upgrade request (or a call); an admitted one holds a session slot until
   * opened or cancelled. `credential`, when the caller already authenticated the request, is
   * not checked again. A session opened with a client secret starts with the session it seals.
   */
  admit(request: {
    readonly url: string;
    readonly headers: { get(name: string): string | null };
    readonly credential?: RelayCredential & { readonly ok: true };
  }): Promise<Admission>;
  /**
   * Answers `POST /v1/realtime/client_secrets`: a relay token's holder gets a client secret
   * sealed by the relay, for the session it asks for as the tenant's policy allows.
   */
  mintClientSecret(request: Request): Promise<HttpReply>;
  /**
   * With a network upstream (`UPSTREAM_URL`), answers `POST /v1/realtime/calls`, its hangup
   * and their preflights by forwarding the call upstream (see `createForwardedCalls`); 404
   * without one (a relay on the engine serves calls in `@rtwire/node`).
   */
  handleCall(request: Request): Promise<HttpReply>;
  /**
   * Where a server sideband (`/v1/realtime?call_id=…`) of a forwarded call goes: the HTTP
   * status to refuse the upgrade with, or `open` for the upgraded socket.
   */
  attachCallSideband(
    callId: string,
    headers: { get(name: string): string | null },
  ):
    | { readonly status: number; readonly message: string }
    | { readonly open: (socket: DuplexSocket) => void };
  /** Forwarded calls in progress (each is also a session). */
  readonly activeCalls: number;
  /** Which instance holds each call (`RelayHostOptions.callDirectory`), if any. */
  readonly callDirectory: CallDirectory | undefined;
  /** Whether this relay forwards the call `callId` now. */
  holdsCall(callId: string): boolean;
  /**
   * Where the other instance that holds `callId` answers, to pass its sideband or hangup on to;
   * `undefined` with no directory, for a request another instance already passed on (it is
   * answered here), or when no live instance holds it.
   */
  locateCall(
    callId: string,
    headers: { get(name: string): string | null },
  ): Promise<URL | undefined>;
  /**
   * Whether the client secrets' key was made at start (no `CLIENT_SECRET_KEYS`): its secrets do
   * not outlive the process, nor work on another instance.
   */
  readonly clientSecretKeyMadeAtStart: boolean;
  /** Stops admitting and closes every session with 1001 (going away). */
  drain(): void;
  /** Resolves once no session is left, or after `timeoutMs`. */
  idle(timeoutMs: number): Promise<void>;
  /**
   * After {@link idle}: lets the usage store's calls in flight finish (the sessions' last
   * settlements) and closes the store, and sends what the usage sink still holds.
   */
  close(): Promise<void>;
}

/** A session that failed to start: its client closed with 1011, its `done` resolved. */
function failedSession(client: DuplexSocket, error: unknown, logger: RelayLogger): RelaySession {
  logger.log('error', 'session.start_failed', describeFault(error));
  try {
    client.close(CloseCode.internalError, 'internal error');
  } catch {
    // Nothing else can be done for this client; the socket's own close ends it.
  }
  return {
    id: 'failed',
    done: Promise.resolve(CloseCode.internalError),
    bufferedBytes: 0,
    lastClientFrameAt: 0,
    close() {},
  };
}

/** How often sessions are looked over: the buffer budget, and clients idle past their limit. */
const SWEEP_MS = 100;

/**
 * Creates a {@link RelayHost}.
 *
 * @example
 * ```ts
 * const host = createRelayHost({ config, connectUpstream: createSimulatorConnector(), logger });
 * ```
 */
export function createRelayHost(options: RelayHostOptions): RelayHost {
  const { config, connectUpstream } = options;
  const handlersFor = createToolHandlerCache(options.toolHandlers ?? {});
  const logger = createNeverThrowingLogger(options.logger ?? silentLogger);
  const metrics = options.metrics ?? new RelayMetrics();
  const sessions = new Set<RelaySession>();
  let reserved = 0;
  let draining = false;
  let sweepTimer: ReturnType<typeof setInterval> | undefined;

  const closeIdleClients = () => {
    if (config.clientIdleTimeoutMs === 0) return;
    const cutoff = Date.now() - config.clientIdleTimeoutMs;
    for (const session of sessions) {
      if (session.lastClientFrameAt >= cutoff) continue;
      logger.log('info', 'session.client_idle', { session: session.id });
      session.close(CloseCode.normal, 'client idle for too long');
    }
  };
  const sweep = () => {
    closeIdleClients();
    const { total, over } = overBufferBudget(
      sessions,
      config.maxBufferedBytes,
      sessionBudgetBytes(config),
    );
    metrics.bufferedBytes = total;
    if (over.length === 0) return;
    logger.log('warn', 'relay.buffer_budget_exceeded', {
      bufferedBytes: total,
      budget: config.maxBufferedBytes,
      sessionBudget: sessionBudgetBytes(config),
      closing: over.length,
    });
    for (const session of over) {
      metrics.countError('buffer_budget_exceeded');
      session.close(CloseCode.tryAgainLater, 'relay buffer budget exceeded');
    }
  };
  // The sweep runs only while there are sessions, so a host with none keeps no timer alive.
  const watchSessions = () => {
    if (sessions.size > 0 && sweepTimer === undefined) {
      sweepTimer = setInterval(sweep, SWEEP_MS);
    } else if (sessions.size === 0 && sweepTimer !== undefined) {
      clearInterval(sweepTimer);
      sweepTimer = undefined;
      metrics.bufferedBytes = 0;
    }
  };
  // Made below, once admit exists: calls forwarded upstream (a network upstream only).
  let forwarded: ForwardedCalls | undefined;
  const routeOf = (path: string): RelayRoute | undefined => {
    if (forwarded?.owns(path) === true) return 'calls';
    if (path === REALTIME_PATH || path === TRANSLATIONS_PATH) return 'realtime';
    if (path === CLIENT_SECRETS_PATH || path === TRANSLATION_CLIENT_SECRETS_PATH) {
      return 'client_secrets';
    }
    if (STATUS_PATHS.has(path)) return 'status';
    return CONSOLE_PATHS.has(path) ? 'console' : undefined;
  };
  // Made on first use: a relay that mints nothing imports no key.
  let keys: Promise<ClientSecretKeys> | undefined;
  const clientSecretKeys = () => {
    keys ??=
      config.clientSecretKeys.length > 0
        ? ClientSecretKeys.fromSecrets(config.clientSecretKeys)
        : ClientSecretKeys.generate();
    return keys;
  };
  /** What each tenant's first responses read, held by its new sessions' first reservations. */
  const openingContext = new OpeningContext();
  const usageStore = watchUsageStore(options.usageStore ?? new MemoryUsageStore(), logger, metrics);
  const onStoreFailure = options.usageStoreFailure ?? config.meterStoreFailure;
  /**
   * A tenant with limits: refused (429, `Retry-After`) when a cap is reached or all its
   * session slots are held, else a slot of its own. A store that cannot answer lets the
   * session in unmetered, with a log line.
   */
  const meterAdmission = async (
    tenant: string | undefined,
    rules: TenantPolicy | undefined,
  ): Promise<
    | { readonly ok: true; readonly lease: SessionLease | undefined }
    | { readonly ok: false; readonly refusal: Admission }
  > => {
    const limits = rules?.limits;
    if (limits === undefined) return { ok: true, lease: undefined };
    const key = tenant ?? '';
    const now = Date.now();
    let refused: Exhausted | undefined;
    try {
      const caps = meterCaps(limits);
      if (caps.length > 0) refused = await usageStore.exhausted(key, caps, now);
      if (refused === undefined) {
        const opened = await usageStore.openSession(key, limits.concurrentSessions, now);
        if (opened.ok) return { ok: true, lease: opened.lease };
        refused = opened;
      }
    } catch {
      // The store's state changes are logged once each by watchUsageStore.
      if (onStoreFailure === 'open') return { ok: true, lease: undefined };
      const message = 'Usage cannot be metered right now';
      metrics.countRejection('usage_store_unavailable');
      logger.log('info', 'upgrade.rejected', { status: 503, code: 'usage_store_unavailable' });
      return {
        ok: false,
        refusal: {
          ok: false,
          status: 503,
          code: 'usage_store_unavailable',
          message,
          reply: textReply(503, message, { 'retry-after': '5' }),
        },
      };
    }
    const code = refused.cap === 'concurrentSessions' ? 'too_many_sessions' : 'quota_exceeded';
    const message =
      code === 'too_many_sessions'
        ? 'This tenant has as many sessions open as it may'
        : 'This tenant has reached a usage limit';
    metrics.countRejection(code);
    logger.log('info', 'upgrade.rejected', { status: 429, code });
    return {
      ok: false,
      refusal: {
        ok: false,
        status: 429,
        code,
        message,
        reply: textReply(429, message, { 'retry-after': String(refused.retryAfterSeconds) }),
      },
    };
  };
  const authenticate = (headers: { get(name: string): string | null }) =>
    authenticateCredential(headers, config, clientSecretKeys, Date.now() / 1000);
  const metricsAllowed = (headers: { get(name: string): string | null } | undefined) => {
    if (config.metricsToken === undefined) return true;
    const match = /^Bearer\s+(\S+)\s*$/i.exec(headers?.get('authorization') ?? '');
    return match?.[1] !== undefined && constantTimeEqual(match[1], config.metricsToken);
  };

  const host: RelayHost = {
    config,
    metrics,
    get activeSessions() {
      return sessions.size;
    },
    get draining() {
      return draining;
    },

    routeOf,

    respond(method, url, headers): HttpReply {
      const path = new URL(url, 'http://relay.invalid').pathname;
      // 404 where nothing exists, whatever the method; 405 only where GET would answer.
      const route = routeOf(path);
      if (route === undefined) return textReply(404, 'Not found');
      // Minted by mintClientSecret, which reads the body; any other method is not allowed.
      if (route === 'client_secrets') return { status: 405, headers: { allow: 'POST' }, body: '' };
      if (route === 'calls') return { status: 405, headers: { allow: 'POST, OPTIONS' }, body: '' };
      if (method !== 'GET' && method !== 'HEAD') {
        return { status: 405, headers: { allow: 'GET, HEAD' }, body: '' };
      }
      const file = consoleReply(path);
      if (file !== undefined) return file;
      if (path === '/healthz') {
        return {
          status: draining ? 503 : 200,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ status: draining ? 'draining' : 'ok', sessions: sessions.size }),
        };
      }
      if (path === '/metrics') {
        if (!metricsAllowed(headers)) {
          return textReply(401, 'Missing or invalid metrics token', {
            'www-authenticate': 'Bearer',
          });
        }
        return {
          status: 200,
          headers: { 'content-type': PROMETHEUS_CONTENT_TYPE },
          body: renderPrometheus(metrics),
        };
      }
      return textReply(426, 'Upgrade required', { upgrade: 'websocket' });
    },

    get clientSecretKeyMadeAtStart() {
      return config.clientSecretKeys.length === 0;
    },

    authenticate,

    async mintClientSecret(request) {
      const credential = await authenticate(request.headers);
      // A browser's secret does not mint more: minting is for the app's server.
      if (!credential.ok || credential.clientSecret) {
        metrics.countRejection('unauthorized');
        return textReply(
          401,
          credential.ok ? 'A client secret cannot mint another' : credential.message,
        );
      }
      const reply = await mintClientSecret(request, {
        keys: await clientSecretKeys(),
        tenant: credential.tenant,
        rules: policyForTenant(options.policy, credential.tenant),
        nowSeconds: Date.now() / 1000,
        kind:
          new URL(request.url).pathname === TRANSLATION_CLIENT_SECRETS_PATH
            ? 'translation'
            : 'realtime',
      });
      logger.log('info', reply.status === 200 ? 'client_secret.minted' : 'client_secret.refused', {
        status: reply.status,
        ...(credential.tenant === undefined ? {} : { tenant: credential.tenant }),
      });
      return reply;
    },

    async handleCall(request) {
      if (forwarded === undefined) return textReply(404, 'Not found');
      return forwarded.handle(request);
    },

    attachCallSideband(callId, headers) {
      return forwarded === undefined
        ? { status: 404, message: 'call_id_not_found' }
        : forwarded.attachSideband(callId, headers);
    },

    get activeCalls() {
      return forwarded?.active ?? 0;
    },

    callDirectory: options.callDirectory,

    holdsCall: (callId) => forwarded?.holds(callId) === true,

    async locateCall(callId, headers) {
      if (options.callDirectory === undefined || headers.get(ROUTED_HEADER) !== null) return;
      return options.callDirectory.locate(callId);
    },

    async admit(request) {
      const credential = request.credential ?? (await authenticate(request.headers));
      const reject = (decision: AdmissionDecision & { ok: false }): Admission => {
        metrics.countRejection(decision.code);
        logger.log('info', 'upgrade.rejected', { status: decision.status, code: decision.code });
        return { ...decision, reply: textReply(decision.status, decision.message) };
      };
      if (!credential.ok) {
        return reject({
          ok: false,
          status: 401,
          code: 'unauthorized',
          message: credential.message,
        });
      }
      const sealed = credential.session;
      const decided = admitRequest(
        {
          url: request.url,
          headers: request.headers,
          // Handshakes in flight count against MAX_SESSIONS too.
          activeSessions: sessions.size + reserved,
          draining,
          credential,
        },
        config,
      );
      // A client secret's session names the model when the URL does not (browsers on WebRTC).
      const decision =
        decided.ok && decided.model === undefined && typeof sealed?.model === 'string'
          ? { ...decided, model: sealed.model }
          : decided;
      const rules = decision.ok ? policyForTenant(options.policy, decision.tenant) : undefined;
      if (
        decision.ok &&
        rules?.models !== undefined &&
        decision.model !== undefined &&
        !rules.models.includes(decision.model)
      ) {
        return reject({
          ok: false,
          status: 403,
          code: 'model_not_allowed',
          message: 'That model is not allowed for this credential',
        });
      }
      if (!decision.ok) return reject(decision);
      // A client secret opens the kind of session it was minted for, and no other.
      if (
        sealed !== undefined &&
        isSealedTranslationSession(sealed) !== (decision.kind === 'translation')
      ) {
        return reject({
          ok: false,
          status: 401,
          code: 'unauthorized',
          message:
            decision.kind === 'translation'
              ? 'This client secret opens a Realtime session, not a translation session'
              : 'This client secret opens a translation session (/v1/realtime/translations)',
        });
      }
      const metered = await meterAdmission(decision.tenant, rules);
      if (!metered.ok) return metered.refusal;
      const lease = metered.lease;
      reserved++;
      // The reserved slot goes back once: when the session opens (it then counts as a session)
      // or when the handshake is given up.
      let released = false;
      const releaseSlot = () => {
        if (released) return false;
        released = true;
        reserved--;
        return true;
      };
      // A beta-protocol client: translated both ways, or its beta events refused
      // (BETA_PROTOCOL). A translation session is GA only, and so is a call
      // (betaProtocolSession translates WebSocket upgrades only). Decided from the headers
      // now: once upgraded, a runtime may no longer read them (Deno's throw "Request closed").
      let opened: RelaySession | undefined;
      const beta =
        decision.kind === 'realtime'
          ? betaProtocolSession(config.betaProtocol, request.headers, (error) =>
              logger.log('error', 'session.beta_protocol_fault', {
                session: opened?.id,
                ...describeFault(error),
              }),
            )
          : undefined;
      return {
        ok: true,
        model: decision.model,
        intent: decision.intent,
        protocol: decision.protocol,
        kind: decision.kind,
        cancel() {
          if (releaseSlot() && lease !== undefined)
            void usageStore.closeSession(lease).catch(() => {});
        },
        open(client, openOptions) {
          if (!releaseSlot())
            throw new RtwireError(
              'admission_used',
              'RelayHost: this admission was already opened or cancelled',
            );
          let session: RelaySession | undefined;
          // A call's sideband is GA only: its client talks to the upstream directly.
          const sessionBeta = openOptions?.upstreamCallId === undefined ? beta : undefined;
          const own = sessionBeta?.wrap(client) ?? client;
          try {
            session = startRelaySession({
              // The sealed session is the relay's own GA update: it goes in past the translation.
              client:
                sealed === undefined
                  ? own
                  : withFirstClientEvent(
                      own,
                      encodeClientEvent(sealedSessionUpdate(sealed) as unknown as ClientEventInput),
                    ),
              features: sessionBeta?.features ?? [],
              connectUpstream:
                openOptions?.upstreamCallId === undefined
                  ? connectUpstream
                  : (upstream) =>
                      connectUpstream({ ...upstream, callId: openOptions.upstreamCallId }),
              model: decision.model,
              intent: decision.intent,
              kind: decision.kind,
              limits:
                openOptions?.upstreamCallId === undefined
                  ? config
                  : { ...config, resumeAttempts: 0 },
              metrics,
              logger,
              ...(rules === undefined
                ? {}
                : {
                    policy: {
                      rules,
                      tenant: decision.tenant,
                      handlers: handlersFor(rules),
                      // A forwarded call's browser talks to the upstream: its changes are set
                      // back as the upstream reports them.
                      relock: openOptions?.upstreamCallId !== undefined,
                    },
                  }),
              ...(rules?.limits === undefined
                ? {}
                : {
                    metering: {
                      store: usageStore,
                      tenant: decision.tenant ?? '',
                      limits: rules.limits,
                      price: priceFor(options.policy?.prices ?? {}, decision.model),
                      lease,
                      metricsLabel:
                        decision.tenant !== undefined &&
                        options.policy !== undefined &&
                        Object.hasOwn(options.policy.tenants, decision.tenant)
                          ? decision.tenant
                          : 'default',
                      onStoreFailure,
                      sink: options.usageSink,
                      openingContext,
                    },
                  }),
            });
          } catch (error) {
            // A session that could not even start (its policy's tools unreadable, say) ends
            // alone, as any session's fault does: 1011 to its client, a log line, no throw.
            return failedSession(client, error, logger);
          }
          logger.log('info', 'session.open', { session: session.id, model: decision.model });
          opened = session;
          sessions.add(session);
          watchSessions();
          void session.done.then(() => {
            sessions.delete(session);
            watchSessions();
          });
          if (draining) session.close(CloseCode.goingAway, CloseReason.shuttingDown);
          return session;
        },
      };
    },

    drain() {
      if (draining) return;
      draining = true;
      logger.log('info', 'relay.draining', { sessions: sessions.size });
      for (const session of [...sessions])
        session.close(CloseCode.goingAway, CloseReason.shuttingDown);
    },

    async close() {
      // The sinks first: a Redis stream's last batch needs the store's connection.
      await options.usageSink?.close?.();
      // Before the store: the directory may share its connection.
      await options.callDirectory?.close();
      await usageStore.close();
    },

    async idle(timeoutMs) {
      if (sessions.size === 0) return;
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        Promise.all([...sessions].map((session) => session.done)),
        new Promise((resolve) => {
          timer = setTimeout(resolve, timeoutMs);
        }),
      ]);
      clearTimeout(timer);
    },
  };
  const { upstreamUrl } = config;
  const directory = options.callDirectory;
  const newCallId =
    options.newCallId ?? (directory === undefined ? undefined : () => directory.newCallId());
  if (upstreamUrl !== undefined) {
    forwarded = createForwardedCalls({
      config: { ...config, upstreamUrl },
      ...(newCallId === undefined ? {} : { newCallId }),
      authenticate,
      admit: (request) => host.admit(request),
      rulesFor: (tenant) => policyForTenant(options.policy, tenant),
      logger,
      metrics,
      onCallEnd: (call) => {
        try {
          options.onCallEnd?.(call);
        } catch (error) {
          logger.log('error', 'call.end_hook_failed', describeFault(error));
        }
      },
    });
  }
  return host;
}

/**
 * The `session.update` a client secret's session opens with: the sealed Realtime session, or
 * for a translation secret the `audio` its translation `session.update` may carry (its model
 * goes in the URL).
 */
function sealedSessionUpdate(sealed: JsonObject): JsonObject {
  if (!isSealedTranslationSession(sealed)) return { type: 'session.update', session: sealed };
  return {
    type: 'session.update',
    session: sealed.audio === undefined ? {} : { audio: sealed.audio },
  };
}
