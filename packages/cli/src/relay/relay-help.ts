import { RELAY_VARIABLES } from './generated/relay-variables.ts';

/** Columns the help is wrapped to. */
const WIDTH = 100;

/** `text` as lines of at most `width` columns (a word longer than that stands alone). */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line === '') line = word;
    else if (line.length + 1 + word.length <= width) line += ` ${word}`;
    else {
      lines.push(line);
      line = word;
    }
  }
  if (line !== '') lines.push(line);
  return lines;
}

/** A paragraph wrapped to the help's width, every line indented by `indent`. */
const paragraph = (text: string, indent = 0) =>
  wrap(text, WIDTH - indent).map((line) => `${' '.repeat(indent)}${line}`);

/**
 * The options: each variable's flag, its name and default (the default wrapped beside the flag
 * column), then the meaning its row of the relay README shares, indented below.
 */
function optionLines(): string[] {
  const column = Math.max(...RELAY_VARIABLES.map((variable) => variable.flag.length)) + 4;
  const lines = [`  ${'-h, --help'.padEnd(column - 2)}This help`];
  RELAY_VARIABLES.forEach((variable, index) => {
    const described = `${variable.name}, default: ${variable.default || 'unset'}`;
    const [first = '', ...rest] = wrap(described, WIDTH - column);
    lines.push(`  ${variable.flag.padEnd(column - 2)}${first}`);
    for (const line of rest) lines.push(`${' '.repeat(column)}${line}`);
    // Variables of one row share their meaning: it is printed once, after the last of them.
    if (RELAY_VARIABLES[index + 1]?.meaning !== variable.meaning) {
      lines.push(...paragraph(variable.meaning, 6));
    }
  });
  return lines;
}

/**
 * The text `rtwire relay --help` prints: what the command serves, how flags and the environment
 * combine, and every variable of the relay's configuration with its flag, default and meaning
 * (from the Configuration table of `@rtwire/relay`'s README), wrapped to 100 columns.
 *
 * @example
 * ```ts
 * process.stdout.write(relayHelp()); // Usage: rtwire relay [--<variable> <value>]...
 * ```
 */
export function relayHelp(): string {
  return `${[
    'Usage: rtwire relay [--<variable> <value>]...',
    '',
    ...paragraph(
      'Serves the OpenAI Realtime relay: WebSocket sessions at /v1/realtime, the realtime console ' +
        'at /, /healthz and /metrics. With no UPSTREAM_URL or MODEL_BASE_URL it answers from its ' +
        'simulator: no API key, no network. WebRTC calls are served too when @roamhq/wrtc is ' +
        'installed beside it (CALLS).',
    ),
    '',
    ...paragraph(
      'Each variable below is read from the environment, or given as a flag named as the ' +
        'variable in kebab case (--port 9000 or --port=9000); a flag wins over the environment. ' +
        'Relative paths are relative to the directory the command was run in.',
    ),
    '',
    ...paragraph(
      'Exit status: 0 when SIGTERM or SIGINT has drained the sessions; 1 when it cannot listen, ' +
        'or the drain outlasts SHUTDOWN_TIMEOUT_MS plus two seconds; 2 on a configuration error, ' +
        'an unknown flag or a flag without its value.',
    ),
    '',
    'Options:',
    ...optionLines(),
    '',
    ...paragraph(
      'Sections named in quotes are in the README of @rtwire/relay, whose Configuration table ' +
        'this list is generated from: https://github.com/rtwire/rtwire/tree/main/packages/relay',
    ),
  ].join('\n')}\n`;
}
