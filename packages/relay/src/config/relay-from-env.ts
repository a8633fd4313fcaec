import { type CallDirectory, createCallDirectory } from '../calls/call-directory.ts';
import { withLocalAllowance } from '../metering/allowance-usage-store.ts';
import { RedisUsageStore } from '../metering/redis-usage-store.ts';
import type { UsageSink } from '../metering/usage-record.ts';
import {
  createHttpUsageSink,
  createRedisStreamUsageSink,
  teeUsageSinks,
} from '../metering/usage-sinks.ts';
import type { UsageStore } from '../metering/usage-store.ts';
import { createRelayLogger } from '../observe/json-line-logger.ts';
import type { LogLevel, RelayLogger } from '../observe/relay-logger.ts';
import { loadRelayPolicy, type RelayPolicy, RelayPolicyError } from '../policy/relay-policy.ts';
import type { ServerToolHandler } from '../policy/server-tools.ts';
import type { RedisCommand } from '../redis/redis-command.ts';
import type { UpstreamConnector } from '../upstream/upstream-connector.ts';
import { parseRelayConfig, type RelayConfig, type RelayConfigError } from './relay-config.ts';
import { describeUnpolicedCredentials, findUnpolicedCredentials } from './unpoliced-credentials.ts';

/** What a real upstream connection is opened with, taken from the config. */
export interface RealtimeUpstreamSettings {
  readonly url: URL;
  /** Sent as `Authorization: Bearer …`; never logged. */
  readonly apiKey: string | undefined;
  readonly maxFrameBytes: number;
  readonly highWaterBytes: number;
  readonly handshakeTimeoutMs: number;
}

/**
 * Makes the in-process upstream a config names when `UPSTREAM_URL` is unset: the simulator,
 * or the engine in front of `MODEL_BASE_URL`'s model server. `engineUpstream` of
 * `@rtwire/relay/engine` is the one there is; it is passed in, never imported by the core, so
 * a relay to a real upstream carries no engine.
 *
 * @example
 * ```ts
 * import { engineUpstream } from '@rtwire/relay/engine';
 *
 * const runtime: RelayRuntime = { connectRealtime, frames: 'string', write, engine: engineUpstream };
 * ```
 */
export type EngineUpstream = (config: RelayConfig, frames: 'bytes' | 'string') => UpstreamConnector;

/** What differs between the runtimes a relay runs on: how they dial, send text, and log. */
export interface RelayRuntime {
  /** Opens sessions to a real Realtime endpoint (`UPSTREAM_URL` set). */
  readonly connectRealtime: (settings: RealtimeUpstreamSettings) => UpstreamConnector;
  /**
   * The frame form this runtime's sockets send as text: `bytes` where bytes can go out as a
   * text frame (Node's `ws`), `string` on web-standard sockets (whose `send(Uint8Array)` is
   * binary). The engine hands its frames over in it.
   */
  readonly frames: 'bytes' | 'string';
  /** Where log lines go. */
  readonly write: (line: string) => void;
  /**
   * Serves sessions in process when `UPSTREAM_URL` is unset (`engineUpstream` of
   * `@rtwire/relay/engine`). Absent: the configuration must name an `UPSTREAM_URL`.
   */
  readonly engine?: EngineUpstream;
  /** Reads a `RELAY_POLICY` file; absent where there is no file system (inline JSON only). */
  readonly readTextFile?: (path: string) => string;
  /** Handlers of the `"module": true` server tools (Node: the exports of `RELAY_TOOLS_MODULE`). */
  readonly toolHandlers?: Readonly<Record<string, ServerToolHandler>>;
  /**
   * Connects to the Redis of `REDIS_URL` for the usage store (Node: `@rtwire/node` with
   * `@redis/client`). Absent: `REDIS_URL` is refused, and usage is counted in memory.
   */
  readonly connectRedis?: (url: URL) => RedisConnection;
}

/** A Redis connection as the usage store uses it: one command at a time, and its close. */
export interface RedisConnection {
  readonly command: RedisCommand;
  /** Closes the connection (after the store's last command). */
  close(): Promise<void>;
}

/** A relay's pieces made from its environment, or the variables that could not be read. */
export type RelayFromEnv =
  | {
      readonly ok: true;
      readonly config: RelayConfig;
      readonly logger: RelayLogger & { enabled(level: LogLevel): boolean };
      readonly connectUpstream: UpstreamConnector;
      /** `RELAY_POLICY`, validated; `undefined` when unset. */
      readonly policy: RelayPolicy | undefined;
      readonly toolHandlers: Readonly<Record<string, ServerToolHandler>>;
      /** The shared usage store of `REDIS_URL`; `undefined`: usage is counted in memory. */
      readonly usageStore: UsageStore | undefined;
      /** Where usage records go besides the log (`USAGE_SINK_URL`, `USAGE_STREAM`). */
      readonly usageSink: UsageSink | undefined;
      /**
       * Which instance holds each call (`RELAY_INSTANCE_ID`, `RELAY_INSTANCE_URL`); `undefined`
       * when neither is set.
       */
      readonly callDirectory: CallDirectory | undefined;
    }
  | { readonly ok: false; readonly errors: readonly RelayConfigError[] };

/**
 * The upstream a config names: `config.upstreamUrl` through the runtime's dialer, else the
 * runtime's engine (the cascade with `config.cascade`, the simulator without), or the
 * variable to set when the runtime has no engine.
 */
function upstreamFromConfig(
  config: RelayConfig,
  runtime: RelayRuntime,
): UpstreamConnector | RelayConfigError {
  if (config.upstreamUrl !== undefined) {
    return runtime.connectRealtime({
      url: config.upstreamUrl,
      apiKey: config.upstreamApiKey,
      maxFrameBytes: config.maxFrameBytes,
      highWaterBytes: config.highWaterBytes,
      handshakeTimeoutMs: config.upstreamHandshakeTimeoutMs,
    });
  }
  if (runtime.engine !== undefined) return runtime.engine(config, runtime.frames);
  return config.cascade === undefined
    ? {
        variable: 'UPSTREAM_URL',
        message:
          'expected a Realtime endpoint: this relay has no engine for the simulator (pass engineUpstream of @rtwire/relay/engine)',
      }
    : {
        variable: 'MODEL_BASE_URL',
        message:
          'expected no value: this relay has no engine for a cascade (pass engineUpstream of @rtwire/relay/engine)',
      };
}

/**
 * Reads a relay's environment (`process.env`, `Deno.env.toObject()`, a Workers `env`) into its
 * config, its logger (JSON lines, the key and tokens masked), its policy and its upstream, the
 * same way on every runtime: the one way to assemble a relay from configuration. What it
 * returns is handed on whole, never restated: to `createRelayHost`, to `mountRelay` of
 * `@rtwire/node`, or by the Deno and Workers adapters, which call it themselves. Errors name
 * the variables, never their values.
 *
 * @example
 * ```ts
 * import { engineUpstream } from '@rtwire/relay/engine';
 *
 * const relay = createRelayFromEnv(env, { connectRealtime, frames: 'string', write, engine: engineUpstream });
 * if (!relay.ok) throw new Error(relay.errors.map((e) => e.variable).join(', '));
 * const host = createRelayHost(relay);
 * ```
 */
export function createRelayFromEnv(
  env: Readonly<Record<string, string | undefined>>,
  runtime: RelayRuntime,
): RelayFromEnv {
  const result = parseRelayConfig(env);
  if (!result.ok) return { ok: false, errors: result.errors };
  const { config } = result;
  const toolHandlers = runtime.toolHandlers ?? {};
  let policy: RelayPolicy | undefined;
  const source = env.RELAY_POLICY?.trim();
  if (source !== undefined && source !== '') {
    try {
      policy = loadRelayPolicy(source, env, runtime.readTextFile);
    } catch (error) {
      if (!(error instanceof RelayPolicyError)) throw error;
      return {
        ok: false,
        errors: error.errors.map((problem) => ({
          variable: 'RELAY_POLICY',
          message: `${problem.path || '/'}: expected ${problem.expected}`,
        })),
      };
    }
    const missing = [
      ...Object.entries(policy.tenants).map(
        ([name, tenant]) => [`/tenants/${name}`, tenant] as const,
      ),
      ...(policy.default ? [['/default', policy.default] as const] : []),
    ].flatMap(([path, tenant]) =>
      tenant.serverTools
        .map((tool, index) => ({ tool, index }))
        .filter(({ tool }) => tool.module && toolHandlers[tool.name] === undefined)
        .map(({ tool, index }) => ({
          variable: 'RELAY_POLICY',
          message: `${path}/serverTools/${index}: expected RELAY_TOOLS_MODULE to export a handler named ${tool.name}`,
        })),
    );
    // A policy that leaves some credential unrestricted is refused, not run: an operator who
    // wrote one meant every session to have a policy, and `"default": {}` says otherwise.
    const gap = findUnpolicedCredentials(policy, config.relayTokens);
    if (gap !== undefined) {
      missing.push({
        variable: 'RELAY_POLICY',
        message: `/default: expected ${describeUnpolicedCredentials(gap)}`,
      });
    }
    if (missing.length > 0) return { ok: false, errors: missing };
  }
  const connectUpstream = upstreamFromConfig(config, runtime);
  if (typeof connectUpstream !== 'function') return { ok: false, errors: [connectUpstream] };
  let usageStore: UsageStore | undefined;
  let redis: RedisConnection | undefined;
  const logger = createRelayLogger(config, runtime.write);
  const sinks: UsageSink[] = [];
  if (config.usageSinkUrl !== undefined) {
    sinks.push(
      createHttpUsageSink({
        url: config.usageSinkUrl.href,
        ...(config.usageSinkToken === undefined
          ? {}
          : { headers: { authorization: `Bearer ${config.usageSinkToken}` } }),
        logger,
      }),
    );
  }
  if (config.redisUrl !== undefined) {
    if (runtime.connectRedis === undefined) {
      return {
        ok: false,
        errors: [
          {
            variable: 'REDIS_URL',
            message:
              'expected no value: this runtime has no Redis client (give createRelayHost a usageStore)',
          },
        ],
      };
    }
    const connection = runtime.connectRedis(config.redisUrl);
    // The host sends the sinks' last batches before it closes the store and its connection.
    const stream =
      config.usageStream === undefined
        ? undefined
        : createRedisStreamUsageSink(connection.command, { stream: config.usageStream, logger });
    if (stream !== undefined) sinks.push(stream);
    const shared = new RedisUsageStore(connection.command, {
      leaseMs: config.meterLeaseMs,
      onClose: () => connection.close(),
    });
    usageStore =
      config.meterAllowance === 0
        ? shared
        : withLocalAllowance(shared, { responses: config.meterAllowance });
    redis = connection;
  }
  const callDirectory =
    config.instanceId === undefined && config.instanceUrl === undefined
      ? undefined
      : createCallDirectory({
          ...(config.instanceId === undefined ? {} : { instanceId: config.instanceId }),
          ...(config.instanceUrl === undefined || redis === undefined
            ? {}
            : {
                registry: {
                  command: redis.command,
                  url: config.instanceUrl,
                  leaseMs: config.meterLeaseMs,
                },
              }),
        });
  return {
    ok: true,
    config,
    logger,
    connectUpstream,
    policy,
    toolHandlers,
    usageStore,
    usageSink: sinks.length === 0 ? undefined : teeUsageSinks(sinks),
    callDirectory,
  };
}
