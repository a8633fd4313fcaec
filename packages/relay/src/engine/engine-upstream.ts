import { createCascadeModel } from '@rtwire/server';
import type { EngineUpstream } from '../config/relay-from-env.ts';
import { createEngineConnector } from './engine-connector.ts';
import { createSimulatorConnector } from './simulator-connector.ts';

/**
 * The in-process upstream a relay's configuration names when `UPSTREAM_URL` is unset: the
 * engine in front of `MODEL_BASE_URL`'s model server (cascade mode), else the simulator.
 * Give it to `createRelayFromEnv` (or an adapter) as the runtime's `engine`; a relay built
 * without it relays to a real upstream only, and its bundle carries no engine.
 *
 * @example
 * ```ts
 * import { createRelayFromEnv } from '@rtwire/relay';
 * import { engineUpstream } from '@rtwire/relay/engine';
 *
 * const relay = createRelayFromEnv(env, { ...runtime, engine: engineUpstream });
 * ```
 */
export const engineUpstream: EngineUpstream = (config, frames) => {
  const limits = {
    maxQueuedBytes: config.hardLimitBytes,
    maxConversationBytes: config.maxConversationBytes,
    frames,
  };
  const { cascade } = config;
  if (cascade === undefined)
    return createSimulatorConnector({ ...limits, pace: config.simulatorPace });
  return createEngineConnector({
    ...limits,
    // Made on the first session: a relay that never opens one never builds the cascade.
    model: () => createCascadeModel(cascade),
    modelName: cascade.chatModel,
  });
};
