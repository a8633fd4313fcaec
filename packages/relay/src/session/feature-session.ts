import {
  type ClientEventInput,
  encodeClientEvent,
  encodeServerEvent,
  type ServerEventInput,
} from '@rtwire/serializer';
import { checkSessionBudget, sendRelayError, sendTo } from './backpressure.ts';
import { guard, guardTask } from './fault-boundary.ts';
import type { FeatureSession } from './feature.ts';
import { finishSession } from './session-end.ts';
import type { SessionContext } from './session-state.ts';
import {
  abandonSwitch,
  beginSwitch,
  closeForUpstream,
  finishSwitch,
  loseUpstream,
  onUpstreamOpen,
} from './upstream-link.ts';

/**
 * What the pipe of `context` offers its features: the session's names, clock and signal, its
 * sends (each under the same backpressure and budget as the pipe's own), the upstream link's
 * mechanics and the end. Nothing of the pipe's state is reachable through it.
 *
 * @example
 * ```ts
 * context.features.push(...factories.map((create) => create(featureSession(context))));
 * ```
 */
export function featureSession(context: SessionContext): FeatureSession {
  const { state } = context;
  return {
    id: context.id,
    model: context.model,
    intent: context.intent,
    logger: context.logger,
    metrics: context.metrics,
    now: context.now,
    signal: context.abort.signal,
    get closed() {
      return state.closed;
    },
    upstream: {
      get current() {
        return state.upstream;
      },
      connect: () => context.connect(),
      attach: (socket, mode, latency) => onUpstreamOpen(context, socket, latency, mode),
      beginSwitch: () => beginSwitch(context),
      finishSwitch: () => finishSwitch(context),
      abandonSwitch: () => abandonSwitch(context),
      lose: (code) => loseUpstream(context, code),
      giveUp: (code) => closeForUpstream(context, code),
    },
    sendToClient(event) {
      sendTo(context, 'client', encodeServerEvent(event as unknown as ServerEventInput), false);
    },
    sendError: (details) => sendRelayError(context, details),
    sendToUpstream(event) {
      sendTo(context, 'upstream', encodeClientEvent(event as unknown as ClientEventInput), false);
    },
    end: (code, reason) => finishSession(context, code, reason, false),
    checkBudget: () => checkSessionBudget(context),
    guard: (where, run) => guard(context, where, run),
    watch: (where, task) => guardTask(context, where, task),
  };
}
