import type { CascadeModelOptions } from '@rtwire/server';
import { INSTANCE_ID } from '../calls/call-directory.ts';
import { CLIENT_SECRET_PREFIX, isClientSecretKey } from '../client-secrets/client-secret-token.ts';

/** Everything the relay reads from its environment, parsed and defaulted. */
export interface RelayConfig {
  /** Interface to listen on (`HOST`, default `127.0.0.1`). */
  readonly host: string;
  /** Port to listen on (`PORT`, default `8787`; `0` picks a free one). */
  readonly port: number;
  /** Realtime endpoint to relay to (`UPSTREAM_URL`); undefined selects the embedded simulator. */
  readonly upstreamUrl: URL | undefined;
  /**
   * An OpenAI-compatible model server to serve the Realtime protocol from (`MODEL_BASE_URL`,
   * `CHAT_MODEL`, …): the engine of `@rtwire/server` with a speech-to-text → chat →
   * text-to-speech cascade, in place of the simulator or an upstream Realtime API.
   */
  readonly cascade: CascadeModelOptions | undefined;
  /** Upstream credential (`OPENAI_API_KEY`), sent upstream only; never logged or echoed. */
  readonly upstreamApiKey: string | undefined;
  /**
   * Credentials a client may present (`RELAY_TOKENS`, comma-separated): a plain token, or
   * `tenant:token` naming the tenant whose policy the session gets. Empty: no client auth.
   */
  readonly relayTokens: readonly string[];
  /**
   * Keys client secrets are sealed with (`CLIENT_SECRET_KEYS`, comma-separated, 32 bytes of
   * base64url each): the first seals, both open (a rotation keeps the previous one second).
   * Empty: the relay makes a key at start, and its secrets die with the process.
   */
  readonly clientSecretKeys: readonly string[];
  /** Origins a browser may connect from (`ALLOWED_ORIGINS`); empty means any. */
  readonly allowedOrigins: readonly string[];
  /** Largest message accepted from either side (`MAX_FRAME_BYTES`, default 16 MiB). */
  readonly maxFrameBytes: number;
  /** Concurrent sessions before new ones get 503 (`MAX_SESSIONS`, default 1000). */
  readonly maxSessions: number;
  /** Client messages per second, sustained (`RATE_LIMIT_PER_SECOND`, default 200; 0 disables). */
  readonly rateLimitPerSecond: number;
  /** Client messages allowed in a burst (`RATE_LIMIT_BURST`, default 400). */
  readonly rateLimitBurst: number;
  /** Send-buffer size at which the relay stops reading the other side (`HIGH_WATER_BYTES`, default 1 MiB, at least 64 KiB). */
  readonly highWaterBytes: number;
  /** Send-buffer size past which a session that cannot push back is closed (4 × high water + a frame). */
  readonly hardLimitBytes: number;
  /**
   * Bytes all sessions together may hold in buffers (`MAX_BUFFERED_BYTES`, default 512 MiB):
   * send buffers, frames queued for an upstream still connecting or an engine's paused output,
   * messages still arriving. Past it the sessions holding most are closed with 1013.
   */
  readonly maxBufferedBytes: number;
  /**
   * Bytes one session may hold in all (`MAX_SESSION_BUFFERED_BYTES`, default 3 × the hard
   * limit + `MAX_FRAME_BYTES`, 76 MiB with the defaults): both send buffers, messages arriving,
   * what an in-process engine holds for it (conversation, queues, a response in progress), the
   * conversation kept for a resume and server tool calls in flight. Past it: 1013.
   */
  readonly maxSessionBufferedBytes: number;
  /**
   * Bytes of conversation an in-process engine keeps per session, on the simulator or a model
   * server (`MAX_CONVERSATION_BYTES`, default 16 MiB): past it the oldest items leave, as the
   * live API truncates old context, and one item larger than this is refused.
   */
  readonly maxConversationBytes: number;
  /**
   * Client frames refused in a row that still get an `error` event (`REFUSAL_REPLY_BURST`,
   * default 10, refilled one a second); past it refused frames are dropped unanswered.
   */
  readonly refusalReplyBurst: number;
  /**
   * Refused client frames (net of ten forgiven a second) after which the session is closed
   * with 1008 (`REFUSAL_CLOSE_AFTER`, default 200).
   */
  readonly refusalCloseAfter: number;
  /**
   * How often the relay pings each client (`HEARTBEAT_INTERVAL_MS`, default 30000; 0 disables).
   * A client that has not answered by the next ping is taken for gone and its session ended.
   */
  readonly heartbeatIntervalMs: number;
  /**
   * Ends a session whose client has sent no frame for this long (`CLIENT_IDLE_TIMEOUT_MS`,
   * default 0: never). For runtimes with no heartbeat (Workers), where it is the only bound on
   * a client that vanished; clients that talk in text may be quiet for minutes, so set it long.
   */
  readonly clientIdleTimeoutMs: number;
  /** How long one client message may take to arrive whole (`MESSAGE_TIMEOUT_MS`, default 20000). */
  readonly messageTimeoutMs: number;
  /** How long the upstream WebSocket handshake may take (`UPSTREAM_HANDSHAKE_TIMEOUT_MS`, default 10000). */
  readonly upstreamHandshakeTimeoutMs: number;
  /** Bearer token `/metrics` requires when set (`METRICS_TOKEN`); unset leaves it open. */
  readonly metricsToken: string | undefined;
  /**
   * Reconnect attempts when the upstream drops abnormally (`RESUME_ATTEMPTS`, default 3); 0
   * when `RESUME=off`. The session's configuration and conversation are replayed onto the new
   * upstream, and it rolls over to a fresh one before the upstream session expires.
   */
  readonly resumeAttempts: number;
  /** How long the attempts may take from the drop (`RESUME_WINDOW_MS`, default 5000). */
  readonly resumeWindowMs: number;
  /** Bytes of conversation kept per session for a replay (`RESUME_MAX_BYTES`, default 256 KiB). */
  readonly resumeMaxBytes: number;
  /**
   * Resumes one session gets over its whole life (`RESUME_MAX_PER_SESSION`, default 10): an
   * upstream that keeps dropping is not reconnected forever; past it a drop ends the session.
   */
  readonly resumeMaxPerSession: number;
  /** Bound on graceful shutdown (`SHUTDOWN_TIMEOUT_MS`, default 5000). */
  readonly shutdownTimeoutMs: number;
  /** Simulator pacing (`SIM_PACE`: `realtime` default, or `fast`). */
  readonly simulatorPace: 'realtime' | 'fast';
  /** TLS certificate, a PEM or a path to one (`TLS_CERT`); with `tlsKey` the relay serves `wss:`. */
  readonly tlsCert: string | undefined;
  /** TLS private key, a PEM or a path to one (`TLS_KEY`). */
  readonly tlsKey: string | undefined;
  /** Lowest level logged (`LOG_LEVEL`: debug, info default, warn, error). */
  readonly logLevel: 'debug' | 'info' | 'warn' | 'error';
  /**
   * The Redis that relays share tenants' usage in (`REDIS_URL`, `redis:` or `rediss:`); unset,
   * usage is counted in this process.
   */
  readonly redisUrl: URL | undefined;
  /**
   * What metering does when its store cannot answer (`METER_STORE_FAILURE`): `open` (default)
   * lets sessions and responses through unmetered; `closed` refuses them (503 at admission,
   * `usage_store_unavailable` for a `response.create`).
   */
  readonly meterStoreFailure: 'open' | 'closed';
  /**
   * How long an open session counts in a shared store without its relay renewing it
   * (`METER_LEASE_MS`, default 30000): the sessions of a relay that died stop counting
   * within it.
   */
  readonly meterLeaseMs: number;
  /**
   * How many responses' worth of a tenant's tokens and budget a relay takes from Redis at once
   * and hands out itself (`METER_ALLOWANCE`, default 0: every response reserves and settles in
   * Redis; see `withLocalAllowance`).
   */
  readonly meterAllowance: number;
  /** Where usage records are POSTed in batches (`USAGE_SINK_URL`, `http:` or `https:`). */
  readonly usageSinkUrl: URL | undefined;
  /** Sent as `Authorization: Bearer …` with each batch (`USAGE_SINK_TOKEN`); never logged. */
  readonly usageSinkToken: string | undefined;
  /** The Redis stream usage records are added to (`USAGE_STREAM`; needs `REDIS_URL`). */
  readonly usageStream: string | undefined;
  /**
   * This instance's name in the ids of the calls it holds (`RELAY_INSTANCE_ID`, 1–63 of
   * `[A-Za-z0-9-]`; default random), for a load balancer that routes a call's requests by it.
   */
  readonly instanceId: string | undefined;
  /**
   * Where the other relay instances reach this one (`RELAY_INSTANCE_URL`, `http:` or `https:`;
   * needs `REDIS_URL`): a call's sideband or hangup that reaches another instance is passed on
   * here.
   */
  readonly instanceUrl: URL | undefined;
  /**
   * What a client of the earlier beta protocol gets (`BETA_PROTOCOL`): `translate` (default)
   * turns its session into GA and back (`OpenAI-Beta: realtime=v1`, the
   * `openai-beta.realtime-v1` subprotocol, or a beta first `session.update`); `refuse` answers
   * its beta events with an `error` that names the beta field.
   */
  readonly betaProtocol: 'translate' | 'refuse';
}

/** A configuration problem: which variable, and what was expected (never the value). */
export interface RelayConfigError {
  readonly variable: string;
  readonly message: string;
}

/** Result of {@link parseRelayConfig}. */
export type RelayConfigResult =
  | { readonly ok: true; readonly config: RelayConfig }
  | { readonly ok: false; readonly errors: readonly RelayConfigError[] };

const MIB = 1024 * 1024;

/**
 * Parses the relay's configuration from a plain environment record (`process.env`,
 * `Deno.env.toObject()`, a Workers `env`). Never throws; unset or empty variables take
 * their defaults, malformed ones are reported by name.
 *
 * @example
 * ```ts
 * const result = parseRelayConfig(process.env);
 * if (!result.ok) throw new Error(result.errors.map((e) => `${e.variable}: ${e.message}`).join('\n'));
 * ```
 */
export function parseRelayConfig(
  env: Readonly<Record<string, string | undefined>>,
): RelayConfigResult {
  const errors: RelayConfigError[] = [];
  const read = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  };
  const integer = (name: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER) => {
    const raw = read(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!/^\d+$/.test(raw) || value < min || value > max) {
      errors.push({ variable: name, message: `expected an integer from ${min} to ${max}` });
      return fallback;
    }
    return value;
  };
  const oneOf = <T extends string>(name: string, allowed: readonly T[], fallback: T): T => {
    const raw = read(name);
    if (raw === undefined) return fallback;
    if ((allowed as readonly string[]).includes(raw)) return raw as T;
    errors.push({ variable: name, message: `expected one of ${allowed.join(', ')}` });
    return fallback;
  };
  const list = (name: string) =>
    (read(name) ?? '')
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item !== '');

  const upstreamUrl = readUrl(read, errors, 'UPSTREAM_URL', WEBSOCKET_URL);
  const cascade = parseCascade(read, errors, upstreamUrl !== undefined);
  const timeoutMs = integer('MODEL_TIMEOUT_MS', 30_000, 100, 600_000);
  const tlsCert = read('TLS_CERT');
  const tlsKey = read('TLS_KEY');
  if ((tlsCert === undefined) !== (tlsKey === undefined)) {
    errors.push({
      variable: tlsCert ? 'TLS_KEY' : 'TLS_CERT',
      message: 'TLS_CERT and TLS_KEY go together',
    });
  }
  const maxFrameBytes = integer('MAX_FRAME_BYTES', 16 * MIB, 1024);
  // Above a socket's own write high-water mark (16 KiB in Node), so a full buffer always drains.
  const highWaterBytes = integer('HIGH_WATER_BYTES', MIB, 64 * 1024);
  const config: RelayConfig = {
    host: read('HOST') ?? '127.0.0.1',
    port: integer('PORT', 8787, 0, 65535),
    upstreamUrl,
    cascade: cascade === undefined ? undefined : { ...cascade, timeoutMs },
    upstreamApiKey: read('OPENAI_API_KEY'),
    relayTokens: relayTokens(list('RELAY_TOKENS'), errors),
    clientSecretKeys: clientSecretKeys(list('CLIENT_SECRET_KEYS'), errors),
    allowedOrigins: list('ALLOWED_ORIGINS'),
    maxFrameBytes,
    maxSessions: integer('MAX_SESSIONS', 1000, 1),
    rateLimitPerSecond: integer('RATE_LIMIT_PER_SECOND', 200, 0),
    rateLimitBurst: integer('RATE_LIMIT_BURST', 400, 1),
    highWaterBytes,
    hardLimitBytes: 4 * highWaterBytes + maxFrameBytes,
    maxBufferedBytes: integer('MAX_BUFFERED_BYTES', 512 * MIB, MIB),
    maxConversationBytes: integer('MAX_CONVERSATION_BYTES', 16 * MIB, 64 * 1024),
    maxSessionBufferedBytes: integer(
      'MAX_SESSION_BUFFERED_BYTES',
      3 * (4 * highWaterBytes + maxFrameBytes) + maxFrameBytes,
      MIB,
    ),
    refusalReplyBurst: integer('REFUSAL_REPLY_BURST', 10, 0),
    refusalCloseAfter: integer('REFUSAL_CLOSE_AFTER', 200, 1),
    heartbeatIntervalMs: integer('HEARTBEAT_INTERVAL_MS', 30_000, 0),
    clientIdleTimeoutMs: integer('CLIENT_IDLE_TIMEOUT_MS', 0, 0),
    messageTimeoutMs: integer('MESSAGE_TIMEOUT_MS', 20_000, 10),
    upstreamHandshakeTimeoutMs: integer('UPSTREAM_HANDSHAKE_TIMEOUT_MS', 10_000, 10),
    metricsToken: read('METRICS_TOKEN'),
    resumeAttempts:
      oneOf('RESUME', ['on', 'off'] as const, 'on') === 'off'
        ? 0
        : integer('RESUME_ATTEMPTS', 3, 0, 10),
    resumeWindowMs: integer('RESUME_WINDOW_MS', 5000, 100, 60_000),
    resumeMaxBytes: integer('RESUME_MAX_BYTES', 256 * 1024, 0, 64 * MIB),
    resumeMaxPerSession: integer('RESUME_MAX_PER_SESSION', 10, 1, 1000),
    shutdownTimeoutMs: integer('SHUTDOWN_TIMEOUT_MS', 5000, 0),
    simulatorPace: oneOf('SIM_PACE', ['realtime', 'fast'] as const, 'realtime'),
    tlsCert,
    tlsKey,
    logLevel: oneOf('LOG_LEVEL', ['debug', 'info', 'warn', 'error'] as const, 'info'),
    redisUrl: readUrl(read, errors, 'REDIS_URL', REDIS_URL),
    meterStoreFailure: oneOf('METER_STORE_FAILURE', ['open', 'closed'] as const, 'open'),
    meterLeaseMs: integer('METER_LEASE_MS', 30_000, 1_000, 3_600_000),
    meterAllowance: integer('METER_ALLOWANCE', 0, 0, 1_000),
    usageSinkUrl: readUrl(read, errors, 'USAGE_SINK_URL', HTTP_URL),
    usageSinkToken: read('USAGE_SINK_TOKEN'),
    usageStream: read('USAGE_STREAM'),
    instanceId: read('RELAY_INSTANCE_ID'),
    instanceUrl: readUrl(read, errors, 'RELAY_INSTANCE_URL', HTTP_URL),
    betaProtocol: oneOf('BETA_PROTOCOL', ['translate', 'refuse'] as const, 'translate'),
  };
  if (config.instanceId !== undefined && !INSTANCE_ID.test(config.instanceId)) {
    errors.push({ variable: 'RELAY_INSTANCE_ID', message: 'expected 1–63 of [A-Za-z0-9-]' });
  }
  if (config.instanceUrl !== undefined && read('REDIS_URL') === undefined) {
    errors.push({
      variable: 'RELAY_INSTANCE_URL',
      message: 'expected REDIS_URL to be set: the instances find each other there',
    });
  }
  if (config.usageStream !== undefined && read('REDIS_URL') === undefined) {
    errors.push({
      variable: 'USAGE_STREAM',
      message: 'expected REDIS_URL to be set: the stream is in that Redis',
    });
  }
  return errors.length === 0 ? { ok: true, config } : { ok: false, errors };
}

/**
 * What a session is answered by, as a start-up line names it: the upstream's host, the
 * cascade's model server, or the simulator.
 *
 * @example
 * ```ts
 * console.log(`listening on ${url} (upstream ${upstreamName(config)})`);
 * ```
 */
export function upstreamName(config: RelayConfig): string {
  if (config.upstreamUrl !== undefined) return config.upstreamUrl.host;
  if (config.cascade !== undefined) return `cascade ${new URL(config.cascade.baseURL).host}`;
  return 'simulator';
}

/**
 * The start-up line for a relay given no `CLIENT_SECRET_KEYS`, which seals client secrets with
 * a key made at start; `undefined` when keys are configured.
 *
 * @example
 * ```ts
 * const notice = clientSecretKeyNotice(config);
 * if (notice) console.log(notice);
 * ```
 */
export function clientSecretKeyNotice(config: RelayConfig): string | undefined {
  if (config.clientSecretKeys.length > 0) return undefined;
  return 'client secrets are sealed with a key made at start (no CLIENT_SECRET_KEYS): they will not outlive this process or work on another instance';
}

/**
 * The configuration as safe to log: secrets become `set`/`unset`, TLS material is not shown.
 *
 * @example
 * ```ts
 * logger.log('info', 'relay.config', describeRelayConfig(config));
 * ```
 */
export function describeRelayConfig(config: RelayConfig): Record<string, unknown> {
  return {
    host: config.host,
    port: config.port,
    upstream: config.upstreamUrl
      ? config.upstreamUrl.origin + config.upstreamUrl.pathname
      : config.cascade
        ? 'cascade'
        : 'simulator',
    ...(config.cascade ? { cascade: describeCascade(config.cascade) } : {}),
    upstreamApiKey: config.upstreamApiKey ? 'set' : 'unset',
    relayTokens: config.relayTokens.length,
    clientSecretKeys: config.clientSecretKeys.length,
    allowedOrigins: config.allowedOrigins,
    maxFrameBytes: config.maxFrameBytes,
    maxSessions: config.maxSessions,
    rateLimitPerSecond: config.rateLimitPerSecond,
    rateLimitBurst: config.rateLimitBurst,
    highWaterBytes: config.highWaterBytes,
    maxBufferedBytes: config.maxBufferedBytes,
    maxSessionBufferedBytes: config.maxSessionBufferedBytes,
    maxConversationBytes: config.maxConversationBytes,
    refusalReplyBurst: config.refusalReplyBurst,
    refusalCloseAfter: config.refusalCloseAfter,
    heartbeatIntervalMs: config.heartbeatIntervalMs,
    clientIdleTimeoutMs: config.clientIdleTimeoutMs,
    messageTimeoutMs: config.messageTimeoutMs,
    upstreamHandshakeTimeoutMs: config.upstreamHandshakeTimeoutMs,
    metricsToken: config.metricsToken ? 'set' : 'unset',
    resumeAttempts: config.resumeAttempts,
    resumeMaxPerSession: config.resumeMaxPerSession,
    shutdownTimeoutMs: config.shutdownTimeoutMs,
    simulatorPace: config.simulatorPace,
    tls: config.tlsCert !== undefined,
    logLevel: config.logLevel,
    betaProtocol: config.betaProtocol,
    usageStore: config.redisUrl ? `redis ${config.redisUrl.host}` : 'memory',
    meterStoreFailure: config.meterStoreFailure,
    meterLeaseMs: config.meterLeaseMs,
    usageSinks: [
      ...(config.usageSinkUrl ? [`http ${config.usageSinkUrl.host}`] : []),
      ...(config.usageStream ? ['redis stream'] : []),
    ],
  };
}

/** The schemes a URL variable may have, and how its error says so. */
interface UrlKind {
  readonly protocols: readonly string[];
  readonly expected: string;
}
const WEBSOCKET_URL: UrlKind = {
  protocols: ['ws:', 'wss:'],
  expected: 'expected a ws: or wss: URL',
};
const REDIS_URL: UrlKind = {
  protocols: ['redis:', 'rediss:'],
  expected: 'expected a redis: or rediss: URL',
};
const HTTP_URL: UrlKind = {
  protocols: ['http:', 'https:'],
  expected: 'expected an http: or https: URL',
};

/** The URL variable `name`, or `undefined` when unset or malformed (then named in `errors`). */
function readUrl(
  read: (name: string) => string | undefined,
  errors: RelayConfigError[],
  name: string,
  kind: UrlKind,
): URL | undefined {
  const raw = read(name);
  if (raw === undefined) return undefined;
  try {
    const url = new URL(raw);
    if (kind.protocols.includes(url.protocol)) return url;
  } catch {}
  errors.push({ variable: name, message: kind.expected });
  return undefined;
}

/** The variables of cascade mode: `MODEL_BASE_URL` turns it on, the rest need it. */
const CASCADE_VARIABLES = [
  'MODEL_API_KEY',
  'CHAT_MODEL',
  'TRANSCRIPTION_MODEL',
  'SPEECH_MODEL',
  'SPEECH_VOICE',
  'CHAT_BASE_URL',
  'TRANSCRIPTION_BASE_URL',
  'SPEECH_BASE_URL',
  'CHAT_API_KEY',
  'TRANSCRIPTION_API_KEY',
  'SPEECH_API_KEY',
  'MODEL_IMAGE_URLS',
] as const;

/** Cascade mode's settings, or `undefined` when `MODEL_BASE_URL` is unset; problems by name. */
function parseCascade(
  read: (name: string) => string | undefined,
  errors: RelayConfigError[],
  hasUpstream: boolean,
): Omit<CascadeModelOptions, 'timeoutMs'> | undefined {
  // The URL as written: a model server's base is joined to paths, not normalized.
  const httpUrl = (name: string) =>
    readUrl(read, errors, name, HTTP_URL) === undefined ? undefined : read(name);
  const baseURL = httpUrl('MODEL_BASE_URL');
  if (read('MODEL_BASE_URL') === undefined) {
    for (const name of CASCADE_VARIABLES) {
      if (read(name) !== undefined)
        errors.push({ variable: name, message: 'needs MODEL_BASE_URL' });
    }
    return undefined;
  }
  if (hasUpstream) {
    errors.push({
      variable: 'MODEL_BASE_URL',
      message:
        'set either UPSTREAM_URL (a Realtime API) or MODEL_BASE_URL (a model server), not both',
    });
  }
  const chatModel = read('CHAT_MODEL');
  if (chatModel === undefined) {
    errors.push({
      variable: 'CHAT_MODEL',
      message: 'expected the chat model to use with MODEL_BASE_URL',
    });
  }
  const stages = { chat: 'CHAT', transcription: 'TRANSCRIPTION', speech: 'SPEECH' } as const;
  const endpoints: Record<string, { baseURL: string; apiKey?: string }> = {};
  for (const [stage, prefix] of Object.entries(stages)) {
    const stageUrl = httpUrl(`${prefix}_BASE_URL`);
    const apiKey = read(`${prefix}_API_KEY`);
    if (stage !== 'chat' && read(`${prefix}_MODEL`) === undefined) {
      for (const name of [`${prefix}_BASE_URL`, `${prefix}_API_KEY`]) {
        if (read(name) !== undefined)
          errors.push({ variable: name, message: `needs ${prefix}_MODEL` });
      }
    }
    if (stageUrl !== undefined || apiKey !== undefined) {
      endpoints[stage] = {
        baseURL: stageUrl ?? baseURL ?? '',
        ...(apiKey === undefined ? {} : { apiKey }),
      };
    }
  }
  if (read('SPEECH_VOICE') !== undefined && read('SPEECH_MODEL') === undefined) {
    errors.push({ variable: 'SPEECH_VOICE', message: 'needs SPEECH_MODEL' });
  }
  const imageUrls = parseImageUrls(read('MODEL_IMAGE_URLS'), errors);
  if (baseURL === undefined || chatModel === undefined) return undefined;
  return {
    ...(imageUrls === undefined ? {} : { imageUrls: { allow: imageUrls } }),
    baseURL,
    apiKey: read('MODEL_API_KEY'),
    chatModel,
    transcriptionModel: read('TRANSCRIPTION_MODEL'),
    speechModel: read('SPEECH_MODEL'),
    voice: read('SPEECH_VOICE'),
    endpoints,
  };
}

/**
 * `MODEL_IMAGE_URLS`: the image URLs besides `data:` the cascade may send its chat backend, as
 * comma-separated schemes (`https:`) or origins (`https://images.example.com`). Anything else
 * is an error naming the entry's position, never its text.
 */
function parseImageUrls(raw: string | undefined, errors: RelayConfigError[]): string[] | undefined {
  if (raw === undefined) return undefined;
  const entries = raw.split(',').map((entry) => entry.trim());
  entries.forEach((entry, index) => {
    if (/^[a-z][a-z0-9+.-]*:$/.test(entry) || isOrigin(entry)) return;
    errors.push({
      variable: 'MODEL_IMAGE_URLS',
      message: `entry ${index + 1}: expected a scheme such as https: or an origin such as https://images.example.com`,
    });
  });
  return entries;
}

function isOrigin(entry: string): boolean {
  try {
    const url = new URL(entry);
    return url.origin !== 'null' && url.origin === entry.replace(/\/$/, '');
  } catch {
    return false;
  }
}

/** Cascade settings as safe to log: URLs without credentials or query, keys as set/unset. */
function describeCascade(cascade: CascadeModelOptions): Record<string, unknown> {
  const where = (url: string) => {
    const parsed = new URL(url);
    return parsed.origin + parsed.pathname;
  };
  const stage = (name: 'chat' | 'transcription' | 'speech', model: string | undefined) =>
    model === undefined
      ? 'off'
      : {
          model,
          url: where(cascade.endpoints?.[name]?.baseURL ?? cascade.baseURL),
          apiKey: (cascade.endpoints?.[name]?.apiKey ?? cascade.apiKey) ? 'set' : 'unset',
        };
  return {
    chat: stage('chat', cascade.chatModel),
    transcription: stage('transcription', cascade.transcriptionModel),
    speech: stage('speech', cascade.speechModel),
    ...(cascade.voice === undefined ? {} : { voice: cascade.voice }),
    imageUrls: Array.isArray(cascade.imageUrls?.allow)
      ? ['data:', ...cascade.imageUrls.allow]
      : ['data:'],
    timeoutMs: cascade.timeoutMs,
  };
}

/** `CLIENT_SECRET_KEYS`: one or two keys of 32 bytes, base64url (or base64). */
function clientSecretKeys(keys: string[], errors: RelayConfigError[]): string[] {
  if (keys.length > 2 || !keys.every(isClientSecretKey)) {
    errors.push({
      variable: 'CLIENT_SECRET_KEYS',
      message:
        'expected one or two keys of 32 bytes in base64url, comma-separated (the current key first)',
    });
    return [];
  }
  return keys;
}

/** `RELAY_TOKENS`: none may look like a client secret, which is checked as one. */
function relayTokens(tokens: string[], errors: RelayConfigError[]): string[] {
  // `tenant:token` or a plain token: either way, what could be presented.
  const presentable = (entry: string) => [entry, entry.slice(entry.indexOf(':') + 1)];
  if (tokens.some((entry) => presentable(entry).some((t) => t.startsWith(CLIENT_SECRET_PREFIX)))) {
    errors.push({
      variable: 'RELAY_TOKENS',
      message: `a token may not start with ${CLIENT_SECRET_PREFIX}: that prefix is the client secrets'`,
    });
    return [];
  }
  return tokens;
}
