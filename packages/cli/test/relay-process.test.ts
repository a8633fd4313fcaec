// `rtwire relay` as its own process, from the build (`dist/bin.js`, what the bin links to). No
// test here measures time: every wait is for an event, with a generous bound against a hang.
import { type ChildProcess, spawn } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';

const bin = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
/** A bound on any one wait: far past what a busy two-core machine needs. */
const HANG_GUARD_MS = 90_000;

interface Relay {
  readonly child: ChildProcess;
  readonly output: () => string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const running: ChildProcess[] = [];
afterEach(() => {
  for (const child of running.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

/** `node dist/bin.js relay …args` with `env` over a clean copy of this one. */
function relay(args: readonly string[], env: Record<string, string> = {}): Relay {
  const base = { ...process.env };
  // The test runner's own settings must not configure the relay.
  for (const name of ['PORT', 'HOST', 'UPSTREAM_URL', 'MODEL_BASE_URL', 'RELAY_TOKENS'])
    delete base[name];
  const child = spawn(process.execPath, [bin, 'relay', ...args], {
    env: { ...base, LOG_LEVEL: 'info', ...env },
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
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, output: () => output, exited };
}

/** Resolves `what` with a bound: a hang fails the test with what the relay printed. */
function guarded<T>(what: Promise<T>, relayed: Relay, step: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${step}: no answer; the relay printed:\n${relayed.output()}`)),
      HANG_GUARD_MS,
    );
    what.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

/** The URL of the line `rtwire relay listening on <url> (…)`, once printed. */
function listening(started: Relay): Promise<string> {
  const line = new Promise<string>((resolve, reject) => {
    const look = () => {
      const match = /^rtwire relay listening on (https?:\/\/\S+) /m.exec(started.output());
      if (match?.[1]) resolve(match[1]);
    };
    started.child.stdout?.on('data', look);
    look();
    void started.exited.then(() => reject(new Error(`relay ended:\n${started.output()}`)));
  });
  return guarded(line, started, 'listening line');
}

/** The first event the relay sends a new session. */
function firstEvent(url: string): Promise<{ type: string }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { perMessageDeflate: false });
    socket.once('message', (data) => {
      resolve(JSON.parse(data.toString()));
      socket.close();
    });
    socket.once('unexpected-response', (_request, response) =>
      reject(new Error(`HTTP ${response.statusCode}`)),
    );
    socket.once('error', reject);
  });
}

describe('rtwire relay, spawned from dist/bin.js', () => {
  it(
    'serves /healthz, the console at / and a WebSocket session, and exits 0 on SIGTERM',
    async () => {
      const started = relay(['--port', '0', '--sim-pace', 'fast', '--calls=off']);
      const url = await listening(started);
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(started.output()).toContain(
        `realtime endpoint ${url.replace('http', 'ws')}/v1/realtime`,
      );

      const health = await guarded(fetch(`${url}/healthz`), started, 'GET /healthz');
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({ status: 'ok' });

      const page = await guarded(fetch(`${url}/`), started, 'GET /');
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toMatch(/^text\/html/);
      expect(await page.text()).toContain('<title>rtwire realtime console</title>');

      const event = await guarded(
        firstEvent(`${url.replace('http', 'ws')}/v1/realtime`),
        started,
        'WebSocket session',
      );
      expect(event.type).toBe('session.created');

      started.child.kill('SIGTERM');
      expect(await guarded(started.exited, started, 'exit after SIGTERM')).toEqual({
        code: 0,
        signal: null,
      });
      expect(started.output()).toContain('"msg":"relay.stopped"');
    },
    4 * HANG_GUARD_MS,
  );

  it(
    'takes a flag over the environment: a bad PORT in the environment, a good one as a flag',
    async () => {
      const started = relay(['--port=0', '--calls', 'off'], { PORT: 'not a port' });
      await listening(started);
      started.child.kill('SIGINT');
      expect(await guarded(started.exited, started, 'exit after SIGINT')).toEqual({
        code: 0,
        signal: null,
      });
    },
    3 * HANG_GUARD_MS,
  );

  it(
    'exits 0 however many signals follow the first, during the drain or after it',
    async () => {
      const started = relay(['--port', '0', '--calls', 'off']);
      await listening(started);
      // Ctrl-C reaches the whole process group, and a runner such as pnpm passes its own on
      // too: signals keep coming until the process is gone, so one lands after the drain.
      started.child.kill('SIGTERM');
      const again = setInterval(() => started.child.kill('SIGINT'), 1);
      try {
        expect(await guarded(started.exited, started, 'exit after signals')).toEqual({
          code: 0,
          signal: null,
        });
      } finally {
        clearInterval(again);
      }
    },
    3 * HANG_GUARD_MS,
  );

  it(
    'exits 2 with one line naming an unknown flag, a flag without a value, a bad variable',
    async () => {
      const cases: [string[], string][] = [
        [['--bogus', '1'], 'rtwire relay: unknown flag --bogus (rtwire relay --help lists them)\n'],
        [['--port'], 'rtwire relay: --port needs a value (--port <value> or --port=<value>)\n'],
        [
          ['--port', 'x', '--calls=off'],
          'rtwire relay: PORT: expected an integer from 0 to 65535\n',
        ],
      ];
      for (const [args, message] of cases) {
        const started = relay(args);
        expect(await guarded(started.exited, started, args.join(' '))).toEqual({
          code: 2,
          signal: null,
        });
        expect(started.output()).toBe(message);
      }
    },
    4 * HANG_GUARD_MS,
  );

  it(
    'exits 1 when it cannot listen',
    async () => {
      const taken = createServer();
      await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
      try {
        const { port } = taken.address() as AddressInfo;
        const started = relay(['--port', String(port), '--calls=off']);
        expect(await guarded(started.exited, started, 'exit')).toEqual({ code: 1, signal: null });
        expect(started.output()).toMatch(/^rtwire relay: .*\d+/m);
      } finally {
        taken.close();
      }
    },
    2 * HANG_GUARD_MS,
  );

  it(
    'prints the help, every line within 100 columns, and exits 0',
    async () => {
      const started = relay(['--help']);
      expect(await guarded(started.exited, started, '--help')).toEqual({ code: 0, signal: null });
      expect(started.output()).toMatch(/^Usage: rtwire relay /);
      expect(started.output()).toContain('--upstream-url');
      expect(
        started
          .output()
          .split('\n')
          .filter((line) => [...line].length > 100),
      ).toEqual([]);
    },
    2 * HANG_GUARD_MS,
  );
});
