import type { JsonObject } from '../json-object.ts';
import { type ClientPolicyState, initialSessionUpdate } from '../policy/client-policy.ts';
import type { TenantPolicy } from '../policy/relay-policy.ts';
import type { ServerToolHandler } from '../policy/server-tools.ts';
import {
  createToolCallQueue,
  DEFAULT_TOOL_CALL_LIMITS,
  type ToolCallLimits,
  type ToolCallQueue,
} from '../policy/tool-call-queue.ts';

/** One call of a server tool the upstream made, from its first event to its output. */
export interface ServerToolCallState {
  readonly itemId: string;
  readonly callId: string;
  readonly name: string;
  readonly responseId: string;
  readonly hidden: boolean;
  /** Aborted by cancel, barge-in or the session's end. */
  readonly abort: AbortController;
  /** Set when the call was started (its handler runs once) or refused. */
  output: Promise<string> | undefined;
  /** Whether the session's queue was full: the handler never ran, the output says so. */
  refused: boolean;
  /** Whether a cancel or barge-in stopped it: its output is added, no response follows. */
  cancelled: boolean;
  /** Bytes the call holds (its arguments while it runs, then its output), in `toolBytes`. */
  heldBytes: number;
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
  /** Counter for the relay's own event ids. */
  sequence: number;
  /** Every hidden item's id (calls and the relay's outputs), the oldest forgotten past a bound. */
  readonly hiddenItems: Set<string>;
  /**
   * `session.updated` events still to come that answer the relay's own `session.update`: the
   * client did not ask for them and never sees them.
   */
  ownUpdates: number;
  /** The session's server tool calls, run a few at a time. */
  readonly queue: ToolCallQueue;
  /** Whether the session's end already aborts every call (one listener per session). */
  watchingEnd: boolean;
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
  toolCallLimits: ToolCallLimits = DEFAULT_TOOL_CALL_LIMITS,
): SessionPolicy {
  return {
    tenant,
    rules,
    handlers,
    state: {
      clientInstructions: undefined,
      sessionType: undefined,
      calls: new Map(),
      withheld: new Map(),
      clientCalls: new Set(),
      relayItems: new Set(),
      previousOfHidden: new Map(),
      sequence: 0,
      hiddenItems: new Set(),
      ownUpdates: 0,
      queue: createToolCallQueue(toolCallLimits),
      watchingEnd: false,
    },
  };
}

/**
 * The `session.update` a session's first upstream gets before anything of the client's (the
 * operator's instructions and server tools), or `undefined` when it gets none: no policy, a
 * policy that sets neither, or a transcription session.
 *
 * @example
 * ```ts
 * const first = openingSessionUpdate(context);
 * if (first) socket.send(encodeClientEvent(first), false);
 * ```
 */
export function openingSessionUpdate(context: {
  readonly policy: SessionPolicy | undefined;
  readonly intent: string | undefined;
}): JsonObject | undefined {
  if (context.policy === undefined || context.intent === 'transcription') return undefined;
  return initialSessionUpdate(context.policy.rules);
}
