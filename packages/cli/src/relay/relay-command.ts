import { loadRelayFromEnv } from '@rtwire/node';
import { REALTIME_PATH } from '@rtwire/relay';
import {
  clientSecretKeyNotice,
  describeRelayConfig,
  listenFailureMessage,
  upstreamName,
} from '@rtwire/relay/app';
import { parseRelayArguments } from './relay-flags.ts';
import { relayHelp } from './relay-help.ts';
import { type RelayServer, startRelayServer } from './relay-server.ts';

/** Writes `text` and resolves once the stream has taken it, so an exit right after loses none. */
const write = (stream: NodeJS.WritableStream, text: string) =>
  new Promise<void>((resolve) => stream.write(text, () => resolve()));

/**
 * `rtwire relay`: the relay's whole process lifecycle. Reads the configuration from `env` with
 * the flags in `args` over it (`parseRelayArguments`), starts the relay (`startRelayServer`),
 * prints `rtwire relay listening on <url> (…)` on stdout once signals are handled, and on
 * SIGTERM or SIGINT stops accepting and drains the sessions.
 *
 * Resolves with the exit status once there is nothing more to do: 0 after `--help` or a
 * drain; 2 for arguments or configuration it refuses (each problem one line on stderr, naming
 * the variable); 1 when it cannot listen, or the drain outlasts `SHUTDOWN_TIMEOUT_MS` plus two
 * seconds. The caller exits with it (`process.exit`, so that nothing a dependency left open, a
 * Redis socket or the WebRTC stack, holds the process after the relay has stopped); its SIGTERM
 * and SIGINT handlers stay until then, so a second signal cannot end the process by itself.
 *
 * Relative paths in the configuration (`RELAY_POLICY=./policy.json`) mean the directory the
 * command was run in: `INIT_CWD`, which npm and pnpm set for the scripts they run (a script
 * runs in its package's directory, not where `pnpm start` was typed), else the working
 * directory.
 *
 * @example
 * ```ts
 * // A bin of your own that runs the relay as `rtwire relay` does:
 * process.exit(await runRelayCommand(process.argv.slice(2), process.env));
 * ```
 */
export async function runRelayCommand(
  args: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): Promise<number> {
  const parsed = parseRelayArguments(args, env);
  if (parsed.kind === 'help') {
    await write(process.stdout, relayHelp());
    return 0;
  }
  if (parsed.kind === 'error') {
    await write(process.stderr, `rtwire relay: ${parsed.message}\n`);
    return 2;
  }
  const relay = await loadRelayFromEnv(parsed.env);
  if (!relay.ok) {
    const lines = relay.errors.map(
      (error) => `rtwire relay: ${error.variable}: ${error.message}\n`,
    );
    await write(process.stderr, lines.join(''));
    return 2;
  }
  const { config, logger } = relay;
  logger.log('info', 'relay.config', describeRelayConfig(config));

  let server: RelayServer;
  try {
    server = await startRelayServer(relay);
  } catch (error) {
    await write(
      process.stderr,
      `rtwire relay: ${listenFailureMessage(error, config.host, config.port)}\n`,
    );
    return 1;
  }
  return new Promise<number>((resolve) => {
    let stopping = false;
    let bound: ReturnType<typeof setTimeout> | undefined;
    // The handlers stay until the process exits: a second signal is common (Ctrl-C reaches the
    // whole process group, and pnpm passes its own on too), and one arriving after the drain
    // with no handler left would end the process by that signal instead of with its status.
    const finish = (code: number) => {
      clearTimeout(bound);
      resolve(code);
    };
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      logger.log('info', 'relay.signal', { signal });
      // The drain is bounded by shutdownTimeoutMs; this is the bound on the whole exit.
      bound = setTimeout(() => finish(1), config.shutdownTimeoutMs + 2000);
      server.shutdown().then(
        () => finish(0),
        (error: unknown) => {
          const reason = error instanceof Error ? error.message : String(error);
          void write(process.stderr, `rtwire relay: stopping failed: ${reason}\n`).then(() =>
            finish(1),
          );
        },
      );
    };
    // Before the line that says the relay is up: whoever reads it may signal at once, and a
    // signal with no handler yet would kill the process instead of draining it.
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));

    const wsUrl = `${server.url.replace(/^http/, 'ws')}${REALTIME_PATH}`;
    const calls =
      relay.calls === undefined ? '' : `, WebRTC calls at ${server.url}/v1/realtime/calls`;
    process.stdout.write(
      `rtwire relay listening on ${server.url} (realtime endpoint ${wsUrl}, upstream ${upstreamName(config)}${calls})\n`,
    );
    const notice = clientSecretKeyNotice(config);
    if (notice !== undefined) process.stdout.write(`${notice}\n`);
  });
}
