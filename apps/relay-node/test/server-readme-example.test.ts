import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { OpenAIRealtimeWebSocket } from '@openai/agents-realtime';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { holdAgentsTurn } from '../../../test-support/agents-conversation.ts';
import { runSdkClient } from './sdk-client.ts';
import { selfSignedCertificate } from './tls-cert.ts';

const appDir = fileURLToPath(new URL('..', import.meta.url));
const serverDir = fileURLToPath(new URL('../../../packages/server/', import.meta.url));
const readme = readFileSync(join(serverDir, 'README.md'), 'utf8');

/** The README's example, as it is written there. */
const example =
  /<!-- example: run by apps\/relay-node\/test\/server-readme-example\.test\.ts -->\n```ts\n([\s\S]*?)```/.exec(
    readme,
  )?.[1];

/**
 * The example as a file a user would have: `@rtwire/server` is the built package (the app does
 * not depend on it), `ws` this app's. Written under `.tmp/` (gitignored) so `ws` resolves.
 */
const exampleFile = (() => {
  const dir = join(appDir, '.tmp');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `server-readme-example-${process.pid}.ts`);
  writeFileSync(
    file,
    (example ?? '').replace(
      "from '@rtwire/server'",
      `from ${JSON.stringify(join(serverDir, 'dist/index.js'))}`,
    ),
  );
  return file;
})();

const running: ChildProcess[] = [];
afterEach(() => {
  for (const child of running.splice(0)) child.kill('SIGKILL');
});
afterAll(() => rmSync(exampleFile, { force: true }));

/** Runs the example as its own process and waits for the endpoint it prints. */
function serveExample(env: Record<string, string> = {}): Promise<string> {
  const child = spawn(process.execPath, ['--import', 'tsx', exampleFile], {
    cwd: appDir,
    env: { ...process.env, PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.push(child);
  let output = '';
  return new Promise((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /Realtime on (wss?:\/\/\S+)/.exec(output);
      if (match?.[1]) resolve(match[1]);
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once('exit', () => reject(new Error(`the example exited: ${output}`)));
  });
}

describe('the @rtwire/server README example', () => {
  it('imports only what it shows and defines everything it uses', () => {
    expect(example).toBeDefined();
    const imported = [...(example ?? '').matchAll(/from '([^']+)'/g)].map((match) => match[1]);
    expect(imported.filter((name) => !name?.startsWith('node:'))).toEqual(['@rtwire/server', 'ws']);
    // The README's own words for the SDK that needs TLS, and the error it gives without.
    expect(example).toContain('always dials wss:');
    expect(example).toContain('write EPROTO … wrong version number');
  });

  it('typechecks under strict settings', () => {
    const tsc = join(appDir, '../../node_modules/.bin/tsc');
    const args = ['--ignoreConfig', '--noEmit', '--strict', '--skipLibCheck', '--target', 'es2023'];
    const modules = ['--module', 'nodenext', '--moduleResolution', 'nodenext'];
    const types = ['--types', 'node', '--lib', 'es2023'];
    const result = spawnSync(tsc, [...args, ...modules, ...types, exampleFile], {
      cwd: appDir,
      encoding: 'utf8',
    });
    expect(`${result.stdout}${result.stderr}`).toBe('');
    expect(result.status).toBe(0);
  });

  it('reads the user’s words and answers @openai/agents-realtime over ws:', async () => {
    const url = await serveExample();
    expect(url).toMatch(/^ws:/);
    const turn = await holdAgentsTurn(
      new OpenAIRealtimeWebSocket({ url: `${url}?model=gpt-realtime` }),
      'any-key',
      'one two three',
    );
    expect(turn.errors).toEqual([]);
    expect(turn.text).toBe('You said: one two three');
  });

  it("answers openai's OpenAIRealtimeWS over wss: with TLS_CERT and TLS_KEY, and not over plain http", async () => {
    const { certPath, keyPath } = selfSignedCertificate();
    const secure = await serveExample({ TLS_CERT: certPath, TLS_KEY: keyPath });
    expect(secure).toMatch(/^wss:/);
    const baseURL = secure.replace(/^wss:/, 'https:').replace(/\/realtime$/, '');
    const turn = await runSdkClient(baseURL, certPath, 'any-key', 'text');
    expect(turn).toMatchObject({ ok: true, text: 'You said: Say hello.' });

    // What the README warns of: the SDK dials wss: whatever the baseURL says.
    const plain = await serveExample();
    const refused = await runSdkClient(
      plain.replace(/^ws:/, 'http:').replace(/\/realtime$/, ''),
      certPath,
      'any-key',
      'text',
    );
    expect(refused.ok).toBe(false);
    expect(JSON.stringify(refused)).toMatch(/EPROTO|wrong version number/);
  });
});
