import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { Capability } from './check.ts';
import { junitReport } from './junit-report.ts';
import {
  type CheckResult,
  type ConformanceOptions,
  ConformanceUsageError,
  runConformance,
} from './run-conformance.ts';
import { textReport } from './text-report.ts';

const HELP = `Usage: rtwire conformance <ws-url> [options]

Checks a Realtime endpoint (ws:// or wss://) against the GA Realtime protocol: session,
conversation items, responses, input audio, transcription, function calls, the errors of
invalid events, every server event against the official spec and every response's order.
Exit status 0 when every selected check passed (skipped ones included), 1 when one failed,
2 for a usage error.

Options:
  --api-key <key>              Sent as Authorization: Bearer (default: OPENAI_API_KEY, for
                               api.openai.com only)
  --model <name>               Added as ?model= when the URL has none
  --header <name: value>       A handshake header; repeatable
  --only <ids>                 Checks or groups to run, comma-separated (error.*, response)
  --skip <ids>                 Checks or groups to leave out, comma-separated
  --timeout <ms>               How long any one expected event may take (default 15000,
                               at most 600000)
  --concurrency <n>            Checks run at once (default 4, at most 16)
  --transcription-model <m>    Input transcription model to ask for
                               (default gpt-4o-mini-transcribe)
  --no-audio                   The server has no audio output: skip the audio checks
  --no-transcription           The server has no input transcription
  --no-turn-detection          The server has no server VAD
  --json                       Print the report as JSON (on stdout, nothing else)
  --junit <file>               Also write the report as JUnit XML
  --list                       List the checks and exit
  -h, --help                   This help
`;

/** Writes where the command reports; the tests pass their own. */
export interface CommandOutput {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Whether stderr is a terminal, where the progress line rewrites itself. */
  readonly interactive: boolean;
}

const processOutput: CommandOutput = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  interactive: process.stderr.isTTY === true,
};

/**
 * `rtwire conformance <url>`: parses the flags, runs the suite with a progress line, prints
 * the report (text, or JSON with `--json`), writes JUnit XML with `--junit`, and resolves
 * the exit status: 0 when every selected check passed, 1 when one failed, 2 for bad usage.
 *
 * @example
 * ```ts
 * process.exitCode = await runConformanceCommand(['ws://127.0.0.1:8787/v1/realtime', '--only', 'error.*']);
 * ```
 */
export async function runConformanceCommand(
  args: readonly string[],
  output: CommandOutput = processOutput,
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(args);
  } catch (error) {
    output.stderr(
      `rtwire conformance: ${(error as Error).message}\n\nRun rtwire conformance --help.\n`,
    );
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    output.stdout(HELP);
    return 0;
  }
  if (values.list) {
    const { conformanceChecks } = await import('./catalogue.ts');
    const { createSpecValidator } = await import('./spec-validator.ts');
    for (const check of conformanceChecks(createSpecValidator())) {
      output.stdout(`${check.id}\t${check.description}\n`);
    }
    return 0;
  }
  const url = positionals[0];
  if (url === undefined || positionals.length > 1) {
    output.stderr(
      'rtwire conformance: expected one ws:// or wss:// URL\n\nRun rtwire conformance --help.\n',
    );
    return 2;
  }
  let options: ConformanceOptions;
  try {
    options = toOptions(url, values, env, output);
  } catch (error) {
    output.stderr(`rtwire conformance: ${(error as Error).message}\n`);
    return 2;
  }
  try {
    const report = await runConformance(options);
    if (output.interactive && !values.json) output.stderr('\r\u001b[2K');
    output.stdout(values.json ? `${JSON.stringify(report, null, 2)}\n` : textReport(report));
    if (values.junit !== undefined) {
      try {
        writeFileSync(values.junit, junitReport(report));
      } catch (error) {
        output.stderr(
          `rtwire conformance: cannot write --junit ${values.junit}: ${(error as NodeJS.ErrnoException).code ?? 'failed'}\n`,
        );
        return 2;
      }
    }
    return report.ok ? 0 : 1;
  } catch (error) {
    if (error instanceof ConformanceUsageError) {
      output.stderr(`rtwire conformance: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
}

function parse(args: readonly string[]) {
  return parseArgs({
    args: [...args],
    allowPositionals: true,
    strict: true,
    options: {
      'api-key': { type: 'string' },
      model: { type: 'string' },
      header: { type: 'string', multiple: true },
      only: { type: 'string', multiple: true },
      skip: { type: 'string', multiple: true },
      timeout: { type: 'string' },
      concurrency: { type: 'string' },
      'transcription-model': { type: 'string' },
      'no-audio': { type: 'boolean' },
      'no-transcription': { type: 'boolean' },
      'no-turn-detection': { type: 'boolean' },
      json: { type: 'boolean' },
      junit: { type: 'string' },
      list: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

type Values = ReturnType<typeof parse>['values'];

function toOptions(
  url: string,
  values: Values,
  env: Readonly<Record<string, string | undefined>>,
  output: CommandOutput,
): ConformanceOptions {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    throw new Error('expected a ws:// or wss:// URL');
  }
  if (target.protocol !== 'ws:' && target.protocol !== 'wss:') {
    throw new Error('expected a ws:// or wss:// URL');
  }
  const headers: Record<string, string> = {};
  for (const header of values.header ?? []) {
    const colon = header.indexOf(':');
    if (colon <= 0) throw new Error('expected --header "Name: value"');
    headers[header.slice(0, colon).trim()] = header.slice(colon + 1).trim();
  }
  // The OpenAI key only goes to OpenAI unless given on purpose.
  const apiKey =
    values['api-key'] ?? (target.hostname === 'api.openai.com' ? env.OPENAI_API_KEY : undefined);
  const without: Capability[] = [];
  if (values['no-audio']) without.push('audio');
  if (values['no-transcription']) without.push('transcription');
  if (values['no-turn-detection']) without.push('turn-detection');
  const list = (entries: string[] | undefined) =>
    (entries ?? [])
      .flatMap((entry) => entry.split(','))
      .map((entry) => entry.trim())
      .filter(Boolean);
  const progress = (result: CheckResult, done: number, total: number) => {
    const line = `[${done}/${total}] ${result.status === 'failed' ? '✗' : result.status === 'skipped' ? '-' : '✓'} ${result.id}`;
    if (output.interactive) output.stderr(`\r\u001b[2K${line}`);
    else output.stderr(`${line}\n`);
  };
  return {
    url,
    apiKey,
    model: values.model,
    headers,
    only: list(values.only),
    skip: list(values.skip),
    timeoutMs: positiveInteger(values.timeout, '--timeout', 15_000, 600_000),
    concurrency: positiveInteger(values.concurrency, '--concurrency', 4, 16),
    transcriptionModel: values['transcription-model'],
    without,
    onResult: values.json ? undefined : progress,
  };
}

function positiveInteger(
  value: string | undefined,
  flag: string,
  fallback: number,
  most: number,
): number {
  if (value === undefined) return fallback;
  const number = Number(value);
  if (!Number.isInteger(number) || number <= 0 || number > most) {
    throw new Error(`expected ${flag} to be an integer from 1 to ${most}`);
  }
  return number;
}
