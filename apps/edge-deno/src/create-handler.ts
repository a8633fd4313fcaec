import {
  createFetchHandler,
  createRelayFromEnv,
  createRelayHost,
  createWebSocketUpstreamConnector,
  type RelayConfigError,
  type RelayHost,
  type WebSocketDialer,
  type WebSocketUpgrader,
} from '@rtwire/relay';

/** How a runtime upgrades a request and dials an upstream: all that differs between runtimes. */
export interface EdgeRuntime {
  readonly upgrade: WebSocketUpgrader;
  readonly dial: WebSocketDialer;
  /** Where log lines go (default `console.log`). */
  readonly write?: (line: string) => void;
  /** Reads a `RELAY_POLICY` file (Deno); absent on Workers, where the policy is inline JSON. */
  readonly readTextFile?: (path: string) => string;
}

/** A relay on a web-standard runtime: its `fetch` handler and the host behind it. */
export interface EdgeRelay {
  readonly fetch: (request: Request) => Response;
  readonly host: RelayHost;
}

/** The configuration could not be read; names the variables, never their values. */
export class EdgeConfigError extends Error {
  readonly errors: readonly RelayConfigError[];
  constructor(errors: readonly RelayConfigError[]) {
    super(errors.map((error) => `${error.variable}: ${error.message}`).join('; '));
    this.name = 'EdgeConfigError';
    this.errors = errors;
  }
}

/**
 * Builds the relay from an environment record (`Deno.env.toObject()`, a Workers `env`) on
 * the shared core: the same endpoint, auth, validation, limits and simulator default as
 * the Node relay. Only the runtime's upgrade and dial functions are its own.
 */
export function createEdgeRelay(
  env: Readonly<Record<string, string | undefined>>,
  runtime: EdgeRuntime,
): EdgeRelay {
  const relay = createRelayFromEnv(env, {
    connectRealtime: (upstream) =>
      createWebSocketUpstreamConnector({ ...upstream, dial: runtime.dial }),
    // A web-standard socket sends bytes as binary frames: text frames are strings here.
    frames: 'string',
    write: runtime.write ?? ((line) => console.log(line.trimEnd())),
    ...(runtime.readTextFile ? { readTextFile: runtime.readTextFile } : {}),
  });
  if (!relay.ok) throw new EdgeConfigError(relay.errors);
  const host = createRelayHost(relay);
  return { host, fetch: createFetchHandler(host, runtime.upgrade) };
}
