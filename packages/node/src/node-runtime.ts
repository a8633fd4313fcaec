import type { RelayRuntime } from '@rtwire/relay';
import { createWsUpstreamConnector } from './ws-upstream-connector.ts';

/**
 * The relay's runtime on Node: real upstreams over `ws`, simulator frames as bytes (which `ws`
 * sends as text frames), log lines to `write` (default: standard output).
 *
 * @example
 * ```ts
 * const relay = createRelayFromEnv(process.env, createNodeRuntime());
 * ```
 */
export function createNodeRuntime(
  write: (line: string) => void = (line) => process.stdout.write(line),
): RelayRuntime {
  return {
    connectRealtime: (settings) => createWsUpstreamConnector(settings),
    frames: 'bytes',
    write,
  };
}
