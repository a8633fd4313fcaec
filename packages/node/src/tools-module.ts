import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ServerToolCall, ServerToolHandler } from '@rtwire/relay';
import { commandDirectory } from './command-directory.ts';

/** What a tools module exports for each tool: called with the arguments and the call. */
export type ToolsModuleExport = (
  args: ServerToolCall['arguments'],
  context: ServerToolCall & { readonly signal: AbortSignal },
) => unknown;

/**
 * Loads `RELAY_TOOLS_MODULE`: an ES module whose exported functions are server tool handlers,
 * each named like the tool it runs. A handler gets the validated arguments and the call
 * (`callId`, `session`, `tenant`, `signal`); what it returns or resolves to is the output.
 * A relative path (`./tools.mjs`) resolves against `directory`: by default the one the command
 * was run in (`INIT_CWD` under npm and pnpm scripts, else the working directory).
 *
 * @example
 * ```ts
 * // tools.mjs: export async function lookup_order({ order }, { signal }) { return db.find(order, { signal }); }
 * const toolHandlers = await loadToolsModule('./tools.mjs');
 * const relay = createRelayFromEnv(process.env, createNodeRuntime({ toolHandlers }));
 * ```
 */
export async function loadToolsModule(
  specifier: string,
  directory: string = commandDirectory(),
): Promise<Record<string, ServerToolHandler>> {
  const url =
    specifier.startsWith('file:') || !(isAbsolute(specifier) || specifier.startsWith('.'))
      ? specifier
      : pathToFileURL(resolve(directory, specifier)).href;
  const module: Record<string, unknown> = await import(url);
  const handlers: Record<string, ServerToolHandler> = {};
  for (const [name, value] of Object.entries(module)) {
    if (typeof value !== 'function') continue;
    const run = value as ToolsModuleExport;
    handlers[name] = async (call, signal) => run(call.arguments, { ...call, signal });
  }
  return handlers;
}
