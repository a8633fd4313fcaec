/**
 * The embedded simulated upstream: a deterministic, in-process stand-in for the OpenAI
 * Realtime API (GA protocol), built on `@rtwire/builders`.
 *
 * @module
 */
export {
  createSimulatorSession,
  type SimulatorSession,
  type SimulatorSessionOptions,
} from './simulator-session.ts';
