import { createRelayFromEnv, type RelayFromEnv, type ServerToolHandler } from '@rtwire/relay';
import { commandDirectory } from './command-directory.ts';
import { resolveConfigPaths } from './config-paths.ts';
import { createNodeRuntime } from './node-runtime.ts';
import { loadToolsModule } from './tools-module.ts';

/** Options of {@link loadRelayFromEnv}. */
export interface LoadRelayFromEnvOptions {
  /**
   * What relative paths (`RELAY_POLICY`, `RELAY_TOOLS_MODULE`, `TLS_CERT`, `TLS_KEY`) are
   * relative to. Default: the directory the command was run in (`INIT_CWD`, which npm and pnpm
   * set for a script, else the working directory).
   */
  readonly directory?: string;
  /** Where log lines go (default: standard output). */
  readonly write?: (line: string) => void;
}

/**
 * Everything the relay reads from its environment, as `apps/relay-node` reads it: the config,
 * the logger, the upstream, the `RELAY_POLICY` file or JSON, and the handlers exported by
 * `RELAY_TOOLS_MODULE`. Relative paths are resolved first, so an error names the absolute path
 * that was tried. Never throws for bad configuration: every problem comes back by variable.
 * Mount the result as it is: `mountRelay(server, relay)`.
 *
 * @example
 * ```ts
 * const relay = await loadRelayFromEnv(process.env);
 * if (!relay.ok) throw new Error(relay.errors.map((e) => `${e.variable}: ${e.message}`).join('\n'));
 * const mounted = mountRelay(server, relay);
 * ```
 */
export async function loadRelayFromEnv(
  env: Readonly<Record<string, string | undefined>>,
  options: LoadRelayFromEnvOptions = {},
): Promise<RelayFromEnv> {
  const directory = options.directory ?? commandDirectory(env);
  const resolved = resolveConfigPaths(env, directory);
  const toolsModule = resolved.RELAY_TOOLS_MODULE?.trim();
  let toolHandlers: Record<string, ServerToolHandler> = {};
  if (toolsModule) {
    try {
      toolHandlers = await loadToolsModule(toolsModule, directory);
    } catch (error) {
      // The loader's first line says what failed (not found, a syntax error and where).
      const reason = error instanceof Error ? error.message.split('\n')[0] : 'unknown error';
      return {
        ok: false,
        errors: [
          {
            variable: 'RELAY_TOOLS_MODULE',
            message: `could not be loaded from ${toolsModule} (${reason})`,
          },
        ],
      };
    }
  }
  return createRelayFromEnv(
    resolved,
    createNodeRuntime({
      toolHandlers,
      directory,
      ...(options.write ? { write: options.write } : {}),
    }),
  );
}
