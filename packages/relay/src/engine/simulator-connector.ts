import { createSimulatorModel, createSimulatorRateLimits } from '@rtwire/server';
import type { UpstreamConnector } from '../upstream/upstream-connector.ts';
import { createEngineConnector, type EngineConnectorOptions } from './engine-connector.ts';

/** Options of {@link createSimulatorConnector}. */
export interface SimulatorConnectorOptions
  extends Pick<EngineConnectorOptions, 'maxQueuedBytes' | 'maxConversationBytes' | 'frames'> {
  /** `realtime` paces audio at playback speed (default); `fast` sends as fast as it is made. */
  readonly pace?: 'realtime' | 'fast';
}

/** The instructions a simulated session starts with. */
const SIMULATOR_INSTRUCTIONS =
  'You are the rtwire simulator: a deterministic stand-in for a realtime model.';

/**
 * The simulator as an upstream: the one way to get it. It is {@link createEngineConnector}
 * with `@rtwire/server`'s simulator model, its instructions and its simulated rate limits, so
 * a relay works with no key and no network, deterministically. Defaults as the engine
 * connector's: frames as UTF-8 bytes, audio paced at playback speed.
 *
 * @example
 * ```ts
 * import { createSimulatorConnector } from '@rtwire/relay/engine';
 *
 * const connectUpstream = createSimulatorConnector({ pace: 'fast' });
 * ```
 */
export function createSimulatorConnector(
  options: SimulatorConnectorOptions = {},
): UpstreamConnector {
  return createEngineConnector({
    ...options,
    model: createSimulatorModel({ pace: options.pace ?? 'realtime' }),
    instructions: SIMULATOR_INSTRUCTIONS,
    rateLimits: () => createSimulatorRateLimits(),
  });
}
