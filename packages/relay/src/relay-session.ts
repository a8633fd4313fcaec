import { limitsFeature } from './features/limits/limits-feature.ts';
import { type MeteringOptions, meteringFeature } from './features/metering/metering-feature.ts';
import { translationMeteringFeature } from './features/metering/translation-metering-feature.ts';
import { policyFeature } from './features/policy/policy-feature.ts';
import { relockFeature } from './features/policy/relock-feature.ts';
import { translationPolicyFeature } from './features/policy/translation-policy-feature.ts';
import { resumeFeature } from './features/resume/resume-feature.ts';
import { serverToolsFeature } from './features/server-tools/server-tools-feature.ts';
import type { TenantPolicy } from './policy/relay-policy.ts';
import type { ServerToolHandler } from './policy/server-tools.ts';
import type { RelayFeatureFactory } from './session/feature.ts';
import {
  type RelaySession,
  type SessionPipeOptions,
  startSessionPipe,
} from './session/session-pipe.ts';

export type { RelaySession, RelaySessionLimits } from './session/session-pipe.ts';

/** Options of {@link startRelaySession}. */
export interface RelaySessionOptions extends SessionPipeOptions {
  /**
   * The tenant's policy: what the client may set, the operator's instructions and server tools
   * (with the handler of each by name). Absent: the client's frames are checked, not rewritten.
   */
  readonly policy?: {
    readonly rules: TenantPolicy;
    readonly tenant?: string | undefined;
    readonly handlers?: ReadonlyMap<string, ServerToolHandler>;
    /**
     * Set locked fields back when the upstream reports them changed: for a session whose
     * client talks to the upstream directly (a forwarded WebRTC call).
     */
    readonly relock?: boolean;
  };
  /** Meters the session against its tenant's limits (see `meteringFeature`). */
  readonly metering?: MeteringOptions;
  /** Features of yours, run after the relay's own (limits, resume, policy, metering, server tools). */
  readonly features?: readonly RelayFeatureFactory[];
}

/**
 * Starts a relay session: the session pipe with the relay's features as its
 * configuration asks for them, in this order: limits (rate and session length), resume (when
 * `limits.resumeAttempts` > 0), policy (when `policy` is given), metering (when `metering` is),
 * server tools, then `features`. A translation session (`kind: 'translation'`) gets limits,
 * its own policy (the output languages) and metering (audio both ways), then `features`.
 *
 * @example
 * ```ts
 * const session = startRelaySession({ client, connectUpstream, model, limits: config, metrics, logger });
 * await session.done;
 * ```
 */
export function startRelaySession(options: RelaySessionOptions): RelaySession {
  const { limits, policy } = options;
  const features: RelayFeatureFactory[] = [
    limitsFeature({
      rateLimitPerSecond: limits.rateLimitPerSecond,
      rateLimitBurst: limits.rateLimitBurst,
      maxSessionSeconds: policy?.rules.maxSessionSeconds,
    }),
  ];
  if (options.kind === 'translation') {
    // A translation session has no conversation to resume, no responses and no tools: its
    // policy is the languages it may translate into, its metering the audio both ways.
    if (policy !== undefined) features.push(translationPolicyFeature(policy.rules));
    if (options.metering !== undefined) {
      features.push(translationMeteringFeature(options.metering));
    }
    features.push(...(options.features ?? []));
    return startSessionPipe({ ...options, features });
  }
  const attempts = limits.resumeAttempts ?? 0;
  if (attempts > 0) {
    features.push(
      resumeFeature({
        attempts,
        windowMs: limits.resumeWindowMs ?? 5000,
        maxBytes: limits.resumeMaxBytes ?? 256 * 1024,
        maxPerSession: limits.resumeMaxPerSession,
      }),
    );
  }
  if (policy !== undefined) {
    if (policy.relock === true) features.push(relockFeature(policy.rules));
    features.push(policyFeature(policy.rules));
  }
  // After policy, so what it meters is the response.create policy let through (and clamped).
  if (options.metering !== undefined) features.push(meteringFeature(options.metering));
  if (policy !== undefined && policy.rules.serverTools.length > 0) {
    features.push(
      serverToolsFeature({
        tools: policy.rules.serverTools,
        handlers: policy.handlers ?? new Map(),
        tenant: policy.tenant,
      }),
    );
  }
  features.push(...(options.features ?? []));
  return startSessionPipe({ ...options, features });
}
