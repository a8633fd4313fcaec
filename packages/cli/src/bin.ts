#!/usr/bin/env node
// The `rtwire` command: a subcommand per job, each in its own module, loaded only when asked
// for (the conformance suite need not load the relay, nor the relay the spec).
import { readFileSync } from 'node:fs';

const USAGE = `Usage: rtwire <command> [options]

Commands:
  relay                 Serve the Realtime relay (the simulator when no upstream is set)
  conformance <url>     Check a ws:// or wss:// Realtime endpoint against the GA protocol

Run rtwire <command> --help for a command's options.
  --version             Print the version
`;

const [command, ...rest] = process.argv.slice(2);
switch (command) {
  case 'relay': {
    const { runRelayCommand } = await import('./relay/relay-command.ts');
    // The process ends when the relay has: nothing a dependency left open holds it.
    process.exit(await runRelayCommand(rest, process.env));
    break;
  }
  case 'conformance': {
    const { runConformanceCommand } = await import('./conformance/conformance-command.ts');
    process.exitCode = await runConformanceCommand(rest);
    break;
  }
  case '--version':
  case '-v': {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
    process.stdout.write(`${pkg.version}\n`);
    break;
  }
  case undefined:
  case '--help':
  case '-h':
  case 'help':
    process.stdout.write(USAGE);
    break;
  default:
    process.stderr.write(`rtwire: unknown command '${command.slice(0, 40)}'\n\n${USAGE}`);
    process.exitCode = 2;
}
