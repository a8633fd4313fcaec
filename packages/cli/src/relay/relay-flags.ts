import { RELAY_VARIABLES } from './generated/relay-variables.ts';

/** What the arguments of `rtwire relay` ask for. */
export type RelayArguments =
  /** Run the relay with this environment: the one given, with every flag's variable set over it. */
  | { readonly kind: 'run'; readonly env: Readonly<Record<string, string | undefined>> }
  /** Print the help (`--help` or `-h`, wherever it stands). */
  | { readonly kind: 'help' }
  /** Arguments the command does not take; `message` is one line naming the culprit. */
  | { readonly kind: 'error'; readonly message: string };

/** Each variable by its flag: `--upstream-url` → `UPSTREAM_URL`. */
const variableByFlag: ReadonlyMap<string, string> = new Map(
  RELAY_VARIABLES.map((variable) => [variable.flag, variable.name]),
);

/** An argument as a message may quote it: one line, bounded (it came from anyone's shell). */
const quoted = (argument: string) => {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it removes
  const printable = argument.replace(/[\u0000-\u001f\u007f]/g, '?');
  return printable.length > 40 ? `${printable.slice(0, 40)}…` : printable;
};

/**
 * Reads the arguments of `rtwire relay` into the environment the relay is loaded from: every
 * variable of the relay's configuration is also a flag, named as the variable in kebab case
 * (`--port 9000`, `--port=9000`, `--upstream-url wss://…`), and a flag wins over `env`. A flag
 * given twice means its last value; a `--` is passed over. Anything else (an unknown flag, a
 * flag without its value, a bare word) is an error naming it, and `--help` or `-h` anywhere asks
 * for the help.
 *
 * @example
 * ```ts
 * const parsed = parseRelayArguments(['--port', '9000', '--sim-pace=fast'], process.env);
 * if (parsed.kind === 'run') console.log(parsed.env.PORT, parsed.env.SIM_PACE); // 9000 fast
 * ```
 */
export function parseRelayArguments(
  args: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): RelayArguments {
  if (args.some((argument) => argument === '--help' || argument === '-h')) return { kind: 'help' };
  const flags: Record<string, string> = {};
  for (let index = 0; index < args.length; index++) {
    const argument = args[index] ?? '';
    // `pnpm start -- --port 9000` passes the `--` on; the command takes no other arguments.
    if (argument === '--') continue;
    if (!argument.startsWith('-') || argument === '-') {
      return {
        kind: 'error',
        // Only up to an `=`: `OPENAI_API_KEY=sk-…` typed as an argument must not show its value.
        message: `unexpected argument '${quoted(argument.split('=')[0] ?? '')}${argument.includes('=') ? '=…' : ''}' (every setting is a flag: rtwire relay --help)`,
      };
    }
    const equals = argument.indexOf('=');
    const flag = equals < 0 ? argument : argument.slice(0, equals);
    const variable = variableByFlag.get(flag);
    if (variable === undefined) {
      return {
        kind: 'error',
        message: `unknown flag ${quoted(flag)} (rtwire relay --help lists them)`,
      };
    }
    if (equals >= 0) {
      flags[variable] = argument.slice(equals + 1);
      continue;
    }
    const value = args[index + 1];
    // A value may start with one dash (`-1`), never two: that is the next flag.
    if (value === undefined || value.startsWith('--')) {
      return {
        kind: 'error',
        message: `${flag} needs a value (${flag} <value> or ${flag}=<value>)`,
      };
    }
    flags[variable] = value;
    index++;
  }
  return { kind: 'run', env: { ...env, ...flags } };
}
