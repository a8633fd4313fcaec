import { boundedRedisCommand, type RedisCommand, randomHex } from '../redis/redis-command.ts';

/**
 * Which relay instance holds a call, for relays behind a load balancer: a call's later requests
 * (its sideband, its hangup) may reach another instance than the one that answered its offer.
 * Each call id names the instance that holds it (`rtc_<instance>_<32 hex>`), so a load
 * balancer can route on it; with a registry shared by the instances, one that does not hold a
 * call finds the instance that does and passes the request on.
 */
export interface CallDirectory {
  /** This instance's name, written into the id of every call it holds. */
  readonly instanceId: string;
  /** Makes the id of a new call held by this instance. */
  newCallId(): string;
  /**
   * Where the instance holding `callId` answers, when that is another live instance; `undefined`
   * when the id names this instance or no instance, the instance's registration lapsed (it
   * died), there is no registry, or the registry cannot answer.
   */
  locate(callId: string): Promise<URL | undefined>;
  /** Stops renewing this instance's registration and withdraws it. */
  close(): Promise<void>;
}

/** The registry the instances share: where each one answers, as a lease in Redis. */
export interface CallRegistryOptions {
  /** One Redis command (see {@link RedisCommand}). */
  readonly command: RedisCommand;
  /** Where the other instances reach this one (`RELAY_INSTANCE_URL`), such as `http://10.0.0.5:8787`. */
  readonly url: URL;
  /** How long the registration lasts unrenewed: an instance that died is forgotten after it (default 30 s). */
  readonly leaseMs?: number;
  /** How long a command may take (default 1 s). */
  readonly commandTimeoutMs?: number;
  /** Prefix of every key (default `rtwire`). */
  readonly prefix?: string;
}

/** Options of {@link createCallDirectory}. */
export interface CallDirectoryOptions {
  /**
   * This instance's name in call ids (`RELAY_INSTANCE_ID`): 1–63 of `[A-Za-z0-9-]`, such as a
   * pod's name, for a load balancer that maps it to a backend. Default: 10 random hex digits.
   */
  readonly instanceId?: string;
  /** The shared registry; without one, ids name the instance and {@link CallDirectory.locate} finds nothing. */
  readonly registry?: CallRegistryOptions;
}

/** What an instance's name may be: no `_`, so the id's parts split unambiguously. */
export const INSTANCE_ID = /^[A-Za-z0-9-]{1,63}$/;
const CALL_ID = /^rtc_([A-Za-z0-9-]{1,63})_[0-9a-f]{32}$/;

/**
 * The instance a call id names, or `undefined` for an id this scheme did not make.
 *
 * @example
 * ```ts
 * callInstanceOf('rtc_relay-2_0f1e2d3c4b5a69788796a5b4c3d2e1f0'); // 'relay-2'
 * ```
 */
export function callInstanceOf(callId: string): string | undefined {
  return CALL_ID.exec(callId)?.[1];
}

/**
 * A {@link CallDirectory}. With a `registry`, this instance registers where it answers under
 * `<prefix>:{i:<instance>}:url` as a lease renewed every third of `leaseMs` (one key per
 * instance, not per call: renewing costs one command whatever the number of calls), and
 * `locate` reads the instance's key from the call id. A registry that cannot be reached is
 * retried at the next beat; meanwhile `locate` finds nothing, and a request for a call held
 * elsewhere gets the 404 it would get without a directory.
 *
 * @example
 * ```ts
 * const directory = createCallDirectory({
 *   instanceId: 'relay-2',
 *   registry: { command: (args) => client.sendCommand(args), url: new URL('http://10.0.0.5:8787') },
 * });
 * const host = createRelayHost({ ...relay, callDirectory: directory });
 * ```
 */
export function createCallDirectory(options: CallDirectoryOptions = {}): CallDirectory {
  const instanceId = options.instanceId ?? randomHex(5);
  if (!INSTANCE_ID.test(instanceId)) {
    throw new TypeError('createCallDirectory: instanceId: expected 1–63 of [A-Za-z0-9-]');
  }
  const newCallId = () => `rtc_${instanceId}_${randomHex(16)}`;
  const { registry } = options;
  if (registry === undefined) {
    return { instanceId, newCallId, locate: async () => undefined, close: async () => {} };
  }
  const command = boundedRedisCommand(registry.command, registry.commandTimeoutMs ?? 1_000);
  const prefix = registry.prefix ?? 'rtwire';
  const leaseMs = registry.leaseMs ?? 30_000;
  const keyOf = (instance: string) => `${prefix}:{i:${instance}}:url`;
  const own = keyOf(instanceId);
  // Only an origin is registered: the routes are the relay's own.
  const origin = registry.url.origin;
  let registering: Promise<unknown> = Promise.resolve();
  const register = () => {
    registering = command(['SET', own, origin, 'PX', String(leaseMs)], own).catch(() => {
      // Retried at the next beat; the lease outlives two misses.
    });
  };
  register();
  let heartbeat: ReturnType<typeof setInterval> | undefined = setInterval(
    register,
    Math.max(100, Math.floor(leaseMs / 3)),
  );
  // The registration must not keep a process alive that has nothing else to do.
  (heartbeat as { unref?: () => void }).unref?.();

  return {
    instanceId,
    newCallId,
    async locate(callId) {
      const instance = callInstanceOf(callId);
      if (instance === undefined || instance === instanceId) return undefined;
      const key = keyOf(instance);
      try {
        const url = await command(['GET', key], key);
        if (typeof url !== 'string' || !URL.canParse(url)) return undefined;
        // An instance answers over HTTP(S) at an origin; anything else in Redis is not one.
        const parsed = new URL(url);
        return parsed.protocol === 'http:' || parsed.protocol === 'https:'
          ? new URL(parsed.origin)
          : undefined;
      } catch {
        return undefined;
      }
    },
    async close() {
      if (heartbeat === undefined) return;
      clearInterval(heartbeat);
      heartbeat = undefined;
      // Its calls ended with it: no instance should route to it any more (after a registration
      // still on its way, which would otherwise bring the key back).
      await registering;
      await command(['DEL', own], own).catch(() => {});
    },
  };
}
