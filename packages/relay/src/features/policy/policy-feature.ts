import { type ClientEventInput, encodeClientEvent } from '@rtwire/serializer';
import type { RealtimeClientEvent } from '@rtwire/types';
import { isJsonObject, type JsonObject } from '../../json-object.ts';
import {
  applyClientPolicy,
  type ClientPolicyState,
  clientViewOfSession,
  initialSessionUpdate,
  POLICY_UPDATE_EVENT_ID,
} from '../../policy/client-policy.ts';
import type { TenantPolicy } from '../../policy/relay-policy.ts';
import type { ClientVerdict, RelayFeatureFactory, UpstreamVerdict } from '../../session/feature.ts';

/** Client events policy may refuse or rewrite. */
const CLIENT_TYPES: ReadonlySet<string> = new Set(['session.update', 'response.create']);

/** Upstream events policy reads: the session as the client is shown it, and its own errors. */
const UPSTREAM_TYPES: ReadonlySet<string> = new Set([
  'session.created',
  'session.updated',
  'error',
]);

/**
 * A tenant's policy over a session: before anything of the client's, the first upstream gets
 * the operator's instructions and server tools (`session.update`, its answer withheld); a
 * client `session.update` or `response.create` is refused or clamped where the policy forbids
 * what it sets, and its instructions composed with the operator's; the client is shown the
 * session with its own instructions and without hidden server tools. A transcription session
 * gets no opening update.
 *
 * @example
 * ```ts
 * startSessionPipe({ …, features: [policyFeature(policyForTenant(policy, 'acme'))] });
 * ```
 */
export function policyFeature(rules: TenantPolicy): RelayFeatureFactory {
  return (session) => {
    const state: ClientPolicyState = { clientInstructions: undefined, sessionType: undefined };
    const opening = session.intent === 'transcription' ? undefined : initialSessionUpdate(rules);
    /** `session.updated` events still to come that answer the relay's own update. */
    let ownUpdates = 0;

    const shown = (event: JsonObject): UpstreamVerdict => {
      const view = clientViewOfSession(rules, event, state);
      return view === undefined ? undefined : { action: 'rewrite', event: view };
    };

    return {
      name: 'policy',
      clientTypes: CLIENT_TYPES,
      upstreamTypes: UPSTREAM_TYPES,
      onClientEvent(event: RealtimeClientEvent): ClientVerdict {
        const verdict = applyClientPolicy(rules, event as unknown as JsonObject, state);
        return verdict.action === 'forward' ? undefined : verdict;
      },
      onUpstreamOpen(mode) {
        // A resumed upstream gets the session as the upstream confirmed it: the replay has it.
        if (mode !== 'first' || opening === undefined) return undefined;
        return [encodeClientEvent(opening as unknown as ClientEventInput)];
      },
      onUpstreamFrame(frame) {
        const event = frame.event();
        if (event === undefined) return undefined;
        switch (frame.type) {
          case 'session.created':
            // The upstream answers the opening update (sent right after it created the
            // session) with a session.updated the client did not ask for.
            ownUpdates = opening === undefined ? 0 : 1;
            return shown(event);
          case 'session.updated':
            if (ownUpdates > 0) {
              ownUpdates--;
              return WITHHOLD;
            }
            return shown(event);
          default: {
            const id = isJsonObject(event.error) ? event.error.event_id : undefined;
            if (id !== POLICY_UPDATE_EVENT_ID) return undefined;
            if (ownUpdates > 0) ownUpdates--;
            session.logger.log('warn', 'policy.upstream_error', {
              session: session.id,
              code: isJsonObject(event.error) ? event.error.code : undefined,
            });
            return WITHHOLD;
          }
        }
      },
    };
  };
}

const WITHHOLD = { action: 'withhold' } as const;
