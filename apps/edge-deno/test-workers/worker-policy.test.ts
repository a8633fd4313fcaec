import { Miniflare } from 'miniflare';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ScenarioClient,
  scenarioPolicy,
  serverToolTurn,
  TOOL_SECRET,
  tracesOfServerTools,
} from '../../../test-support/policy-scenarios.ts';
import { startToolServer, type ToolServer } from '../../../test-support/tool-server.ts';
import { bundleWorker } from './bundle-worker.ts';

// The worker in workerd with a RELAY_POLICY binding (inline JSON: Workers have no files) and a
// server tool served over HTTP on loopback by this process.
let mf: Miniflare;
let tools: ToolServer;

beforeAll(async () => {
  tools = await startToolServer();
  mf = new Miniflare({
    modules: true,
    script: (await bundleWorker()).text,
    compatibilityDate: '2025-07-01',
    bindings: {
      SIM_PACE: 'fast',
      RELAY_TOKENS: 'acme:tok_acme',
      RELAY_POLICY: JSON.stringify(scenarioPolicy(tools.url)),
    },
  });
  await mf.ready;
}, 60_000);

afterAll(async () => {
  await mf?.dispose();
  await tools?.close();
});

async function open(): Promise<ScenarioClient & { close(): void }> {
  const response = await mf.dispatchFetch('http://relay.test/v1/realtime?model=gpt-realtime', {
    headers: { upgrade: 'websocket', authorization: 'Bearer tok_acme' },
  });
  const socket = response.webSocket;
  if (!socket) throw new Error(`no webSocket (HTTP ${response.status})`);
  const frames: string[] = [];
  const events: { type: string; [key: string]: unknown }[] = [];
  const waiters = new Set<() => void>();
  socket.addEventListener('message', ({ data }) => {
    frames.push(data as string);
    events.push(JSON.parse(data as string));
    for (const wake of [...waiters]) wake();
  });
  socket.accept();
  return {
    send: (event) => socket.send(JSON.stringify(event)),
    events: () => events,
    frames: () => frames,
    waitFor: (match, ms = 10_000) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(
          () =>
            reject(
              new Error(
                `timed out waiting for an event; got ${events.map((e) => e.type).join(', ')}`,
              ),
            ),
          ms,
        );
        const check = () => {
          const found = events.find(match);
          if (found === undefined) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(found);
        };
        waiters.add(check);
        check();
      }),
    close: () => socket.close(1000, 'done'),
  };
}

describe('the relay worker in workerd with a policy', () => {
  it('runs a server tool over HTTP, turns failures into outputs, and the client sees no trace of it', async () => {
    const client = await open();
    await client.waitFor((event) => event.type === 'session.created');
    expect(await serverToolTurn(client, 'A-17')).toBe('The tool returned: {"status":"shipped"}');
    expect(await serverToolTurn(client, 'SLOW')).toBe(
      'The tool returned: {"error":"the tool timed out"}',
    );
    expect(await serverToolTurn(client, 'FAIL')).toBe(
      'The tool returned: {"error":"the tool failed (HTTP 500)"}',
    );
    expect(await serverToolTurn(client, 'GARBAGE')).toBe(
      'The tool returned: {"error":"the tool answered with invalid JSON"}',
    );
    expect(
      tools.requests.map((request) => [request.headers['x-tool-secret'], request.body.tenant]),
    ).toEqual(Array.from({ length: 4 }, () => [TOOL_SECRET, 'acme']));
    expect(tracesOfServerTools(client)).toEqual([]);
    client.send({
      type: 'session.update',
      event_id: 'v1',
      session: { type: 'realtime', audio: { output: { voice: 'ash' } } },
    });
    const error = await client.waitFor((event) => event.type === 'error');
    expect(error).toMatchObject({
      error: { code: 'policy_violation', param: 'session.audio.output.voice', event_id: 'v1' },
    });
    client.close();
  }, 60_000);
});
