import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const appDir = fileURLToPath(new URL('..', import.meta.url));

export interface SpawnedRelay {
  readonly child: ChildProcess;
  /** `http(s)://host:port` printed by the relay. */
  readonly url: string;
  readonly output: string[];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** How {@link spawnRelay} runs the relay. */
export interface SpawnOptions {
  /** Run the build (`dist/main.js`) instead of the source through tsx: what benchmarks time. */
  readonly built?: boolean;
  /** Extra Node flags for the relay process (`--cpu-prof`, `--max-semi-space-size=…`). */
  readonly nodeFlags?: readonly string[];
  /** The relay-node app to run (another checkout's, to compare builds); this one by default. */
  readonly appDir?: string;
}

/** Runs the relay as its own process and waits for the URL it prints. */
export function spawnRelay(
  env: Record<string, string>,
  options: SpawnOptions = {},
): Promise<SpawnedRelay> {
  const entry = options.built === true ? ['dist/main.js'] : ['--import', 'tsx', 'src/main.ts'];
  const child = spawn(process.execPath, [...(options.nodeFlags ?? []), ...entry], {
    cwd: options.appDir ?? appDir,
    env: { ...process.env, PORT: '0', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`relay did not start: ${output.join('')}`)),
      15_000,
    );
    let started = false;
    let head = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output.push(chunk.toString());
      // Only the first lines can hold the URL; a flood of log lines later is never rescanned.
      if (started) return;
      head += chunk.toString();
      const match = /listening on (https?:\/\/[^\s]+)/.exec(head);
      if (match?.[1]) {
        started = true;
        clearTimeout(timer);
        resolve({ child, url: match[1], output, exited });
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    void exited.then(() => reject(new Error(`relay exited early: ${output.join('')}`)));
  });
}
