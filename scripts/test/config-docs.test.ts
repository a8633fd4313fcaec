// The docs that list configuration and commands, held to what the code reads and runs.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { variablesRead } from '../../test-support/relay-variables-read.ts';
import { repoRoot } from '../lib/workspace.mjs';

const read = (path: string) => readFileSync(join(repoRoot, path), 'utf8');

/**
 * Every variable the relay's configuration reads (`test-support/relay-variables-read.ts`):
 * `parseRelayConfig` and `createRelayFromEnv` of `@rtwire/relay` (every runtime) and
 * `loadRelayFromEnv` of `@rtwire/node` (the Node app), from source.
 */
async function variablesReadFromSource(): Promise<Set<string>> {
  // Imported by URL so the scripts' typecheck does not compile the packages' sources.
  const source = (path: string) => import(pathToFileURL(join(repoRoot, path)).href);
  return variablesRead({
    relay: await source('packages/relay/src/index.ts'),
    node: await source('packages/node/src/index.ts'),
  });
}

/** The section of `markdown` under the heading `title`, to the next heading of its level. */
function section(markdown: string, title: string): string {
  const heading = new RegExp(`^(#+) ${title}$`, 'm').exec(markdown);
  if (!heading) throw new Error(`no section ${title}`);
  const level = heading[1]?.length ?? 2;
  const rest = markdown.slice(heading.index + heading[0].length);
  const end = rest.search(new RegExp(`^#{1,${level}} `, 'm'));
  return end < 0 ? rest : rest.slice(0, end);
}

/** The configuration variables a text names: backticked upper-case names. */
const named = (text: string) =>
  new Set([...text.matchAll(/`([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*)`/g)].map((match) => match[1] ?? ''));
/** What a text may name besides configuration: benchmark knobs, the test browser. */
const notConfiguration = (name: string) =>
  /^(BENCH_|ADV_)/.test(name) || ['CHROMIUM_PATH', 'CI', 'INIT_CWD'].includes(name);
const sorted = (names: Iterable<string>) => [...names].sort();

describe('configuration tables', () => {
  let variables: Set<string>;
  // It imports the packages' sources and loads the WebRTC stack's native module (26 MB): tens
  // of seconds on a machine running other test suites, bounded work all the same.
  beforeAll(async () => {
    variables = await variablesReadFromSource();
  }, 120_000);

  it('the variables seen are the relay’s, the Node-only ones included', () => {
    for (const name of ['PORT', 'UPSTREAM_URL', 'MODEL_BASE_URL', 'RESUME_WINDOW_MS'])
      expect(variables.has(name), name).toBe(true);
    expect(variables.has('RELAY_POLICY')).toBe(true);
    expect(variables.has('RELAY_TOOLS_MODULE')).toBe(true);
  });

  it('@rtwire/relay’s README lists every variable the code reads, and no other', () => {
    const table = named(section(read('packages/relay/README.md'), 'Configuration'));
    expect(sorted(table)).toEqual(sorted(variables));
  });

  it('apps/edge-deno’s README lists every variable too (the Node-only ones as such), and no other', () => {
    const table = named(section(read('apps/edge-deno/README.md'), 'Configuration'));
    expect(sorted(table)).toEqual(sorted(variables));
  });

  it('the other READMEs name only variables the code reads', () => {
    const readmes = [
      'README.md',
      'apps/relay-node/README.md',
      'packages/node/README.md',
      'packages/cli/README.md',
    ];
    for (const path of readmes) {
      const stale = [...named(read(path))].filter(
        (name) => !variables.has(name) && !notConfiguration(name),
      );
      expect(stale, path).toEqual([]);
    }
  });
});

describe('commands the docs name', () => {
  const rootScripts = JSON.parse(read('package.json')).scripts as Record<string, string>;

  it('CONTRIBUTING’s row for `pnpm test` names every step the script runs', () => {
    const row = read('CONTRIBUTING.md')
      .split('\n')
      .find((line) => line.startsWith('| `pnpm test` |'));
    expect(row).toBeDefined();
    for (const step of String(rootScripts.test).split('&&')) {
      // `turbo run build typecheck --output-logs=…` is named without its flags.
      const words = step.trim().split(/\s+/);
      const command = words.filter((word) => !word.startsWith('--')).join(' ');
      expect(row, command).toContain(`\`${command}\``);
    }
  });

  it('every `pnpm <script>` in a README runs from the repository root, or says where', () => {
    const builtIn = new Set(['install', 'add', 'exec', 'pack', 'publish', 'run', 'dlx', 'turbo']);
    const manifests = new Map<string, Record<string, string>>();
    for (const dir of ['packages', 'apps']) {
      for (const name of readdirSync(join(repoRoot, dir))) {
        const manifest = JSON.parse(read(`${dir}/${name}/package.json`));
        manifests.set(manifest.name, manifest.scripts ?? {});
      }
    }
    const files = execFileSync('git', ['ls-files', '*.md'], { cwd: repoRoot, encoding: 'utf8' })
      .split('\n')
      .filter((path) => path !== '' && !path.startsWith('.changeset/') && !/CHANGELOG/.test(path));
    const wrong: string[] = [];
    for (const path of files) {
      const markdown = read(path);
      // Commands are code: fenced blocks, then inline spans; prose saying "pnpm sets" is not.
      const fenced = [...markdown.matchAll(/```[a-z]*\n([\s\S]*?)```/g)].map((match) => match[1]);
      const inline = [...markdown.replace(/```[\s\S]*?```/g, '').matchAll(/`([^`\n]+)`/g)];
      const text = [...fenced, ...inline.map((match) => match[1])].join('\n');
      for (const match of text.matchAll(/\bpnpm ((?:--filter|-F) (\S+) )?([a-z][\w:-]*)/g)) {
        const [, filter, target, script = ''] = match;
        // A placeholder (`pnpm --filter @rtwire/<name> run <script>`) names no package.
        if (target?.includes('<')) continue;
        if (filter !== undefined) {
          if (manifests.get(target ?? '')?.[script] === undefined)
            wrong.push(`${path}: ${match[0]}`);
        } else if (rootScripts[script] === undefined && !builtIn.has(script)) {
          // `cd apps/x` just before: that app's own script.
          const before = text.slice(Math.max(0, (match.index ?? 0) - 200), match.index);
          const app = /cd (apps\/[\w-]+|packages\/[\w-]+)\s*$/m.exec(before)?.[1];
          const scripts = app ? JSON.parse(read(`${app}/package.json`)).scripts : {};
          if (scripts?.[script] === undefined) wrong.push(`${path}: ${match[0]}`);
        }
      }
    }
    expect(wrong).toEqual([]);
  });
});
