// `npx rtwire relay` as a user with Node alone runs it: the packed CLI and the `@rtwire/*`
// tarballs it needs, installed with npm into an empty folder, the relay started through npx,
// its console and a WebSocket session checked, the conformance suite run against it, and the
// relay stopped with SIGTERM.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, symlinkSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { WebSocket } from 'ws';
import { lastLines, run } from './process.mjs';

/** @typedef {import('./report.mjs').CheckResult} CheckResult */

/** The package whose bin this check runs. */
export const CLI_PACKAGE = '@rtwire/cli';

/** Bounds on each wait: far past what a busy two-core machine needs, short of forever. */
export const NPX_RELAY_BOUNDS = {
  installMs: 600_000,
  startMs: 120_000,
  requestMs: 60_000,
  conformanceMs: 600_000,
  stopMs: 60_000,
};

/**
 * A folder holding `node`, `npm`, `npx` and `sh` (npm runs a bin through `sh -c`), linked from
 * where `path` finds them: as a `PATH`, what a machine with Node alone has. Nothing else the
 * workspace uses (pnpm, tsx, deno) is on it.
 * @param {string} dir created
 * @param {string} [path]
 * @returns {string} `dir`
 */
export function nodeOnlyBin(dir, path = process.env.PATH ?? '') {
  mkdirSync(dir, { recursive: true });
  for (const name of ['node', 'npm', 'npx', 'sh']) {
    const found = path
      .split(delimiter)
      .map((entry) => join(entry, name))
      .find((file) => existsSync(file));
    if (found === undefined) throw new Error(`${name} is not on PATH`);
    symlinkSync(found, join(dir, name));
  }
  return dir;
}

/**
 * The URL in the relay's line `rtwire relay listening on <url> (…)`, once printed.
 * @param {string} output
 * @returns {string | undefined}
 */
export function listeningUrl(output) {
  return /^rtwire relay listening on (https?:\/\/\S+) /m.exec(output)?.[1];
}

/**
 * The process at the end of the chain of children under `pid` in a `ps -A -o pid=,ppid=,args=`
 * table: under `npx` that is npm, its shell, then the relay itself. `pid` when it has none.
 * @param {number} pid
 * @param {string} table
 * @returns {number}
 */
export function deepestDescendant(pid, table) {
  const rows = table
    .split('\n')
    .map((line) => /^\s*(\d+)\s+(\d+)\s/.exec(line))
    .filter((match) => match !== null)
    .map((match) => ({ pid: Number(match[1]), ppid: Number(match[2]) }));
  let leaf = pid;
  const seen = new Set([pid]);
  for (;;) {
    const child = rows.find((row) => row.ppid === leaf && !seen.has(row.pid));
    if (child === undefined) return leaf;
    seen.add(child.pid);
    leaf = child.pid;
  }
}

/**
 * @typedef {object} Started
 * @property {import('node:child_process').ChildProcess} child
 * @property {() => string} output stdout and stderr so far
 * @property {Promise<{ code: number | null, signal: NodeJS.Signals | null }>} exited
 * @property {() => void} kill SIGKILL to its whole process group, if it still runs
 */

/**
 * Starts a command in a process group of its own (so that what it starts can be found, and
 * killed with it), collecting its output.
 * @param {string} command
 * @param {string[]} args
 * @param {{ cwd: string, env: Record<string, string> }} options
 * @returns {Started}
 */
export function start(command, args, { cwd, env }) {
  const child = spawn(command, args, {
    cwd,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    output += chunk;
  });
  let running = true;
  /** @type {Started['exited']} */
  const exited = new Promise((resolve) => {
    child.once('error', (error) => {
      output += error.message;
      running = false;
      resolve({ code: 1, signal: null });
    });
    child.once('exit', (code, signal) => {
      running = false;
      resolve({ code, signal });
    });
  });
  const kill = () => {
    if (!running || child.pid === undefined) return;
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {}
  };
  return { child, output: () => output, exited, kill };
}

/**
 * `promise`, or `fallback` once `ms` passed.
 * @template T, F
 * @param {Promise<T>} promise
 * @param {number} ms
 * @param {F} fallback
 * @returns {Promise<T | F>}
 */
export function within(promise, ms, fallback) {
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let timer;
  const bound = new Promise((resolve) => {
    timer = setTimeout(() => resolve(fallback), ms);
  });
  return /** @type {Promise<T | F>} */ (Promise.race([promise, bound])).finally(() =>
    clearTimeout(timer),
  );
}

/**
 * Waits for the relay's listening line.
 * @param {Started} relay
 * @param {number} ms
 * @returns {Promise<CheckResult & { url?: string }>}
 */
export async function waitListening(relay, ms) {
  const url = new Promise((resolve) => {
    const look = () => {
      const found = listeningUrl(relay.output());
      if (found !== undefined) resolve(found);
    };
    relay.child.stdout?.on('data', look);
    look();
    void relay.exited.then(() => resolve(undefined));
  });
  const found = /** @type {string | undefined} */ (await within(url, ms, undefined));
  if (found !== undefined) return { ok: true, detail: found, url: found };
  return {
    ok: false,
    detail: `no listening line: ${lastLines({ stdout: relay.output(), stderr: '' })}`,
  };
}

/**
 * `GET /` is the console's page, `GET /healthz` says ok.
 * @param {string} url the relay's `http://host:port`
 * @param {number} ms
 * @returns {Promise<CheckResult>}
 */
export async function consoleServed(url, ms) {
  const signal = AbortSignal.timeout(ms);
  const page = await fetch(`${url}/`, { signal });
  const html = await page.text();
  if (page.status !== 200 || !/^text\/html/.test(page.headers.get('content-type') ?? '')) {
    return {
      ok: false,
      detail: `GET / answered ${page.status} ${page.headers.get('content-type')}`,
    };
  }
  if (!html.includes('<title>rtwire realtime console</title>')) {
    return { ok: false, detail: 'GET / is not the console' };
  }
  const health = await fetch(`${url}/healthz`, { signal });
  const status = /** @type {{ status?: string }} */ (await health.json().catch(() => ({})));
  if (health.status !== 200 || status.status !== 'ok') {
    return { ok: false, detail: `GET /healthz answered ${health.status}` };
  }
  return { ok: true, detail: `GET / ${html.length} bytes, /healthz ok` };
}

/**
 * A WebSocket to `wsUrl` gets `session.created` first.
 * @param {string} wsUrl
 * @param {number} ms
 * @returns {Promise<CheckResult>}
 */
export function sessionCreated(wsUrl, ms) {
  /** @type {Promise<CheckResult>} */
  const first = new Promise((resolve) => {
    const socket = new WebSocket(wsUrl, { perMessageDeflate: false });
    const done = (/** @type {CheckResult} */ result) => {
      socket.terminate();
      resolve(result);
    };
    socket.once('message', (data) => {
      let type = '';
      try {
        type = JSON.parse(data.toString()).type;
      } catch {}
      done(
        type === 'session.created'
          ? { ok: true }
          : { ok: false, detail: `first event ${type || 'not JSON'}` },
      );
    });
    socket.once('unexpected-response', (_request, response) =>
      done({ ok: false, detail: `upgrade answered ${response.statusCode}` }),
    );
    socket.once('error', (error) => done({ ok: false, detail: error.message }));
  });
  return within(first, ms, { ok: false, detail: `no event within ${ms / 1000} s` });
}

/**
 * The whole check, one report line per step (`record`); a step that cannot run because an
 * earlier one failed is recorded as skipped.
 * @param {{
 *   tarballs: string[],
 *   dir: string,
 *   record: (check: string, result: CheckResult) => void,
 *   bounds?: typeof NPX_RELAY_BOUNDS,
 * }} options `tarballs`: the CLI's and every `@rtwire/*` one it needs; `dir`: a new folder
 */
export async function checkNpxRelay({ tarballs, dir, record, bounds = NPX_RELAY_BOUNDS }) {
  const project = join(dir, 'project');
  mkdirSync(project, { recursive: true });
  /** @type {Record<string, string>} */
  const env = { PATH: nodeOnlyBin(join(dir, 'bin')) };
  for (const name of ['HOME', 'TMPDIR', 'USERPROFILE']) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  const skip = (/** @type {string[]} */ checks, /** @type {string} */ why) => {
    for (const check of checks)
      record(check, { ok: false, skipped: true, detail: `skipped, ${why}` });
  };
  const later = [
    'npx rtwire relay',
    'relay console',
    'relay session',
    'npx rtwire conformance',
    'relay SIGTERM',
  ];

  const install = await within(
    run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', ...tarballs], {
      cwd: project,
      env,
    }),
    bounds.installMs,
    { code: 1, stdout: '', stderr: `npm install took over ${bounds.installMs / 1000} s` },
  );
  record(
    'npx install',
    install.code === 0
      ? { ok: true, detail: 'npm, node and sh alone on PATH' }
      : { ok: false, detail: lastLines(install) },
  );
  if (install.code !== 0) return skip(later, 'npx install failed');

  const relay = start('npx', ['rtwire', 'relay', '--port', '0', '--sim-pace', 'fast'], {
    cwd: project,
    env,
  });
  try {
    const listening = await waitListening(relay, bounds.startMs);
    record('npx rtwire relay', listening);
    if (listening.url === undefined) return skip(later.slice(1), 'the relay did not start');
    const url = listening.url;
    const wsUrl = `${url.replace(/^http/, 'ws')}/v1/realtime`;

    record('relay console', await consoleServed(url, bounds.requestMs).catch(failed));
    record('relay session', await sessionCreated(wsUrl, bounds.requestMs));

    // The suite another part of the CLI holds; its exit status is the verdict.
    const suite = start('npx', ['rtwire', 'conformance', wsUrl], { cwd: project, env });
    const ended = await within(suite.exited, bounds.conformanceMs, undefined);
    suite.kill();
    const verdict =
      ended === undefined
        ? `no verdict within ${bounds.conformanceMs / 1000} s`
        : `exit ${ended.code ?? ended.signal}`;
    record(
      'npx rtwire conformance',
      ended?.code === 0
        ? { ok: true, detail: lastLines({ stdout: suite.output(), stderr: '' }, 1) }
        : { ok: false, detail: `${verdict}: ${lastLines({ stdout: suite.output(), stderr: '' })}` },
    );

    // SIGTERM to the relay itself: npm passes a signal to its shell, which does not pass it on
    // (dash), so a supervisor signals the relay; npx then exits with the relay's status.
    const table = execFileSync('ps', ['-A', '-o', 'pid=,ppid=,args='], { encoding: 'utf8' });
    const pid = deepestDescendant(relay.child.pid ?? 0, table);
    process.kill(pid, 'SIGTERM');
    const stopped = await within(relay.exited, bounds.stopMs, undefined);
    record(
      'relay SIGTERM',
      stopped?.code === 0 && relay.output().includes('"msg":"relay.stopped"')
        ? { ok: true, detail: 'drained, npx exited 0' }
        : {
            ok: false,
            detail:
              stopped === undefined
                ? `still running after ${bounds.stopMs / 1000} s`
                : `exit ${stopped.code ?? stopped.signal}: ${lastLines({ stdout: relay.output(), stderr: '' })}`,
          },
    );
  } finally {
    relay.kill();
  }
}

/** @param {unknown} error @returns {CheckResult} */
function failed(error) {
  return {
    ok: false,
    detail: String(error instanceof Error ? error.message : error).split('\n')[0],
  };
}
