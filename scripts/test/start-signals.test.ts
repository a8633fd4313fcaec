// `pnpm start` as a user runs it: through pnpm, stopped with Ctrl-C (SIGINT to the terminal's
// process group) or SIGTERM (to pnpm, as a supervisor sends it), and with relative paths typed
// in the directory the command was run in. Needs apps/relay-node built (`pnpm test` builds).
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { cleanNpmEnv } from '../lib/release-check/process.mjs';
import { repoRoot } from '../lib/workspace.mjs';

const appDir = join(repoRoot, 'apps', 'relay-node');
// realpath: pnpm reports the real directory it runs in (macOS's tmpdir is a symlink).
const scratch = realpathSync(mkdtempSync(join(tmpdir(), 'rtwire-start-')));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** The root `start` script without its build step (turbo), which the test does not time. */
const rootStart = (() => {
  const { scripts } = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'));
  return String(scripts.start).replace(/^turbo run build [^&]*&&\s*/, '');
})();

/**
 * A project standing in for the repository root: its `start` is the root's (build step aside)
 * and `apps/relay-node` is this checkout's; `cwd` is where the user types the command.
 */
function rootProject(): { project: string; cwd: string } {
  const project = mkdtempSync(join(scratch, 'project-'));
  writeFileSync(
    join(project, 'package.json'),
    JSON.stringify({ name: 'start-check', private: true, scripts: { start: rootStart } }),
  );
  mkdirSync(join(project, 'apps'));
  symlinkSync(appDir, join(project, 'apps', 'relay-node'), 'dir');
  const cwd = join(project, 'where-the-user-is');
  mkdirSync(cwd);
  return { project, cwd };
}

const environment = (extra: Record<string, string> = {}) => {
  const env = cleanNpmEnv();
  // pnpm sets INIT_CWD for the scripts it runs; the one running this test must not leak in.
  delete env.INIT_CWD;
  delete env.CI;
  return { ...env, PORT: '0', SIM_PACE: 'fast', ...extra };
};

const running: ChildProcess[] = [];
afterEach(() => {
  // Whatever a failed test left: its whole process group.
  for (const child of running.splice(0)) {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    } catch {}
  }
});

/** `pnpm start` in `cwd`, in a process group of its own (as a terminal's foreground job). */
async function pnpmStart(cwd: string, env: Record<string, string> = {}) {
  const child = spawn('pnpm', ['start'], {
    cwd,
    env: environment(env),
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.push(child);
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const port = await new Promise<number>((resolve, reject) => {
    const onData = () => {
      const match = /listening on https?:\/\/[^:]+:(\d+)/.exec(output);
      if (match?.[1]) resolve(Number(match[1]));
    };
    child.stdout?.on('data', onData);
    void exited.then(() => reject(new Error(`pnpm start ended: ${output}`)));
  });
  return { child, port, exited, output: () => output };
}

/** Whether something still accepts connections on `port`. */
const accepting = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });

const stoppedCleanly = async (started: Awaited<ReturnType<typeof pnpmStart>>, send: () => void) => {
  send();
  expect(await started.exited).toEqual({ code: 0, signal: null });
  expect(started.output()).toContain('"msg":"relay.stopped"');
  expect(started.output()).not.toMatch(/ELIFECYCLE|ERR_PNPM/);
  // The relay went with pnpm: nothing was left listening.
  expect(await accepting(started.port)).toBe(false);
};

describe('stopping `pnpm start` exits 0', () => {
  it('in apps/relay-node: Ctrl-C (SIGINT to the process group) and SIGTERM to pnpm', async () => {
    const interrupted = await pnpmStart(appDir);
    await stoppedCleanly(interrupted, () => process.kill(-(interrupted.child.pid ?? 0), 'SIGINT'));
    const terminated = await pnpmStart(appDir);
    await stoppedCleanly(terminated, () => terminated.child.kill('SIGTERM'));
  });

  it('at the repository root: Ctrl-C and SIGTERM to pnpm', async () => {
    const { cwd } = rootProject();
    const interrupted = await pnpmStart(cwd);
    await stoppedCleanly(interrupted, () => process.kill(-(interrupted.child.pid ?? 0), 'SIGINT'));
    const terminated = await pnpmStart(cwd);
    await stoppedCleanly(terminated, () => terminated.child.kill('SIGTERM'));
  });
});

describe('relative paths under the root `pnpm start`', () => {
  const startFails = (cwd: string, env: Record<string, string>) => {
    const result = spawnSync('pnpm', ['start'], {
      cwd,
      env: environment(env),
      encoding: 'utf8',
      timeout: 30_000,
    });
    return { status: result.status, output: `${result.stdout}${result.stderr}` };
  };

  it('resolve against the directory the command was run in, and a missing file names its absolute path', () => {
    const { cwd } = rootProject();
    writeFileSync(join(cwd, 'my-policy.json'), JSON.stringify({ default: { voices: 'marin' } }));
    // The file was found where the user is: its content is what is refused.
    const read = startFails(cwd, { RELAY_POLICY: './my-policy.json' });
    expect(read.output).toContain('rtwire relay: RELAY_POLICY: /default/voices: expected');
    const missing = startFails(cwd, { RELAY_POLICY: './missing-policy.json' });
    expect(missing.output).toContain(
      `rtwire relay: RELAY_POLICY: /: expected a readable file at ${join(cwd, 'missing-policy.json')}`,
    );
    const tools = startFails(cwd, { RELAY_TOOLS_MODULE: './tools.mjs' });
    expect(tools.output).toContain(
      `rtwire relay: RELAY_TOOLS_MODULE: could not be loaded from ${join(cwd, 'tools.mjs')}`,
    );
  });
});
