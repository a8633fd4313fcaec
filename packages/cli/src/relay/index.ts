/**
 * `rtwire relay`, the Node relay process, as functions: run the whole command
 * (`runRelayCommand`), or take its pieces (the flags, the help, the server the relay is
 * mounted on).
 *
 * @example
 * ```ts
 * import { runRelayCommand } from '@rtwire/cli/relay';
 *
 * process.exit(await runRelayCommand(['--port', '9000'], process.env));
 * ```
 *
 * @module
 */
export { RELAY_VARIABLES, type RelayVariable } from './generated/relay-variables.ts';
export { readPem } from './read-pem.ts';
export { runRelayCommand } from './relay-command.ts';
export { parseRelayArguments, type RelayArguments } from './relay-flags.ts';
export { relayHelp } from './relay-help.ts';
export { type RelayServer, type RelayServerOptions, startRelayServer } from './relay-server.ts';
