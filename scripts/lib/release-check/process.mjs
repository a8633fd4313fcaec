// Runs the tools release-check drives and condenses what they print into one line.
import { spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';

/** @typedef {{ code: number, stdout: string, stderr: string }} CommandResult */

/**
 * Runs a command to completion, capturing its output (never through a shell). An `env` with a
 * `PATH` replaces the environment; one without is added to it.
 * @param {string} command
 * @param {string[]} args
 * @param {{ cwd: string, env?: Record<string, string> | undefined }} options
 * @returns {Promise<CommandResult>}
 */
export function run(command, args, { cwd, env }) {
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      cwd,
      env: env?.PATH ? env : { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('error', (error) => resolve({ code: 1, stdout, stderr: `${stderr}${error.message}` }));
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

/**
 * `map` with at most `limit` callbacks in flight (the CPU count by default), results in order.
 * @template T, R
 * @param {readonly T[]} items
 * @param {(item: T) => Promise<R>} callback
 * @param {number} [limit]
 * @returns {Promise<R[]>}
 */
export async function mapLimited(items, callback, limit = availableParallelism()) {
  /** @type {R[]} */
  const results = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await callback(/** @type {T} */ (items[index]));
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** @param {unknown} error */
export function firstLine(error) {
  return String(error instanceof Error ? error.message : error).split('\n')[0] ?? '';
}

/**
 * The last non-empty lines a command printed (npm's warnings left out), joined into one line.
 * @param {{ stdout: string, stderr: string }} result
 * @param {number} [count]
 */
export function lastLines(result, count = 2) {
  const lines = `${result.stdout}\n${result.stderr}`
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('npm warn'));
  return lines.slice(-count).join(' | ') || 'failed without output';
}

/**
 * The compiler's error lines (at most three) from a failed build, or its last lines.
 * @param {{ stdout: string, stderr: string }} result
 */
export function errorLines(result) {
  const errors = `${result.stdout}\n${result.stderr}`
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => /error TS\d+|\bError:/.test(line));
  return errors.length > 0 ? errors.slice(0, 3).join(' | ') : lastLines(result, 4);
}

/**
 * The environment without what `pnpm run` exports for npm, so npm uses its own defaults.
 * @param {NodeJS.ProcessEnv} [environment]
 */
export function cleanNpmEnv(environment = process.env) {
  /** @type {Record<string, string>} */
  const env = {};
  for (const [key, value] of Object.entries(environment)) {
    if (
      value !== undefined &&
      !/^npm_(config|package|lifecycle|execpath|node_execpath)/i.test(key)
    ) {
      env[key] = value;
    }
  }
  return env;
}
