import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseRelayConfig } from '@rtwire/relay';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { commandDirectory } from '../src/command-directory.ts';
import { resolveConfigPaths } from '../src/config-paths.ts';
import { loadRelayFromEnv, mountRelay } from '../src/index.ts';
import { candidateAddresses } from './wrtc-peer.ts';

// realpath: macOS's tmpdir is a symlink, and messages name the resolved directory.
const dir = realpathSync(mkdtempSync(join(tmpdir(), 'rtwire-env-')));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const servers: Server[] = [];
const relays: { close(): Promise<void> }[] = [];
afterEach(async () => {
  // The relay's sessions first: upgraded sockets are no longer the HTTP server's connections.
  await Promise.all(relays.splice(0).map((relay) => relay.close()));
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

/** A project directory the user runs the command in, with a policy and a tools module. */
function project(): string {
  const home = mkdtempSync(join(dir, 'project-'));
  writeFileSync(
    join(home, 'my-policy.json'),
    JSON.stringify({
      default: {
        voices: ['marin'],
        serverTools: [
          {
            name: 'lookup_order',
            description: 'Look up an order by its number.',
            parameters: {
              type: 'object',
              properties: { order: { type: 'string' } },
              required: ['order'],
            },
            module: true,
          },
        ],
      },
    }),
  );
  writeFileSync(
    join(home, 'tools.mjs'),
    'export async function lookup_order({ order }) { return { found: order.endsWith("A-3") }; }\n',
  );
  return home;
}

/** A client of `port` keeping every event. */
async function connect(port: number) {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/v1/realtime`, ['realtime']);
  const events: { type: string; [key: string]: unknown }[] = [];
  ws.on('message', (data) => events.push(JSON.parse(String(data))));
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  const until = async (done: () => boolean) => {
    for (let waited = 0; !done(); waited += 5) {
      if (waited > 10_000) throw new Error(`not yet: ${events.map((e) => e.type).join(' ')}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  };
  const send = (event: unknown) => ws.send(JSON.stringify(event));
  return { ws, events, until, send };
}

async function listen(server: Server): Promise<number> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

describe('mounting from the environment', () => {
  it('gives what the app gives: the policy refuses a forbidden voice and a module tool runs', async () => {
    const home = project();
    const relay = await loadRelayFromEnv(
      {
        RELAY_POLICY: './my-policy.json',
        RELAY_TOOLS_MODULE: './tools.mjs',
        SIM_PACE: 'fast',
        INIT_CWD: home,
      },
      { write: () => {} },
    );
    if (!relay.ok) throw new Error(JSON.stringify(relay.errors));
    const server = createServer((request, response) => {
      if (!mounted.handleRequest(request, response)) response.writeHead(404).end();
    });
    const mounted = mountRelay(server, relay);
    relays.push(mounted);
    const client = await connect(await listen(server));
    await client.until(() => client.events.some((event) => event.type === 'session.created'));

    client.send({
      type: 'session.update',
      event_id: 'voice',
      session: { type: 'realtime', audio: { output: { voice: 'alloy' } } },
    });
    await client.until(() => client.events.some((event) => event.type === 'error'));
    expect(client.events.find((event) => event.type === 'error')).toMatchObject({
      error: { code: 'policy_violation', event_id: 'voice' },
    });

    client.send({
      type: 'conversation.item.create',
      item: {
        type: 'message',
        role: 'user',
        content: [{ type: 'input_text', text: 'please lookup_order A-3' }],
      },
    });
    client.send({ type: 'response.create', response: { output_modalities: ['text'] } });
    // The call's own response.done, then the relay's follow-up answering with the output.
    await client.until(
      () => client.events.filter((event) => event.type === 'response.done').length >= 2,
    );
    const text = client.events
      .filter((event) => event.type === 'response.output_text.done')
      .map((event) => event.text);
    expect(text.at(-1)).toBe('The tool returned: {"found":true}');
  });

  it('mountRelay refuses to leave out a RELAY_POLICY or RELAY_TOOLS_MODULE the environment sets', () => {
    const parsed = parseRelayConfig({});
    if (!parsed.ok) throw new Error('defaults');
    const saved = { policy: process.env.RELAY_POLICY, tools: process.env.RELAY_TOOLS_MODULE };
    try {
      process.env.RELAY_POLICY = './my-policy.json';
      process.env.RELAY_TOOLS_MODULE = './tools.mjs';
      expect(() => mountRelay(createServer(), { config: parsed.config })).toThrow(
        'the environment sets RELAY_POLICY (option policy) and RELAY_TOOLS_MODULE (option toolHandlers), which mountRelay does not read: mount what loadRelayFromEnv(process.env) returns',
      );
      expect(() => mountRelay(createServer(), { policy: undefined })).toThrow(
        /sets RELAY_TOOLS_MODULE \(option toolHandlers\), which/,
      );
      // Said explicitly, no policy and no handlers is a choice, and mounts.
      expect(() =>
        mountRelay(createServer(), { policy: undefined, toolHandlers: undefined }),
      ).not.toThrow();
    } finally {
      for (const [name, value] of [
        ['RELAY_POLICY', saved.policy],
        ['RELAY_TOOLS_MODULE', saved.tools],
      ] as const) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  });
});

describe('relative paths in the configuration', () => {
  it('resolve against the directory the command was run in, and an error names the absolute path', async () => {
    const home = project();
    const elsewhere = mkdtempSync(join(dir, 'elsewhere-'));
    const missing = await loadRelayFromEnv({
      RELAY_POLICY: './my-policy.json',
      INIT_CWD: elsewhere,
    });
    expect(missing.ok).toBe(false);
    expect(missing.ok ? [] : missing.errors.map((error) => error.variable)).toEqual([
      'RELAY_POLICY',
    ]);
    expect(missing.ok ? '' : missing.errors[0]?.message).toContain(
      `a readable file at ${join(elsewhere, 'my-policy.json')}`,
    );

    const noModule = await loadRelayFromEnv({
      RELAY_TOOLS_MODULE: './tools.mjs',
      INIT_CWD: elsewhere,
    });
    expect(noModule.ok ? '' : noModule.errors[0]?.message).toContain(
      `could not be loaded from ${join(elsewhere, 'tools.mjs')} (`,
    );

    const found = await loadRelayFromEnv(
      { RELAY_POLICY: './my-policy.json', RELAY_TOOLS_MODULE: './tools.mjs', INIT_CWD: home },
      { write: () => {} },
    );
    expect(found.ok && found.policy?.default?.voices).toEqual(['marin']);
    expect(found.ok && typeof found.toolHandlers.lookup_order).toBe('function');
    // `directory` overrides INIT_CWD.
    const given = await loadRelayFromEnv(
      {
        RELAY_POLICY: '../my-policy.json',
        RELAY_TOOLS_MODULE: '../tools.mjs',
        INIT_CWD: elsewhere,
      },
      { directory: join(home, 'sub'), write: () => {} },
    );
    expect(given.ok && given.policy?.default?.voices).toEqual(['marin']);
  });

  it('make file paths absolute and leave inline values, absolute paths and specifiers alone', () => {
    mkdirSync(join(dir, 'certs'), { recursive: true });
    const env = {
      RELAY_POLICY: 'policy.json',
      RELAY_TOOLS_MODULE: '../tools.mjs',
      TLS_CERT: 'certs/cert.pem',
      TLS_KEY: '/etc/tls/key.pem',
      PORT: '8787',
    };
    expect(resolveConfigPaths(env, dir)).toEqual({
      RELAY_POLICY: join(dir, 'policy.json'),
      RELAY_TOOLS_MODULE: join(dir, '..', 'tools.mjs'),
      TLS_CERT: join(dir, 'certs/cert.pem'),
      TLS_KEY: '/etc/tls/key.pem',
      PORT: '8787',
    });
    const inline = {
      RELAY_POLICY: ' {"default":{}}',
      RELAY_TOOLS_MODULE: 'my-tools-package',
      TLS_CERT: '-----BEGIN CERTIFICATE-----\n…',
    };
    expect(resolveConfigPaths(inline, dir)).toEqual(inline);
    expect(resolveConfigPaths({ RELAY_TOOLS_MODULE: 'file:///srv/tools.mjs' }, dir)).toEqual({
      RELAY_TOOLS_MODULE: 'file:///srv/tools.mjs',
    });
  });

  it('mean INIT_CWD when npm or pnpm set it, else the working directory', () => {
    expect(commandDirectory({ INIT_CWD: dir })).toBe(dir);
    expect(commandDirectory({})).toBe(process.cwd());
    expect(commandDirectory({ INIT_CWD: 'relative/dir' })).toBe(process.cwd());
  });
});

describe('loadRelayFromEnv: WebRTC calls (CALLS, CALL_PORTS, CALL_ADDRESS)', () => {
  const load = (env: Record<string, string>) => loadRelayFromEnv(env, { write: () => {} });

  it('serves calls on the engine with no setting, and not in front of a real upstream', async () => {
    const simulator = await load({});
    expect(simulator.ok && typeof simulator.calls?.answer).toBe('function');
    const upstream = await load({ UPSTREAM_URL: 'wss://api.example/v1/realtime' });
    expect(upstream.ok && upstream.calls).toBeUndefined();
    const off = await load({ CALLS: 'off' });
    expect(off.ok && off.calls).toBeUndefined();
  });

  it('names the variable for what it cannot take', async () => {
    const cases = [
      [{ CALLS: 'maybe' }, 'CALLS'],
      [{ CALLS: 'on', UPSTREAM_URL: 'wss://api.example/v1/realtime' }, 'CALLS'],
      [{ CALL_PORTS: '50000' }, 'CALL_PORTS'],
      [{ CALL_PORTS: '50000-40000' }, 'CALL_PORTS'],
      [{ CALL_PORTS: '80-90' }, 'CALL_PORTS'],
      [{ CALL_ADDRESS: 'example.com' }, 'CALL_ADDRESS'],
      // Documentation space (RFC 5737): never an address of this machine.
      [{ CALL_ADDRESS: '203.0.113.7' }, 'CALL_ADDRESS'],
    ] as const;
    for (const [env, variable] of cases) {
      const loaded = await load(env);
      expect(loaded.ok ? [] : loaded.errors.map((error) => error.variable)).toEqual([variable]);
    }
  });

  it('offers calls on the relay host by default, on CALL_ADDRESS when set, everywhere with *', async () => {
    const offered = async (env: Record<string, string>) => {
      const loaded = await load(env);
      if (!loaded.ok || loaded.calls === undefined) throw new Error('no calls');
      try {
        return await candidateAddresses(loaded.calls);
      } finally {
        await loaded.calls.close();
      }
    };
    expect(await offered({})).toEqual(['127.0.0.1']);
    expect(await offered({ HOST: '0.0.0.0', CALL_ADDRESS: '127.0.0.1' })).toEqual(['127.0.0.1']);
    const everywhere = await offered({ CALL_ADDRESS: '*' });
    expect(everywhere).toContain('127.0.0.1');
    const interfaces = Object.values(networkInterfaces()).flat();
    if (interfaces.some((entry) => entry !== undefined && !entry.internal)) {
      expect(everywhere.length).toBeGreaterThan(1);
    }
  });
});
