import type { JsonObject } from '../../json-object.ts';
import { lockedSessionPatch } from '../../policy/locked-session.ts';
import type { TenantPolicy } from '../../policy/relay-policy.ts';
import { RELAY_EVENT_ID_PREFIX } from '../../session/error-event.ts';
import type { RelayFeatureFactory } from '../../session/feature.ts';

/** Set-backs a session may send in a minute: a client that keeps changing a locked field, or an upstream that keeps refusing the lock, cannot make the relay loop. */
const MAX_RELOCKS_PER_MINUTE = 10;

/**
 * For a session whose client the relay does not see (a WebRTC call forwarded upstream: the
 * browser's `session.update` goes to the upstream directly), sets locked fields back: on each
 * `session.updated` from upstream that leaves the tenant's policy, a `session.update` with the
 * locked values goes upstream (`event_id` `event_relay_relock`), at most ten a minute. Runs before
 * the policy feature, so it reads the session as the upstream reported it.
 *
 * @example
 * ```ts
 * startRelaySession({ ...options, features: [relockFeature(rules)] });
 * ```
 */
export function relockFeature(rules: TenantPolicy): RelayFeatureFactory {
  return (session) => {
    let window = { start: 0, count: 0 };
    return {
      name: 'relock',
      upstreamTypes: new Set(['session.updated']),
      onUpstreamFrame(frame) {
        const reported = frame.event()?.session;
        if (typeof reported !== 'object' || reported === null || Array.isArray(reported)) {
          return undefined;
        }
        const patch = lockedSessionPatch(rules, reported as JsonObject);
        if (patch === undefined) return undefined;
        const now = session.now();
        if (now - window.start >= 60_000) window = { start: now, count: 0 };
        if (window.count >= MAX_RELOCKS_PER_MINUTE) return undefined;
        window.count++;
        session.logger.log('info', 'policy.relocked', {
          session: session.id,
          fields: Object.keys(patch),
        });
        session.sendToUpstream({
          type: 'session.update',
          event_id: `${RELAY_EVENT_ID_PREFIX}relock`,
          session: { type: 'realtime', ...patch },
        });
        return undefined;
      },
    };
  };
}
