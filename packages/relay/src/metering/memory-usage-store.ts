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
  /** `tenant|meter|window key` → amount, with the window's end for forgetting it. */
  readonly #counters = new Map<string, { amount: number; endMs: number }>();
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
    for (const [id, counter] of this.#counters) {
      if (counter.endMs <= nowMs) this.#counters.delete(id);
    }
  }

  /** How many counters are kept (for tests of the sweep). */
  get size(): number {
    return this.#counters.size;
  }

  #read(tenant: string, meter: Meter, key: string, nowMs: number): number {
    const counter = this.#counters.get(`${tenant}|${meter}|${key}`);
    if (counter === undefined) return 0;
    if (counter.endMs <= nowMs) {
      this.#counters.delete(`${tenant}|${meter}|${key}`);
      return 0;
    }
    return counter.amount;
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
      for (const meter of cappedMeters(caps, windowKind(key))) {
        const amount = amounts[meter];
        if (amount === 0) continue;
        const id = `${tenant}|${meter}|${key}`;
        const counter = this.#counters.get(id) ?? { amount: 0, endMs };
        counter.amount += sign * amount;
        this.#counters.set(id, counter);
      }
    }
  }
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
