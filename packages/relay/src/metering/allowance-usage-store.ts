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
  /**
   * Its settlement with the shared store, once retired: what was used, and what its responses
   * in progress hold as if used (each of those later corrects it by its own settlement).
   */
  settled: Promise<boolean> | undefined;
}

/**
 * A shared usage store (Redis) behind a local allowance: instead of two round trips a
 * response, a relay takes several responses' worth of a tenant's tokens and budget at once
 * and hands them out itself. The next allowance is taken ahead, once the live one can cover
 * fewer than a quarter of its responses, so a response rarely waits for a round trip. An
 * allowance is settled (what was used, and what its responses in progress hold; the rest given
 * back) when the next one replaces it, when it is `maxAgeMs` old, when its window ends, or when
 * a response spends a token or budget cap. A response still running then corrects the count
 * through the live allowance of the same windows (by a settlement of its own when there is
 * none), so sessions running at once cost no round trip each. Audio is counted with the
 * allowance, so an audio cap is enforced within `maxAgeMs`. The shared counters are never less
 * than what was used, so relays sharing a cap still stop within a response of it; near the
 * cap, where less than a whole allowance is left, the live one's last tokens are given back and
 * every response goes to the shared store as without one. The price: the shared counters run
 * ahead of use by what allowances hold (two per tenant at most: the live one and the one taken
 * ahead; another relay may be refused the tenant's last tokens for up to `maxAgeMs`), and a
 * relay that dies leaves what it held counted until the window ends. A settlement that fails is
 * not retried (its outcome is unknown): the counters keep the allowance whole, never less than
 * was used.
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
  /** Settlements in flight, for `close` to wait on. */
  const settling = new Set<Promise<boolean>>();
  /** Which allowance a reservation was handed out from. */
  const handedOut = new WeakMap<Reservation, Allowance>();
  const capsKeys = new WeakMap<readonly MeterCap[], string>();
  /** The allowance taken ahead for each key, to hand out once the active one is spent. */
  const ready = new Map<string, Allowance>();
  /** Grants from the shared store in flight, by key: one at a time per tenant and caps. */
  const granting = new Map<string, Promise<Allowance | undefined>>();
  /** Keys whose last grant found less than a whole allowance left: direct until then. */
  const nearCapUntil = new Map<string, number>();
  let closed = false;

  const keyOf = (tenant: string, caps: readonly MeterCap[]) => {
    let key = capsKeys.get(caps);
    if (key === undefined) {
      key = caps.map((cap) => `${cap.meter}/${cap.window}/${cap.limit}`).join(',');
      capsKeys.set(caps, key);
    }
    return `${tenant}\u0000${key}`;
  };

  const retire = (allowance: Allowance): Promise<boolean> => {
    if (allowance.settled !== undefined) return allowance.settled;
    if (active.get(allowance.key) === allowance) active.delete(allowance.key);
    if (ready.get(allowance.key) === allowance) ready.delete(allowance.key);
    const settled = inner.settle(
      allowance.reservation,
      add(allowance.used, allowance.held, 1),
      allowance.caps,
      now(),
    );
    allowance.settled = settled;
    settling.add(settled);
    const forget = () => settling.delete(settled);
    settled.then(forget, forget);
    return settled;
  };

  const sweep = () => {
    const at = now();
    for (const allowance of [...active.values(), ...ready.values()]) {
      if (at - allowance.grantedMs >= maxAgeMs || at >= allowance.expiresMs) {
        retire(allowance).catch(() => {});
      }
    }
    for (const [key, until] of nearCapUntil) if (at >= until) nearCapUntil.delete(key);
  };
  let timer: ReturnType<typeof setInterval> | undefined;
  const startSweeping = () => {
    if (timer !== undefined || closed) return;
    timer = setInterval(sweep, Math.max(50, Math.floor(maxAgeMs / 4)));
    // The sweep must not keep a process alive that has nothing else to do.
    (timer as { unref?: () => void }).unref?.();
  };

  /** Whether `allowance` still hands out at `nowMs`. */
  const live = (allowance: Allowance, nowMs: number) =>
    allowance.settled === undefined &&
    nowMs - allowance.grantedMs < maxAgeMs &&
    nowMs < allowance.expiresMs;

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

  /** A reservation of the whole `request` from `allowance`, or `undefined` when it cannot cover it. */
  const handOut = (allowance: Allowance, request: ReserveRequest, nowMs: number) => {
    if (!live(allowance, nowMs)) return undefined;
    const granted = grantable(allowance, request);
    if (granted < request.outputTokens) return undefined;
    const amounts = reservedAmounts(granted, request);
    // The reservation the store would make: never more µUSD than the allowance still holds.
    if (
      amounts.microUsd >
      allowance.reservation.amounts.microUsd - allowance.used.microUsd - allowance.held.microUsd
    ) {
      return undefined;
    }
    allowance.held = add(allowance.held, amounts, 1);
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
    const asked = times(request, scale);
    const made = inner.reserve(tenant, caps, asked, at).then((granted): Allowance | undefined => {
      if (!granted.ok) {
        nearCapUntil.set(key, at + maxAgeMs);
        return undefined;
      }
      const { reservation } = granted;
      if (reservation.outputTokens < asked.outputTokens) {
        // Less than a whole allowance is left: give it back, and go to the store for each
        // response near the cap for a while.
        nearCapUntil.set(key, at + maxAgeMs);
        const back = inner.settle(reservation, NO_USAGE, caps, at);
        settling.add(back);
        back.then(
          () => settling.delete(back),
          () => settling.delete(back),
        );
        return undefined;
      }
      const allowance: Allowance = {
        key,
        caps,
        reservation,
        grantedMs: at,
        expiresMs: Math.min(...reservation.windows.map((window) => window.endMs)),
        used: NO_USAGE,
        held: NO_USAGE,
        settled: undefined,
      };
      startSweeping();
      return allowance;
    });
    granting.set(key, made);
    const forget = () => granting.delete(key);
    made.then(forget, forget);
    return made;
  };

  /** Makes `next` the allowance that hands out for `key`; the one it replaces is settled. */
  const promote = (key: string, next: Allowance) => {
    if (ready.get(key) === next) ready.delete(key);
    const previous = active.get(key);
    if (previous === next) return;
    if (previous !== undefined) retire(previous).catch(() => {});
    active.set(key, next);
  };

  /**
   * Takes the next allowance ahead, while `current` can still cover a few responses like
   * `request`: a response then rarely waits for a grant's round trip.
   */
  const prefetch = (
    current: Allowance,
    tenant: string,
    caps: readonly MeterCap[],
    request: ReserveRequest,
    nowMs: number,
  ) => {
    const key = current.key;
    if (ready.has(key) || granting.has(key)) return;
    const ahead = Math.max(1, Math.ceil(scale / 4));
    if (grantable(current, times(request, ahead)) >= request.outputTokens * ahead) return;
    grant(key, tenant, caps, request, nowMs).then(
      (next) => {
        // A response that waited for this grant may have promoted it already.
        if (next !== undefined && active.get(key) !== next) ready.set(key, next);
      },
      () => {},
    );
  };

  /**
   * After a settlement into `allowance`: whether it must be settled now, because a held meter a
   * cap counts is spent (the shared store decides whether the cap is reached). Audio is settled
   * with the allowance, within `maxAgeMs`.
   */
  const mustSettle = (allowance: Allowance, used: MeterAmounts, caps: readonly MeterCap[]) =>
    caps.some(
      (cap) =>
        HELD.includes(cap.meter) &&
        used[cap.meter] > 0 &&
        allowance.reservation.amounts[cap.meter] - allowance.used[cap.meter] <= 0,
    );

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
      if (caps.length === 0 || closed) return inner.reserve(tenant, caps, request, nowMs);
      const key = keyOf(tenant, caps);
      const nearCap = (nearCapUntil.get(key) ?? 0) > nowMs;
      for (let attempt = 0; attempt < 2; attempt++) {
        const current = active.get(key);
        if (current !== undefined) {
          const handed = handOut(current, request, nowMs);
          if (handed !== undefined) {
            if (!nearCap) prefetch(current, tenant, caps, request, nowMs);
            return handed;
          }
          // Too old, or near a cap (its last tokens are given back before this response goes
          // to the store alone): settled now. Otherwise it hands out and takes corrections
          // until the next allowance replaces (and settles) it.
          if (nearCap || !live(current, nowMs)) retire(current).catch(() => {});
        }
        if (nearCap) break;
        const waiting = ready.get(key);
        const next =
          waiting !== undefined && live(waiting, nowMs)
            ? waiting
            : await grant(key, tenant, caps, request, nowMs);
        if (next === undefined || !live(next, nowMs)) break;
        promote(key, next);
        const handed = handOut(next, request, nowMs);
        if (handed !== undefined) {
          prefetch(next, tenant, caps, request, nowMs);
          return handed;
        }
      }
      // Near a cap: this response alone, as without an allowance.
      return inner.reserve(tenant, caps, request, nowMs);
    },

    settle(reservation, used, caps, nowMs): Promise<boolean> {
      const from = handedOut.get(reservation);
      if (from !== undefined) {
        handedOut.delete(reservation);
        if (from.settled !== undefined) {
          // Its allowance was settled while it ran, counting it whole. The correction (mostly
          // a give-back: a response rarely uses all it holds) rides with the tenant's live
          // allowance of the same windows instead of a round trip of its own: with sessions
          // running at once, an allowance is often settled with several of them in flight.
          const correct = (current: Allowance | undefined): Promise<boolean> => {
            if (current === undefined || !live(current, now()) || !sameWindows(current, from)) {
              return inner.settle(reservation, used, caps, nowMs);
            }
            const correction = add(used, reservation.amounts, -1);
            current.used = add(current.used, correction, 1);
            return mustSettle(current, correction, caps) ? retire(current) : Promise.resolve(false);
          };
          const pending = active.has(from.key) ? undefined : granting.get(from.key);
          return pending === undefined
            ? correct(active.get(from.key))
            : pending.then(correct, () => inner.settle(reservation, used, caps, nowMs));
        }
        from.held = add(from.held, reservation.amounts, -1);
        from.used = add(from.used, used, 1);
        return mustSettle(from, used, caps) ? retire(from) : Promise.resolve(false);
      }
      // Usage no response reserved (a response the upstream started, input audio): added to the
      // tenant's live allowance, when it has one, instead of a round trip of its own.
      const current = caps.length > 0 ? active.get(keyOf(reservation.tenant, caps)) : undefined;
      if (
        current === undefined ||
        !live(current, nowMs) ||
        HELD.some((meter) => reservation.amounts[meter] !== 0)
      ) {
        return inner.settle(reservation, used, caps, nowMs);
      }
      current.used = add(current.used, used, 1);
      return mustSettle(current, used, caps) ? retire(current) : Promise.resolve(false);
    },

    async close() {
      closed = true;
      if (timer !== undefined) clearInterval(timer);
      timer = undefined;
      for (const allowance of [...active.values(), ...ready.values()]) {
        retire(allowance).catch(() => {});
      }
      await Promise.allSettled([...settling]);
      await inner.close?.();
    },
  };
}

/** Whether two allowances count in the same windows (a window that ended is another counter). */
function sameWindows(a: Allowance, b: Allowance): boolean {
  const ours = a.reservation.windows;
  const theirs = b.reservation.windows;
  return (
    ours.length === theirs.length &&
    ours.every((window, index) => window.key === theirs[index]?.key)
  );
}

/** `request` as `count` such responses ask for it together. */
function times(request: ReserveRequest, count: number): ReserveRequest {
  return {
    outputTokens: request.outputTokens * count,
    microUsdPerOutputToken: request.microUsdPerOutputToken,
    inputTokens: request.inputTokens * count,
    inputMicroUsd: request.inputMicroUsd * count,
  };
}

function add(a: MeterAmounts, b: MeterAmounts, sign: 1 | -1): MeterAmounts {
  const out = { ...a };
  for (const meter of METERS) out[meter] = a[meter] + sign * b[meter];
  return out;
}
