import { boundedRedisCommand, hex, type RedisCommand, randomHex } from '../redis/redis-command.ts';
import {
  EXHAUSTED_SCRIPT,
  OPEN_SESSION_SCRIPT,
  RENEW_SCRIPT,
  RESERVE_SCRIPT,
  SETTLE_SCRIPT,
} from './redis-scripts.ts';
import {
  type Exhausted,
  type Meter,
  type MeterAmounts,
  type MeterCap,
  NO_USAGE,
  type Reservation,
  type ReserveRequest,
  reservedAmounts,
  type SessionLease,
  type UsageStore,
} from './usage-store.ts';
import { cappedMeters, capWindows, secondsUntil, usageWindow, windowKind } from './usage-window.ts';

/** Options of {@link RedisUsageStore}. */
export interface RedisUsageStoreOptions {
  /** How long an open session counts without its relay renewing it (default 30 s). */
  readonly leaseMs?: number;
  /** How long a command may take before it counts as failed (default 1 s). */
  readonly commandTimeoutMs?: number;
  /** Prefix of every key (default `rtwire`). */
  readonly prefix?: string;
  /** The clock (ms), for tests. */
  readonly now?: () => number;
  /** Called by {@link RedisUsageStore.close} once the heartbeat stopped: a connection the store owns is closed here. */
  readonly onClose?: () => Promise<void> | void;
}

/** A counter outlives its window a little, so a late settlement still finds it. */
const WINDOW_GRACE_MS = 60_000;

/**
 * A usage store on Redis (or anything that speaks its commands and Lua), shared by every relay
 * that points at it, so a tenant's limits hold across them. Each operation is one round trip
 * (a Lua script: atomic, so relays racing to a cap overshoot it by at most the reservations
 * in flight); a response costs two (reserve, settle). A counter is kept for each cap, and only
 * for caps (a meter no cap reads in a window is not counted there; a cap added mid-window
 * counts from then). Keys are
 * `<prefix>:{t:<tenant>}:<meter>:<window>` and `<prefix>:{t:<tenant>}:sessions`: one hash tag
 * per tenant, so they work on Redis Cluster. Open sessions are leases that this store renews
 * every third of `leaseMs`; a relay that dies stops counting once its leases lapse. A command
 * that fails or takes longer than `commandTimeoutMs` rejects: the caller decides (fail open or
 * closed). Call {@link close} to stop renewing.
 *
 * @example
 * ```ts
 * import { createClient } from '@redis/client';
 *
 * const client = createClient({ url: 'redis://127.0.0.1:6379', disableOfflineQueue: true });
 * client.on('error', () => {}); // the store reports failures; node-redis reconnects
 * await client.connect();
 * const store = new RedisUsageStore((args) => client.sendCommand(args));
 * const host = createRelayHost({ ...relay, usageStore: store });
 * ```
 */
export class RedisUsageStore implements UsageStore {
  readonly #command: RedisCommand;
  readonly #leaseMs: number;
  readonly #prefix: string;
  readonly #now: () => number;
  readonly #onClose: (() => Promise<void> | void) | undefined;
  /** This relay's leases, by tenant: what the heartbeat renews. */
  readonly #leases = new Map<string, Set<string>>();
  readonly #instance = randomHex(8);
  #nextLease = 0;
  #heartbeat: ReturnType<typeof setInterval> | undefined;
  readonly #digests = new Map<string, Promise<string>>();

  constructor(command: RedisCommand, options: RedisUsageStoreOptions = {}) {
    this.#command = boundedRedisCommand(command, options.commandTimeoutMs ?? 1_000);
    this.#leaseMs = options.leaseMs ?? 30_000;
    this.#prefix = options.prefix ?? 'rtwire';
    this.#now = options.now ?? Date.now;
    this.#onClose = options.onClose;
  }

  async openSession(
    tenant: string,
    cap: number | undefined,
    nowMs: number,
  ): Promise<{ readonly ok: true; readonly lease: SessionLease } | Exhausted> {
    const id = `${this.#instance}:${++this.#nextLease}`;
    const key = this.#sessionsKey(tenant);
    const reply = await this.#eval(
      OPEN_SESSION_SCRIPT,
      [key],
      [
        String(nowMs),
        String(nowMs + this.#leaseMs),
        id,
        cap === undefined ? '' : String(cap),
        String(this.#leaseMs * 2),
      ],
    );
    const [ok, waitMs] = pair(reply);
    if (ok !== 1) {
      return {
        ok: false,
        cap: 'concurrentSessions',
        retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)),
      };
    }
    const held = this.#leases.get(tenant) ?? new Set<string>();
    held.add(id);
    this.#leases.set(tenant, held);
    this.#startHeartbeat();
    return { ok: true, lease: { tenant, id } };
  }

  async renewSession(lease: SessionLease, nowMs: number): Promise<void> {
    await this.#renew(lease.tenant, [lease.id], nowMs);
  }

  async closeSession(lease: SessionLease): Promise<void> {
    const held = this.#leases.get(lease.tenant);
    held?.delete(lease.id);
    if (held?.size === 0) this.#leases.delete(lease.tenant);
    if (this.#leases.size === 0) this.#stopHeartbeat();
    const key = this.#sessionsKey(lease.tenant);
    await this.#command(['ZREM', key, lease.id], key);
  }

  async exhausted(
    tenant: string,
    caps: readonly MeterCap[],
    nowMs: number,
  ): Promise<Exhausted | undefined> {
    if (caps.length === 0) return undefined;
    const windows = caps.map((cap) => usageWindow(cap.window, nowMs));
    const reply = await this.#eval(
      EXHAUSTED_SCRIPT,
      caps.map((cap, index) => this.#counterKey(tenant, cap.meter, windowKey(windows, index))),
      caps.map((cap) => String(cap.limit)),
    );
    const index = Number(reply);
    if (!(index >= 1)) return undefined;
    return reached(caps, windows, index - 1, nowMs);
  }

  async reserve(
    tenant: string,
    caps: readonly MeterCap[],
    request: ReserveRequest,
    nowMs: number,
  ): Promise<{ readonly ok: true; readonly reservation: Reservation } | Exhausted> {
    if (caps.length === 0) {
      const { outputTokens } = request;
      return { ok: true, reservation: { tenant, outputTokens, amounts: NO_USAGE, windows: [] } };
    }
    const windows = caps.map((cap) => usageWindow(cap.window, nowMs));
    const counted = capWindows(caps, nowMs);
    const keys = caps.map((cap, index) =>
      this.#counterKey(tenant, cap.meter, windowKey(windows, index)),
    );
    const args = [
      String(caps.length),
      String(request.outputTokens),
      String(request.microUsdPerOutputToken),
      String(request.inputTokens),
      String(request.inputMicroUsd),
    ];
    for (const cap of caps) args.push(String(cap.limit), limitKind(cap.meter));
    for (const window of counted) {
      const capped = cappedMeters(caps, windowKind(window.key));
      for (const [meter, kind] of RESERVED_METERS) {
        if (!capped.includes(meter)) continue;
        keys.push(this.#counterKey(tenant, meter, window.key));
        args.push(kind, String(window.endMs + WINDOW_GRACE_MS));
      }
    }
    const [ok, value] = pair(await this.#eval(RESERVE_SCRIPT, keys, args));
    if (ok !== 1) return reached(caps, windows, value - 1, nowMs);
    return {
      ok: true,
      reservation: {
        tenant,
        outputTokens: value,
        amounts: reservedAmounts(value, request),
        windows: counted.map(({ key, endMs }) => ({ key, endMs })),
      },
    };
  }

  async settle(
    reservation: Reservation,
    used: MeterAmounts,
    caps: readonly MeterCap[],
    nowMs: number,
  ): Promise<boolean> {
    const keys: string[] = [];
    const args: string[] = [];
    for (const window of reservation.windows) {
      for (const meter of cappedMeters(caps, windowKind(window.key))) {
        const change = Math.round(used[meter]) - reservation.amounts[meter];
        if (change === 0) continue;
        keys.push(this.#counterKey(reservation.tenant, meter, window.key));
        args.push(String(change), String(window.endMs + WINDOW_GRACE_MS));
      }
    }
    const changes = keys.length;
    for (const cap of caps) {
      keys.push(
        this.#counterKey(reservation.tenant, cap.meter, usageWindow(cap.window, nowMs).key),
      );
      args.push(String(cap.limit));
    }
    if (keys.length === 0) return false;
    const reply = await this.#eval(SETTLE_SCRIPT, keys, [String(changes), ...args]);
    return Number(reply) > 0;
  }

  /**
   * Stops renewing this relay's leases (those still held lapse within the lease time), then
   * calls `onClose`.
   */
  async close(): Promise<void> {
    this.#stopHeartbeat();
    await this.#onClose?.();
  }

  #startHeartbeat(): void {
    if (this.#heartbeat !== undefined) return;
    this.#heartbeat = setInterval(
      () => {
        const now = this.#now();
        for (const [tenant, ids] of this.#leases) {
          // A failed renewal is retried at the next beat; the lease outlives two misses.
          this.#renew(tenant, [...ids], now).catch(() => {});
        }
      },
      Math.max(100, Math.floor(this.#leaseMs / 3)),
    );
    // A heartbeat must not keep a process alive that has nothing else to do.
    (this.#heartbeat as { unref?: () => void }).unref?.();
  }

  #stopHeartbeat(): void {
    if (this.#heartbeat === undefined) return;
    clearInterval(this.#heartbeat);
    this.#heartbeat = undefined;
  }

  async #renew(tenant: string, ids: readonly string[], nowMs: number): Promise<void> {
    if (ids.length === 0) return;
    await this.#eval(
      RENEW_SCRIPT,
      [this.#sessionsKey(tenant)],
      [String(nowMs + this.#leaseMs), String(this.#leaseMs * 2), ...ids],
    );
  }

  #sessionsKey(tenant: string): string {
    return `${this.#prefix}:{t:${tenant}}:sessions`;
  }

  #counterKey(tenant: string, meter: Meter, window: string): string {
    return `${this.#prefix}:{t:${tenant}}:${meter}:${window}`;
  }

  /** `EVALSHA`, or `EVAL` when the server does not know the script yet (one round trip either way, but the first). */
  async #eval(script: string, keys: readonly string[], args: readonly string[]): Promise<unknown> {
    const digest = await this.#digest(script);
    const key = keys[0] ?? '';
    const tail = [String(keys.length), ...keys, ...args];
    try {
      return await this.#command(['EVALSHA', digest, ...tail], key);
    } catch (error) {
      if (!String((error as { message?: unknown } | undefined)?.message).includes('NOSCRIPT')) {
        throw error;
      }
      return await this.#command(['EVAL', script, ...tail], key);
    }
  }

  #digest(script: string): Promise<string> {
    let digest = this.#digests.get(script);
    if (digest === undefined) {
      digest = crypto.subtle
        .digest('SHA-1', new TextEncoder().encode(script))
        .then((bytes) => hex(new Uint8Array(bytes)));
      this.#digests.set(script, digest);
    }
    return digest;
  }
}

/** What a reservation adds to, in each window (the script's names for `reservedAmounts`). */
const RESERVED_METERS: readonly (readonly [Meter, 't' | 'i' | 'o' | 'b'])[] = [
  ['tokens', 't'],
  ['inputTokens', 'i'],
  ['outputTokens', 'o'],
  ['microUsd', 'b'],
];

/** How a cap limits a response: all its tokens, its output, its price, or only once spent. */
function limitKind(meter: Meter): 't' | 'o' | 'b' | 's' {
  switch (meter) {
    case 'tokens':
      return 't';
    case 'outputTokens':
      return 'o';
    case 'microUsd':
      return 'b';
    default:
      return 's';
  }
}

function windowKey(windows: readonly { readonly key: string }[], index: number): string {
  return (windows[index] as { readonly key: string }).key;
}

function reached(
  caps: readonly MeterCap[],
  windows: readonly { readonly endMs: number }[],
  index: number,
  nowMs: number,
): Exhausted {
  const cap = caps[index] as MeterCap;
  const endMs = (windows[index] as { readonly endMs: number }).endMs;
  return { ok: false, cap, retryAfterSeconds: secondsUntil(endMs, nowMs) };
}

/** A script's `{a, b}` reply as two numbers (`NaN` for anything else). */
function pair(reply: unknown): [number, number] {
  if (!Array.isArray(reply)) return [Number.NaN, Number.NaN];
  return [Number(reply[0]), Number(reply[1])];
}
