/**
 * The embedded simulated upstream: a deterministic, in-process stand-in for the OpenAI
 * Realtime API (GA protocol). Since the session engine moved to `@rtwire/server`, this is
 * that engine with its simulator model; new code can use `@rtwire/server` directly.
 *
 * @module
 */
export {
  createSimulatorSession,
  type SimulatorSession,
  type SimulatorSessionOptions,
} from './simulator-session.ts';
