import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';

/** A real `redis-server` on a loopback port of its own, for one test file. */
export interface RedisServer {
  readonly url: string;
  readonly port: number;
  /** The server's process id while it runs (a benchmark counts its CPU); `undefined` when stopped. */
  readonly pid: number | undefined;
  /** Stops the server (SIGKILL: it vanishes as a crashed or unreachable Redis does). */
  stop(): Promise<void>;
  /** Starts it again on the same port, empty (no persistence). */
  start(): Promise<void>;
}

/** A port nothing listens on now. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * Starts Debian's `redis-server` (installed by `.ci/run`) on 127.0.0.1, without persistence,
 * and waits until it accepts connections. A machine without it fails the test that asked,
 * naming what to install.
 */
export async function startRedisServer(): Promise<RedisServer> {
  const port = await freePort();
  let child: ChildProcess | undefined;
  const launch = () =>
    new Promise<void>((resolve, reject) => {
      const process_ = spawn(
        'redis-server',
        ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      child = process_;
      let output = '';
      const timer = setTimeout(
        () => reject(new Error(`redis-server did not start: ${output.slice(-500)}`)),
        10_000,
      );
      process_.once('error', (error) => {
        clearTimeout(timer);
        reject(
          new Error(`redis-server could not run (apt-get install redis-server): ${error.message}`),
        );
      });
      process_.stdout?.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('Ready to accept connections')) {
          clearTimeout(timer);
          resolve();
        }
      });
      process_.once('exit', () => clearTimeout(timer));
    });
  await launch();
  // A test process that dies before stop() (a benchmark whose output pipe closed, a worker
  // killed on a timeout) takes its server with it, instead of leaving it listening.
  process.once('exit', () => child?.kill('SIGKILL'));
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    get pid() {
      return child?.exitCode === null && child.signalCode === null ? child.pid : undefined;
    },
    async stop() {
      const running = child;
      child = undefined;
      if (running === undefined || running.exitCode !== null) return;
      const exited = new Promise((resolve) => running.once('exit', resolve));
      running.kill('SIGKILL');
      await exited;
    },
    start: launch,
  };
}
