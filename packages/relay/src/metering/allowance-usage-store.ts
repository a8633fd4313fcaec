import {
  type Exhausted,
  METERS,
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

/** Options of {@link withLocalAllowance}. */
export interface LocalAllowanceOptions {
  /**
   * How many responses' worth of a tenant's tokens and budget one grant from the shared store
   * holds (default 8): the relay takes that much at once and hands it out itself.
   */
  readonly responses?: number;
  /**
   * How long an allowance hands out before it is settled and its unused part given back
   * (default 1000 ms): how stale the shared counters may be, and how long another relay may
   * find the tenant's last tokens held here.
   */
  readonly maxAgeMs?: number;
  /** The clock (ms), for tests. */
  readonly now?: () => number;
}

/** The meters a reservation holds ahead; the others (audio) are only ever settled. */
const HELD: readonly Meter[] = ['tokens', 'inputTokens', 'outputTokens', 'microUsd'];

/** A grant from the shared store that this relay hands out in responses. */
interface Allowance {
  readonly key: string;
  readonly caps: readonly MeterCap[];
  readonly reservation: Reservation;
  readonly grantedMs: number;
  /** When the first of its windows ends: nothing is handed out from it after. */
  readonly expiresMs: number;
  /** What its responses (and the tenant's other usage while it lasted) used, settled. */
  used: MeterAmounts;
  /** What its responses in progress hold. */
  held: MeterAmounts;
  /** Its responses in progress. */
  open: number;
  /** No longer handed out: settled once its last response is. */
  retired: boolean;
  /** Its settlement, once started; `undefined` again after a failed one (retried). */
  settling: Promise<boolean> | undefined;
  /** Settlements of its responses that wait for its own (a cap may be reached). */
  readonly waiting: { resolve(reached: boolean): void; reject(error: unknown): void }[];
}

/**
 * A shared usage store (Redis) behind a local allowance: instead of two round trips a
 * response, a relay takes several responses' worth of a tenant's tokens and budget at once
 * and hands them out itself, settling what was used (and giving back the rest) when the
 * allowance is a second old, its window ends, or it cannot cover a response. What the shared
 * counters hold is never less than what was used, so relays sharing a cap still stop within a
 * response of it; near the cap, where less than a whole allowance is left, every response
 * goes to the shared store as without one. The price: the shared counters run ahead of use
 * by what allowances hold (a relay may be refused while another holds the tenant's last
 * tokens, for at most `maxAgeMs`), and a response that reaches a cap is told when its
 * allowance settles, within about a response of its end.
 *
 * @example
 * ```ts
 * const store = withLocalAllowance(new RedisUsageStore(command), { responses: 8 });
 * const host = createRelayHost({ ...relay, usageStore: store });
 * ```
 */
export function withLocalAllowance(
  inner: UsageStore,
  options: LocalAllowanceOptions = {},
): UsageStore & { close(): Promise<void> } {
  const scale = Math.max(1, Math.floor(options.responses ?? 8));
  const maxAgeMs = options.maxAgeMs ?? 1_000;
  const now = options.now ?? Date.now;
  const active = new Map<string, Allowance>();
  const retired = new Set<Allowance>();
  /** Which allowance a reservation was handed out from. */
  const handedOut = new WeakMap<Reservation, Allowance>();
  const capsKeys = new WeakMap<readonly MeterCap[], string>();
  /** Grants from the shared store in flight, by key: one at a time per tenant and caps. */
  const granting = new Map<string, Promise<Allowance | undefined>>();

  const keyOf = (tenant: string, caps: readonly MeterCap[]) => {
    let key = capsKeys.get(caps);
    if (key === undefined) {
      key = caps.map((cap) => `${cap.meter}/${cap.window}/${cap.limit}`).join(',');
      capsKeys.set(caps, key);
    }
    return `${tenant}\u0000${key}`;
  };

  const settleAllowance = (allowance: Allowance): void => {
    if (allowance.settling !== undefined || allowance.open > 0) return;
    const settling = inner.settle(allowance.reservation, allowance.used, allowance.caps, now());
    allowance.settling = settling;
    settling.then(
      (reached) => {
        retired.delete(allowance);
        for (const waiter of allowance.waiting.splice(0)) waiter.resolve(reached);
      },
      (error: unknown) => {
        // Kept, and tried again at the next sweep; what waits hears of the failure now.
        allowance.settling = undefined;
        for (const waiter of allowance.waiting.splice(0)) waiter.reject(error);
      },
    );
  };

  const retire = (allowance: Allowance): void => {
    if (allowance.retired) return;
    allowance.retired = true;
    if (active.get(allowance.key) === allowance) active.delete(allowance.key);
    retired.add(allowance);
    settleAllowance(allowance);
  };

  const sweep = () => {
    const at = now();
    for (const allowance of active.values()) {
      if (at - allowance.grantedMs >= maxAgeMs || at >= allowance.expiresMs) retire(allowance);
    }
    for (const allowance of retired) settleAllowance(allowance);
  };
  let timer: ReturnType<typeof setInterval> | undefined;
  const startSweeping = () => {
    if (timer !== undefined) return;
    timer = setInterval(sweep, Math.max(50, Math.floor(maxAgeMs / 4)));
    // The sweep must not keep a process alive that has nothing else to do.
    (timer as { unref?: () => void }).unref?.();
  };

  /** The most output tokens `allowance` can hand `request`, with its input held whole. */
  const grantable = (allowance: Allowance, request: ReserveRequest): number => {
    const left = (meter: Meter) =>
      allowance.reservation.amounts[meter] - allowance.used[meter] - allowance.held[meter];
    if (left('inputTokens') < request.inputTokens) return 0;
    let most = Math.min(left('outputTokens'), left('tokens') - request.inputTokens);
    if (request.microUsdPerOutputToken > 0) {
      most = Math.min(
        most,
        Math.floor((left('microUsd') - request.inputMicroUsd) / request.microUsdPerOutputToken),
      );
    } else if (left('microUsd') < request.inputMicroUsd) {
      return 0;
    }
    return Math.max(0, Math.min(request.outputTokens, most));
  };

  const handOut = (allowance: Allowance, granted: number, request: ReserveRequest) => {
    const amounts = reservedAmounts(granted, request);
    allowance.held = add(allowance.held, amounts, 1);
    allowance.open++;
    const reservation: Reservation = {
      tenant: allowance.reservation.tenant,
      outputTokens: granted,
      amounts,
      windows: allowance.reservation.windows,
    };
    handedOut.set(reservation, allowance);
    return { ok: true as const, reservation };
  };

  /** A new allowance of `scale` responses like `request`, or `undefined` when that much is not left. */
  const grant = (
    key: string,
    tenant: string,
    caps: readonly MeterCap[],
    request: ReserveRequest,
    at: number,
  ): Promise<Allowance | undefined> => {
    const pending = granting.get(key);
    if (pending !== undefined) return pending;
    const asked: ReserveRequest = {
      outputTokens: request.outputTokens * scale,
      microUsdPerOutputToken: request.microUsdPerOutputToken,
      inputTokens: request.inputTokens * scale,
      inputMicroUsd: request.inputMicroUsd * scale,
    };
    const made = inner.reserve(tenant, caps, asked, at).then((granted): Allowance | undefined => {
      if (!granted.ok) return undefined;
      const { reservation } = granted;
      const allowance: Allowance = {
        key,
        caps,
        reservation,
        grantedMs: at,
        expiresMs: Math.min(...reservation.windows.map((window) => window.endMs)),
        used: NO_USAGE,
        held: NO_USAGE,
        open: 0,
        retired: false,
        settling: undefined,
        waiting: [],
      };
      // Less than a whole allowance was left: near the cap, hand out nothing ahead.
      if (reservation.outputTokens < asked.outputTokens) {
        allowance.retired = true;
        retired.add(allowance);
        settleAllowance(allowance);
        return undefined;
      }
      const previous = active.get(key);
      if (previous !== undefined) retire(previous);
      active.set(key, allowance);
      startSweeping();
      return allowance;
    });
    granting.set(key, made);
    const forget = () => granting.delete(key);
    made.then(forget, forget);
    return made;
  };

  return {
    openSession: (tenant, cap, nowMs) => inner.openSession(tenant, cap, nowMs),
    renewSession: (lease: SessionLease, nowMs) => inner.renewSession(lease, nowMs),
    closeSession: (lease) => inner.closeSession(lease),
    exhausted: (tenant, caps, nowMs) => inner.exhausted(tenant, caps, nowMs),

    async reserve(
      tenant,
      caps,
      request,
      nowMs,
    ): Promise<{ readonly ok: true; readonly reservation: Reservation } | Exhausted> {
      if (caps.length === 0) return inner.reserve(tenant, caps, request, nowMs);
      const key = keyOf(tenant, caps);
      for (let attempt = 0; attempt < 2; attempt++) {
        let allowance = active.get(key);
        if (
          allowance !== undefined &&
          (nowMs - allowance.grantedMs >= maxAgeMs || nowMs >= allowance.expiresMs)
        ) {
          retire(allowance);
          allowance = undefined;
        }
        if (allowance !== undefined) {
          const granted = grantable(allowance, request);
          if (granted >= request.outputTokens) return handOut(allowance, granted, request);
          // It cannot cover this response whole: let it drain, and take a new one.
          retire(allowance);
        }
        allowance = await grant(key, tenant, caps, request, nowMs);
        if (allowance === undefined) break;
        const granted = grantable(allowance, request);
        if (granted >= request.outputTokens) return handOut(allowance, granted, request);
      }
      // Near a cap: this response alone, as without an allowance.
      return inner.reserve(tenant, caps, request, nowMs);
    },

    settle(reservation, used, caps, nowMs): Promise<boolean> {
      let allowance = handedOut.get(reservation);
      if (allowance === undefined) {
        // Usage no response reserved (a response the upstream started, input audio): added to
        // the tenant's allowance, when it has one, instead of a round trip of its own.
        const current = caps.length > 0 ? active.get(keyOf(reservation.tenant, caps)) : undefined;
        if (current === undefined || HELD.some((meter) => reservation.amounts[meter] !== 0)) {
          return inner.settle(reservation, used, caps, nowMs);
        }
        allowance = current;
      } else {
        handedOut.delete(reservation);
        allowance.held = add(allowance.held, reservation.amounts, -1);
        allowance.open--;
      }
      allowance.used = add(allowance.used, used, 1);
      // Spent on a held meter, or audio counted against an audio cap: the shared store decides
      // whether a cap is reached, so the allowance is settled as soon as its responses are.
      const held = allowance.reservation.amounts;
      const spent = caps.some(
        (cap) =>
          HELD.includes(cap.meter) &&
          used[cap.meter] > 0 &&
          held[cap.meter] - (allowance as Allowance).used[cap.meter] <= 0,
      );
      const audioCapped = caps.some((cap) => !HELD.includes(cap.meter) && used[cap.meter] > 0);
      if (!spent && !audioCapped && !allowance.retired) return Promise.resolve(false);
      const waiting = allowance;
      return new Promise<boolean>((resolve, reject) => {
        waiting.waiting.push({ resolve, reject });
        if (waiting.retired) settleAllowance(waiting);
        else retire(waiting);
      });
    },

    async close() {
      if (timer !== undefined) clearInterval(timer);
      timer = undefined;
      for (const allowance of [...active.values()]) retire(allowance);
      // The host closes the store once its sessions are gone; a straggler dropped at shutdown
      // is counted as having used what it held.
      for (const allowance of retired) {
        if (allowance.open === 0) continue;
        allowance.used = add(allowance.used, allowance.held, 1);
        allowance.held = NO_USAGE;
        allowance.open = 0;
      }
      await Promise.allSettled(
        [...retired].map((allowance) => {
          settleAllowance(allowance);
          return allowance.settling ?? Promise.resolve(false);
        }),
      );
      await inner.close?.();
    },
  };
}

function add(a: MeterAmounts, b: MeterAmounts, sign: 1 | -1): MeterAmounts {
  const out = { ...a };
  for (const meter of METERS) out[meter] = a[meter] + sign * b[meter];
  return out;
}
