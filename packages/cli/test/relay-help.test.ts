import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as node from '@rtwire/node';
import * as relay from '@rtwire/relay';
import { beforeAll, describe, expect, it } from 'vitest';
import { variablesRead } from '../../../test-support/relay-variables-read.ts';
import { RELAY_VARIABLES, relayHelp } from '../src/relay/index.ts';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const help = relayHelp();
/** The variables the help lists: the flags that start its option lines, `--help` aside. */
const listed = [...help.matchAll(/^ {2}--([a-z0-9-]+)\s/gm)]
  .map((match) => (match[1] ?? '').toUpperCase().replaceAll('-', '_'))
  .filter((name) => name !== 'HELP');

describe('rtwire relay --help', () => {
  let read: Set<string>;
  // It loads the relay and the Node adapter, and with them the WebRTC stack's native module:
  // bounded work, slow on a busy machine.
  beforeAll(async () => {
    read = await variablesRead({ relay, node });
  }, 180_000);

  it('lists exactly the variables the relay reads, each once', () => {
    expect([...listed].sort()).toEqual([...read].sort());
    expect(new Set(listed).size).toBe(listed.length);
  });

  it('gives each its flag, its name, its default and its meaning', () => {
    for (const variable of RELAY_VARIABLES) {
      const line = help.split('\n').find((text) => text.startsWith(`  ${variable.flag} `));
      expect(line, variable.name).toContain(`${variable.name}, default: `);
      // The meaning's first words, wrapped or not.
      expect(help.replace(/\s+/g, ' '), variable.name).toContain(
        variable.meaning.split(' ').slice(0, 6).join(' '),
      );
    }
    expect(help).toContain('  --port                           PORT, default: 8787\n');
    expect(help).toMatch(/^ {2}-h, --help\s/m);
  });

  it('wraps to 100 columns', () => {
    const long = help.split('\n').filter((line) => [...line].length > 100);
    expect(long).toEqual([]);
  });

  it('is generated from the Configuration table of the relay README, and is current', () => {
    // The check the build runs: it fails when the README's table and the generated list differ.
    execFileSync(process.execPath, ['scripts/generate-relay-variables.mjs', '--check'], {
      cwd: packageDir,
      stdio: 'pipe',
    });
  });
});
