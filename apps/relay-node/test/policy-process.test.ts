import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { serverToolTurn, tracesOfServerTools } from '../../../test-support/policy-scenarios.ts';
import { connectClient, stopAll } from './helpers.ts';
import { spawnRelay } from './spawn-relay.ts';

afterEach(stopAll);

const dir = mkdtempSync(join(tmpdir(), 'rtwire-policy-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const appDir = fileURLToPath(new URL('..', import.meta.url));

const moduleTool = {
  name: 'lookup_order',
  description: 'Look up an order by its number.',
  parameters: { type: 'object', properties: { order: { type: 'string' } }, required: ['order'] },
  module: true,
};

/** Runs the relay's entry until it exits (it must, with a bad configuration). */
function startFails(env: Record<string, string>) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: appDir,
    env: { ...process.env, PORT: '0', ...env },
    encoding: 'utf8',
    timeout: 20_000,
  });
  return { status: result.status, stderr: result.stderr };
}

describe('the relay process with RELAY_POLICY and RELAY_TOOLS_MODULE', () => {
  it('runs a server tool from the tools module, the policy read from a file', async () => {
    const policyFile = join(dir, 'policy.json');
    writeFileSync(policyFile, JSON.stringify({ default: { serverTools: [moduleTool] } }));
    const toolsFile = join(dir, 'tools.mjs');
    writeFileSync(
      toolsFile,
      'export async function lookup_order({ order }, { tenant }) { return { found: order.endsWith("A-3"), tenant: tenant ?? null }; }\n',
    );
    const relay = await spawnRelay({
      SIM_PACE: 'fast',
      RELAY_POLICY: policyFile,
      RELAY_TOOLS_MODULE: toolsFile,
    });
    const client = await connectClient(`${relay.url.replace(/^http/, 'ws')}/v1/realtime`);
    await client.waitFor((event) => event.type === 'session.created');
    const scenario = {
      send: (event: unknown) => client.send(event),
      events: () => client.events,
      frames: () => client.raw,
      waitFor: client.waitFor,
    };
    expect(await serverToolTurn(scenario, 'A-3')).toBe(
      'The tool returned: {"found":true,"tenant":null}',
    );
    expect(tracesOfServerTools(scenario)).toEqual([]);
    relay.child.kill('SIGTERM');
    expect((await relay.exited).code).toBe(0);
  });

  it('refuses to start on an invalid policy, naming each problem by JSON pointer', () => {
    const result = startFails({
      RELAY_POLICY: '{"default":{"voices":"marin","maxSessionSeconds":0}}',
    });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(
      'rtwire relay: RELAY_POLICY: /default/voices: expected an array',
    );
    expect(result.stderr).toContain(
      'RELAY_POLICY: /default/maxSessionSeconds: expected at least 1',
    );
  });

  it('refuses to start when a module tool has no handler in RELAY_TOOLS_MODULE', () => {
    const result = startFails({
      RELAY_POLICY: JSON.stringify({ default: { serverTools: [moduleTool] } }),
    });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(
      'RELAY_POLICY: /default/serverTools/0: expected RELAY_TOOLS_MODULE to export a handler named lookup_order',
    );
    const missing = startFails({ RELAY_TOOLS_MODULE: join(dir, 'missing.mjs') });
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('RELAY_TOOLS_MODULE: could not be loaded');
  });
});

describe('a port the relay cannot have', () => {
  it('says which and exits 1, with no stack trace', async () => {
    const { createServer } = await import('node:net');
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const { port } = holder.address() as { port: number };
    try {
      const result = startFails({ PORT: String(port) });
      expect(result.status).toBe(1);
      expect(result.stderr).toContain(`rtwire relay: 127.0.0.1:${port} is already in use`);
      expect(result.stderr).not.toMatch(/\n\s+at /);
    } finally {
      holder.close();
    }
  });
});
