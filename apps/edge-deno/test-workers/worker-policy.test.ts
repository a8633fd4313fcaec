import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Miniflare } from 'miniflare';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ScenarioClient,
  scenarioPolicy,
  serverToolTurn,
  TOOL_SECRET,
  toolServerReply,
  tracesOfServerTools,
} from '../../../test-support/policy-scenarios.ts';
import { bundleWorker } from './bundle-worker.ts';

// The worker in workerd with a RELAY_POLICY binding (inline JSON: Workers have no files) and a
// server tool served over HTTP on loopback by this process.
let mf: Miniflare;
let tools: Server;
const requests: { secret: string | undefined; body: Record<string, unknown> }[] = [];

beforeAll(async () => {
  tools = createServer((request, response) => {
    let text = '';
    request.on('data', (chunk) => {
      text += chunk;
    });
    request.on('end', () => {
      const body = JSON.parse(text) as Record<string, unknown>;
      requests.push({ secret: request.headers['x-tool-secret'] as string | undefined, body });
      const reply = toolServerReply(body);
      const timer = setTimeout(
        () =>
          response.writeHead(reply.status, { 'content-type': reply.contentType }).end(reply.text),
        reply.delayMs,
      );
      response.on('close', () => clearTimeout(timer));
    });
  });
  await new Promise<void>((resolve) => tools.listen(0, '127.0.0.1', resolve));
  const { port } = tools.address() as AddressInfo;
  mf = new Miniflare({
    modules: true,
    script: await bundleWorker(),
    compatibilityDate: '2025-07-01',
    bindings: {
      SIM_PACE: 'fast',
      RELAY_TOKENS: 'acme:tok_acme',
      RELAY_POLICY: JSON.stringify(scenarioPolicy(`http://127.0.0.1:${port}/tools/lookup_order`)),
    },
  });
  await mf.ready;
}, 60_000);

afterAll(async () => {
  await mf?.dispose();
  tools?.closeAllConnections();
  await new Promise((resolve) => tools?.close(resolve));
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
    expect(requests.map((request) => [request.secret, request.body.tenant])).toEqual(
      Array.from({ length: 4 }, () => [TOOL_SECRET, 'acme']),
    );
    expect(tracesOfServerTools(client)).toEqual([]);
    client.send({
      type: 'session.update',
      event_id: 'v1',
      session: { type: 'realtime', audio: { output: { voice: 'ash' } } },
    });
    const error = await client.waitFor((event) => event.type === 'error');
    expect(error).toMatchObject({
      error: { code: 'policy_violation', param: '/session/audio/output/voice', event_id: 'v1' },
    });
    client.close();
  }, 60_000);
});
