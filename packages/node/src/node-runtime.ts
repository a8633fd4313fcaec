import { readFileSync } from 'node:fs';
import type { RelayRuntime, ServerToolHandler } from '@rtwire/relay';
import { createWsUpstreamConnector } from './ws-upstream-connector.ts';

/** Options of {@link createNodeRuntime}. */
export interface NodeRuntimeOptions {
  /** Where log lines go (default: standard output). */
  readonly write?: (line: string) => void;
  /** Handlers of the `"module": true` server tools (see {@link loadToolsModule}). */
  readonly toolHandlers?: Readonly<Record<string, ServerToolHandler>>;
}

/**
 * The relay's runtime on Node: real upstreams over `ws`, simulator frames as bytes (which `ws`
 * sends as text frames), log lines to standard output, `RELAY_POLICY` files read from disk.
 *
 * @example
 * ```ts
 * const relay = createRelayFromEnv(process.env, createNodeRuntime());
 * ```
 */
export function createNodeRuntime(options: NodeRuntimeOptions = {}): RelayRuntime {
  return {
    connectRealtime: (settings) => createWsUpstreamConnector(settings),
    frames: 'bytes',
    write: options.write ?? ((line) => process.stdout.write(line)),
    readTextFile: (path) => readFileSync(path, 'utf8'),
    ...(options.toolHandlers ? { toolHandlers: options.toolHandlers } : {}),
  };
}
