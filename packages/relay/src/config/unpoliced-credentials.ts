import { parseCredential } from '../host/admission.ts';
import type { RelayPolicy } from '../policy/relay-policy.ts';

/** Who a policy leaves unrestricted: no credential names a tenant it has, and it has no `default`. */
export interface UnpolicedCredentials {
  /** No `RELAY_TOKENS`: every client connects without a tenant. */
  readonly everyone: boolean;
  /** How many plain tokens (never the tokens themselves). */
  readonly plainTokens: number;
  /** Tenants of `RELAY_TOKENS` the policy does not name. */
  readonly tenants: readonly string[];
}

/**
 * Who would run with no policy at all under `policy` and `relayTokens`: only possible when the
 * policy has no `default` (which covers plain tokens, unknown tenants and, without tokens,
 * everyone). `undefined` when every credential gets a policy.
 *
 * @example
 * ```ts
 * const gap = findUnpolicedCredentials(policy, config.relayTokens);
 * if (gap) throw new Error(describeUnpolicedCredentials(gap));
 * ```
 */
export function findUnpolicedCredentials(
  policy: RelayPolicy,
  relayTokens: readonly string[],
): UnpolicedCredentials | undefined {
  if (policy.default !== undefined) return undefined;
  if (relayTokens.length === 0) return { everyone: true, plainTokens: 0, tenants: [] };
  let plainTokens = 0;
  const tenants = new Set<string>();
  for (const entry of relayTokens) {
    const { tenant } = parseCredential(entry);
    if (tenant === undefined) plainTokens++;
    else if (!Object.hasOwn(policy.tenants, tenant)) tenants.add(tenant);
  }
  if (plainTokens === 0 && tenants.size === 0) return undefined;
  return { everyone: false, plainTokens, tenants: [...tenants] };
}

/**
 * Says who {@link findUnpolicedCredentials} found, and how to fix it: counts and tenant names,
 * never a token.
 *
 * @example
 * ```ts
 * describeUnpolicedCredentials({ everyone: false, plainTokens: 2, tenants: [] });
 * // 'a "default" policy: without one, 2 plain tokens would run with no policy (…)'
 * ```
 */
export function describeUnpolicedCredentials(gap: UnpolicedCredentials): string {
  const who: string[] = [];
  if (gap.everyone) who.push('every client (RELAY_TOKENS is not set)');
  if (gap.plainTokens > 0) {
    who.push(`${gap.plainTokens} plain token${gap.plainTokens === 1 ? '' : 's'}`);
  }
  if (gap.tenants.length > 0) {
    const shown = gap.tenants.slice(0, 5).join(', ');
    const more = gap.tenants.length > 5 ? ` and ${gap.tenants.length - 5} more` : '';
    who.push(`the tenant${gap.tenants.length === 1 ? '' : 's'} ${shown}${more} of RELAY_TOKENS`);
  }
  return `a "default" policy: without one, ${who.join(' and ')} would run with no policy (add "default": {} to let them run unrestricted)`;
}
