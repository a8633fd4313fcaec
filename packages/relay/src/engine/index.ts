/**
 * `@rtwire/relay/engine`: the relay's upstream answered in process by the engine of
 * `@rtwire/server`, with the simulator, a cascade or your own model. The relay core
 * (`@rtwire/relay`) does not import this subpath, so a relay to a real Realtime API bundles
 * no engine; import it where the relay should serve sessions itself.
 *
 * @example
 * ```ts
 * import { createRelayHost, parseRelayConfig } from '@rtwire/relay';
 * import { createSimulatorConnector } from '@rtwire/relay/engine';
 *
 * const parsed = parseRelayConfig({});
 * if (parsed.ok) createRelayHost({ config: parsed.config, connectUpstream: createSimulatorConnector() });
 * ```
 *
 * @module
 */
export {
  createInProcessSocket,
  type InProcessCallbacks,
  type InProcessEngine,
} from '../sockets/in-process-socket.ts';
export {
  createEngineConnector,
  type EngineConnectorOptions,
  type EngineModel,
} from './engine-connector.ts';
export { engineUpstream } from './engine-upstream.ts';
export { createSimulatorConnector, type SimulatorConnectorOptions } from './simulator-connector.ts';
