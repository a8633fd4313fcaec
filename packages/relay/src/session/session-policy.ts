import type { ClientPolicyState } from '../policy/client-policy.ts';
import type { TenantPolicy } from '../policy/relay-policy.ts';
import type { ServerToolHandler } from '../policy/server-tools.ts';

/** One call of a server tool the upstream made, from its first event to its output. */
export interface ServerToolCallState {
  readonly itemId: string;
  readonly callId: string;
  readonly name: string;
  readonly responseId: string;
  readonly hidden: boolean;
  /** Aborted by cancel, barge-in or the session's end. */
  readonly abort: AbortController;
  /** Stops listening for the session's end (once the call is answered). */
  readonly detach: () => void;
  /** Set when the handler started (it runs once). */
  output: Promise<string> | undefined;
  /** Whether a cancel or barge-in stopped it: its output is added, no response follows. */
  cancelled: boolean;
}

/** What a session keeps for its tenant's policy and its server tool calls. */
export interface PolicyState extends ClientPolicyState {
  /** Server tool calls by item id. */
  readonly calls: Map<string, ServerToolCallState>;
  /** Per response: the output indices withheld from the client, ascending. */
  readonly withheld: Map<string, number[]>;
  /** Responses in which the model also called a client's tool: the client answers those. */
  readonly clientCalls: Set<string>;
  /** Item ids of the outputs the relay added upstream (their echoes are withheld). */
  readonly relayItems: Set<string>;
  /**
   * Each withheld item's `previous_item_id`: an item the client sees that follows one it does
   * not is shown as following the last item it does see.
   */
  readonly previousOfHidden: Map<string, string | null>;
  /** Counter for the relay's own event and item ids. */
  sequence: number;
}

/** A session's policy: the tenant, its rules, the handler of each server tool, and state. */
export interface SessionPolicy {
  readonly tenant: string | undefined;
  readonly rules: TenantPolicy;
  readonly handlers: ReadonlyMap<string, ServerToolHandler>;
  readonly state: PolicyState;
}

/**
 * A session's policy at its start.
 *
 * @example
 * ```ts
 * const policy = createSessionPolicy(tenantPolicy, 'acme', handlers);
 * ```
 */
export function createSessionPolicy(
  rules: TenantPolicy,
  tenant: string | undefined,
  handlers: ReadonlyMap<string, ServerToolHandler>,
): SessionPolicy {
  return {
    tenant,
    rules,
    handlers,
    state: {
      clientInstructions: undefined,
      calls: new Map(),
      withheld: new Map(),
      clientCalls: new Set(),
      relayItems: new Set(),
      previousOfHidden: new Map(),
      sequence: 0,
    },
  };
}
