import {
  type Exhausted,
  type Meter,
  type MeterAmounts,
  type MeterCap,
  type Reservation,
  type ReserveRequest,
  reservedAmounts,
  type SessionLease,
  type UsageStore,
} from './usage-store.ts';
import { cappedMeters, capWindows, secondsUntil, usageWindow, windowKind } from './usage-window.ts';

/** How often counters of ended windows are swept (a minute cap leaves one key a minute). */
const SWEEP_EVERY_MS = 60_000;

/**
 * The usage store of one relay: counts in this process, gone with it. The default when no
 * shared store is configured; every operation completes at once (atomic by construction). As
 * on Redis, a counter is kept for each cap and only for caps.
 *
 * @example
 * ```ts
 * const store = new MemoryUsageStore();
 * const opened = await store.openSession('acme', 20, Date.now());
 * ```
 */
export class MemoryUsageStore implements UsageStore {
  /**
   * The counters, by window key, then tenant, then meter. Nested rather than one map of joined
   * keys: the window keys and tenants are the same strings on every call (their hashes kept), so
   * a response's three changes build no key and hash nothing anew.
   */
  readonly #windows = new Map<string, WindowCounters>();
  readonly #sessions = new Map<string, Set<string>>();
  #nextLease = 0;
  #nextSweepMs = 0;

  async openSession(
    tenant: string,
    cap: number | undefined,
    _nowMs: number,
  ): Promise<{ readonly ok: true; readonly lease: SessionLease } | Exhausted> {
    const held = this.#sessions.get(tenant) ?? new Set<string>();
    if (cap !== undefined && held.size >= cap) {
      return { ok: false, cap: 'concurrentSessions', retryAfterSeconds: 1 };
    }
    const id = `lease_${++this.#nextLease}`;
    held.add(id);
    this.#sessions.set(tenant, held);
    return { ok: true, lease: { tenant, id } };
  }

  async renewSession(): Promise<void> {}

  async closeSession(lease: SessionLease): Promise<void> {
    const held = this.#sessions.get(lease.tenant);
    held?.delete(lease.id);
    if (held?.size === 0) this.#sessions.delete(lease.tenant);
  }

  async exhausted(
    tenant: string,
    caps: readonly MeterCap[],
    nowMs: number,
  ): Promise<Exhausted | undefined> {
    for (const cap of caps) {
      const window = usageWindow(cap.window, nowMs);
      if (this.#read(tenant, cap.meter, window.key, nowMs) >= cap.limit) {
        return { ok: false, cap, retryAfterSeconds: secondsUntil(window.endMs, nowMs) };
      }
    }
    return undefined;
  }

  async reserve(
    tenant: string,
    caps: readonly MeterCap[],
    request: ReserveRequest,
    nowMs: number,
  ): Promise<{ readonly ok: true; readonly reservation: Reservation } | Exhausted> {
    this.#sweep(nowMs);
    let granted = request.outputTokens;
    for (const cap of caps) {
      const window = usageWindow(cap.window, nowMs);
      const left = cap.limit - this.#read(tenant, cap.meter, window.key, nowMs);
      const room = roomFor(cap.meter, left, request, granted);
      if (room < 1) return { ok: false, cap, retryAfterSeconds: secondsUntil(window.endMs, nowMs) };
      granted = Math.min(granted, room);
    }
    const amounts = reservedAmounts(granted, request);
    const windows = capWindows(caps, nowMs);
    this.#add(tenant, caps, windows, amounts, 1);
    return {
      ok: true,
      reservation: {
        tenant,
        outputTokens: granted,
        amounts,
        windows: windows.map(({ key, endMs }) => ({ key, endMs })),
      },
    };
  }

  async settle(
    reservation: Reservation,
    used: MeterAmounts,
    caps: readonly MeterCap[],
    nowMs: number,
  ): Promise<boolean> {
    this.#sweep(nowMs);
    this.#add(reservation.tenant, caps, reservation.windows, reservation.amounts, -1);
    this.#add(reservation.tenant, caps, reservation.windows, used, 1);
    return (await this.exhausted(reservation.tenant, caps, nowMs)) !== undefined;
  }

  /** Forgets the counters of windows that ended, at most once a minute. */
  #sweep(nowMs: number): void {
    if (nowMs < this.#nextSweepMs) return;
    this.#nextSweepMs = nowMs + SWEEP_EVERY_MS;
    for (const [key, window] of this.#windows) {
      if (window.endMs <= nowMs) this.#windows.delete(key);
    }
  }

  /** How many counters are kept (for tests of the sweep). */
  get size(): number {
    let size = 0;
    for (const window of this.#windows.values()) {
      for (const counters of window.tenants.values()) size += Object.keys(counters).length;
    }
    return size;
  }

  #read(tenant: string, meter: Meter, key: string, nowMs: number): number {
    const window = this.#windows.get(key);
    if (window === undefined) return 0;
    if (window.endMs <= nowMs) {
      this.#windows.delete(key);
      return 0;
    }
    return window.tenants.get(tenant)?.[meter] ?? 0;
  }

  /** The counters of `tenant` in the window `key` (ending at `endMs`), made when missing. */
  #countersOf(tenant: string, key: string, endMs: number): Partial<Record<Meter, number>> {
    let window = this.#windows.get(key);
    if (window === undefined) {
      window = { endMs, tenants: new Map() };
      this.#windows.set(key, window);
    }
    let counters = window.tenants.get(tenant);
    if (counters === undefined) {
      counters = {};
      window.tenants.set(tenant, counters);
    }
    return counters;
  }

  /** Adds `amounts` (`sign` −1: takes them off) to the counters of `caps` in `windows`. */
  #add(
    tenant: string,
    caps: readonly MeterCap[],
    windows: readonly { readonly key: string; readonly endMs: number }[],
    amounts: MeterAmounts,
    sign: 1 | -1,
  ): void {
    for (const { key, endMs } of windows) {
      let counters: Partial<Record<Meter, number>> | undefined;
      for (const meter of cappedMeters(caps, windowKind(key))) {
        const amount = amounts[meter];
        if (amount === 0) continue;
        counters ??= this.#countersOf(tenant, key, endMs);
        counters[meter] = (counters[meter] ?? 0) + sign * amount;
      }
    }
  }
}

/** The counters of one window: its end, for forgetting them, and each tenant's by meter. */
interface WindowCounters {
  readonly endMs: number;
  readonly tenants: Map<string, Partial<Record<Meter, number>>>;
}

/**
 * How many output tokens a cap leaves room for: its remainder (less the expected input) for
 * token caps, that over the rate for the budget; meters a response cannot be held to (input
 * tokens, audio) leave room for everything until they are spent.
 */
function roomFor(meter: Meter, left: number, request: ReserveRequest, wanted: number): number {
  switch (meter) {
    case 'tokens':
      return Math.floor(left - request.inputTokens);
    case 'outputTokens':
      return Math.floor(left);
    case 'microUsd': {
      const forOutput = left - request.inputMicroUsd;
      if (request.microUsdPerOutputToken > 0)
        return Math.floor(forOutput / request.microUsdPerOutputToken);
      return forOutput > 0 ? wanted : 0;
    }
    default:
      return left > 0 ? wanted : 0;
  }
}
