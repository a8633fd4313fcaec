import { isIP } from 'node:net';
import { networkInterfaces } from 'node:os';
import { createRelayFromEnv, type RelayFromEnv, type ServerToolHandler } from '@rtwire/relay';
import type { WebRtcStack } from './calls/call-server.ts';
import { createWrtcStack } from './calls/wrtc-stack.ts';
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
 * What {@link loadRelayFromEnv} gives: the relay's pieces, and the WebRTC stack its calls run
 * on (`calls`, absent when calls are off).
 */
export type NodeRelayFromEnv =
  | (Extract<RelayFromEnv, { ok: true }> & { readonly calls?: WebRtcStack })
  | Extract<RelayFromEnv, { ok: false }>;

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
): Promise<NodeRelayFromEnv> {
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
  const relay = createRelayFromEnv(
    resolved,
    createNodeRuntime({
      toolHandlers,
      directory,
      ...(options.write ? { write: options.write } : {}),
    }),
  );
  if (!relay.ok) return relay;
  const calls = await callsFromEnv(env, relay.config.upstreamUrl === undefined, relay.config.host);
  if (!calls.ok) return { ok: false, errors: [calls.error] };
  return calls.stack === undefined ? relay : { ...relay, calls: calls.stack };
}

/**
 * `CALLS` (`auto`, `on`, `off`), `CALL_PORTS` (`min-max`) and `CALL_ADDRESS`: calls are served
 * by the engine, so `auto` turns them on when there is no `UPSTREAM_URL` and `@roamhq/wrtc` is
 * installed.
 */
async function callsFromEnv(
  env: Readonly<Record<string, string | undefined>>,
  engineUpstream: boolean,
  host: string,
): Promise<
  | { ok: true; stack: WebRtcStack | undefined }
  | { ok: false; error: { variable: string; message: string } }
> {
  const mode = (env.CALLS ?? '').trim() || 'auto';
  if (mode !== 'auto' && mode !== 'on' && mode !== 'off') {
    return { ok: false, error: { variable: 'CALLS', message: 'expected auto, on or off' } };
  }
  const ports = (env.CALL_PORTS ?? '').trim() || '40000-49999';
  const range = /^(\d{1,5})-(\d{1,5})$/.exec(ports);
  const min = Number(range?.[1]);
  const max = Number(range?.[2]);
  if (range === null || min < 1024 || max > 65_535 || min > max) {
    return {
      ok: false,
      error: {
        variable: 'CALL_PORTS',
        message: 'expected a UDP port range min-max within 1024-65535',
      },
    };
  }
  const address = callAddress(env.CALL_ADDRESS, host);
  if (!address.ok) {
    return {
      ok: false,
      error: {
        variable: 'CALL_ADDRESS',
        message: `expected an IP address of this machine (${localAddresses().join(', ')}) or *`,
      },
    };
  }
  if (mode === 'off' || (mode === 'auto' && !engineUpstream)) return { ok: true, stack: undefined };
  if (!engineUpstream) {
    return {
      ok: false,
      error: {
        variable: 'CALLS',
        message: 'calls are served by the engine; with UPSTREAM_URL set, use CALLS=off',
      },
    };
  }
  try {
    return {
      ok: true,
      stack: await createWrtcStack({
        portRange: { min, max },
        ...(address.address === undefined ? {} : { address: address.address }),
      }),
    };
  } catch (error) {
    if (mode === 'auto') return { ok: true, stack: undefined };
    const message = error instanceof Error ? error.message : 'the WebRTC stack did not load';
    return { ok: false, error: { variable: 'CALLS', message } };
  }
}

/**
 * The address calls are offered on: `CALL_ADDRESS` (`*` for every interface), else the
 * relay's own `HOST` when that is one address of this machine (`127.0.0.1` by default, so
 * calls stay on loopback as the relay does), else every interface.
 */
function callAddress(
  value: string | undefined,
  host: string,
): { ok: true; address: string | undefined } | { ok: false } {
  const explicit = (value ?? '').trim();
  if (explicit === '*') return { ok: true, address: undefined };
  const bare = (address: string) => address.replace(/^\[|\]$/g, '').toLowerCase();
  if (explicit !== '') {
    const address = bare(explicit);
    return isIP(address) !== 0 && localAddresses().includes(address)
      ? { ok: true, address }
      : { ok: false };
  }
  const relayHost = host === 'localhost' ? '127.0.0.1' : bare(host);
  return {
    ok: true,
    address: localAddresses().includes(relayHost) ? relayHost : undefined,
  };
}

/** This machine's interface addresses, lower case. */
function localAddresses(): string[] {
  return Object.values(networkInterfaces()).flatMap((entries) =>
    (entries ?? []).map((entry) => entry.address.toLowerCase()),
  );
}
