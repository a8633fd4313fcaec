/**
 * What a session's first response reads before anything is known of its conversation: the
 * instructions, tools and prompt the upstream adds, which no client frame shows. Metering holds
 * it with the first reservation of each new session, learnt from the first response of the
 * tenant's last session on the same model; without it, a crowd of new sessions racing to a cap
 * would each overshoot it by that much.
 *
 * One per relay host, shared by its sessions; bounded, the oldest key forgotten first.
 *
 * @example
 * ```ts
 * const opening = new OpeningContext();
 * opening.learn('acme', 'gpt-realtime', 1_200);
 * opening.expected('acme', 'gpt-realtime'); // 1200
 * opening.expected('acme', 'gpt-realtime-mini'); // 0
 * ```
 */
export class OpeningContext {
  readonly #tokens = new Map<string, number>();
  readonly #maxKeys: number;

  /** @param maxKeys How many tenant and model pairs are remembered (default 4096). */
  constructor(maxKeys = 4_096) {
    this.#maxKeys = Math.max(1, Math.floor(maxKeys));
  }

  /** The input tokens the first response of `tenant`'s next session on `model` is expected to read. */
  expected(tenant: string, model: string | undefined): number {
    return this.#tokens.get(keyOf(tenant, model)) ?? 0;
  }

  /** Records what the first response of a session of `tenant` on `model` read. */
  learn(tenant: string, model: string | undefined, inputTokens: number): void {
    if (!Number.isFinite(inputTokens) || inputTokens < 0) return;
    const key = keyOf(tenant, model);
    // Re-inserted, so the map's order is the order of use and the first key is the stalest.
    this.#tokens.delete(key);
    this.#tokens.set(key, Math.floor(inputTokens));
    if (this.#tokens.size > this.#maxKeys) {
      const stalest = this.#tokens.keys().next().value;
      if (stalest !== undefined) this.#tokens.delete(stalest);
    }
  }

  /** How many tenant and model pairs are remembered. */
  get size(): number {
    return this.#tokens.size;
  }
}

const keyOf = (tenant: string, model: string | undefined) => `${tenant}\u0000${model ?? ''}`;
