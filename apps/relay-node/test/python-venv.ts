import { execFile } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

/** Where the beta clients' Python lives: under the app's `.tmp/` (gitignored). */
const VENV = fileURLToPath(new URL('../.tmp/beta-clients-venv', import.meta.url));
/** The `openai` whose `client.beta.realtime` the tests hold to the relay. */
export const PYTHON_OPENAI = '2.54.0';

const run = (command: string, args: string[], timeout: number) =>
  new Promise<{ ok: boolean; output: string }>((resolve) => {
    execFile(command, args, { timeout, encoding: 'utf8' }, (error, stdout, stderr) =>
      resolve({ ok: error === null, output: `${stdout}${stderr}`.trim() }),
    );
  });

/**
 * A Python with `openai[realtime]==2.54.0`, in a venv made under `.tmp/` (once: a venv that
 * already has it is kept), or why there is none. `pip install` goes through pip's own
 * configuration (index, find-links); an index it cannot reach costs one try of at most
 * `--timeout` seconds a request (`--retries 0`, and a timeout of its own over the
 * environment's `PIP_DEFAULT_TIMEOUT`) before it falls back to the next.
 */
export async function pythonWithOpenai(): Promise<
  { readonly python: string } | { readonly reason: string }
> {
  const python = `${VENV}/bin/python`;
  const check = `import openai, websockets; assert openai.__version__ == '${PYTHON_OPENAI}'`;
  if ((await run(python, ['-c', check], 60_000)).ok) return { python };
  const found = await run('python3', ['--version'], 30_000);
  if (!found.ok) return { reason: 'no python3 on the PATH' };
  await rm(VENV, { recursive: true, force: true });
  const venv = await run('python3', ['-m', 'venv', VENV], 120_000);
  if (!venv.ok) return { reason: `python3 -m venv failed (install python3-venv): ${venv.output}` };
  const install = await run(
    `${VENV}/bin/pip`,
    [
      'install',
      '--quiet',
      '--retries',
      '0',
      '--timeout',
      '10',
      `openai[realtime]==${PYTHON_OPENAI}`,
    ],
    600_000,
  );
  if (!install.ok) {
    return {
      reason: `pip could not install openai ${PYTHON_OPENAI}: ${install.output.slice(-500)}`,
    };
  }
  return (await run(python, ['-c', check], 60_000)).ok
    ? { python }
    : { reason: `openai ${PYTHON_OPENAI} did not import after installing` };
}
