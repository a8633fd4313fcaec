import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { RelayRuntime, ServerToolHandler } from '@rtwire/relay';
import { engineUpstream } from '@rtwire/relay/engine';
import { commandDirectory } from './command-directory.ts';
import { connectRedis } from './redis-connection.ts';
import { createWsUpstreamConnector } from './ws-upstream-connector.ts';

/** Options of {@link createNodeRuntime}. */
export interface NodeRuntimeOptions {
  /** Where log lines go (default: standard output). */
  readonly write?: (line: string) => void;
  /** Handlers of the `"module": true` server tools (see {@link loadToolsModule}). */
  readonly toolHandlers?: Readonly<Record<string, ServerToolHandler>> | undefined;
  /**
   * What a relative `RELAY_POLICY` path is relative to (default: the directory the command was
   * run in, `INIT_CWD` under npm and pnpm scripts, else the working directory).
   */
  readonly directory?: string;
}

/**
 * The relay's runtime on Node: real upstreams over `ws`, the engine in process when
 * `UPSTREAM_URL` is unset (the simulator, or the cascade with `MODEL_BASE_URL`), its frames as
 * bytes (which `ws` sends as text frames), log lines to standard output, `RELAY_POLICY` files read from disk
 * (a relative path from the directory the command was run in), `REDIS_URL` through
 * `@redis/client` for a usage store shared by several relays. {@link loadRelayFromEnv} does
 * all of it, with `RELAY_TOOLS_MODULE`.
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
    // On Node a bundle's size does not matter: the simulator stays the default.
    engine: engineUpstream,
    write: options.write ?? ((line) => process.stdout.write(line)),
    readTextFile: (path) =>
      readFileSync(resolve(options.directory ?? commandDirectory(), path), 'utf8'),
    ...(options.toolHandlers ? { toolHandlers: options.toolHandlers } : {}),
    connectRedis,
  };
}
