import {
  type ScenarioClient,
  scenarioPolicy,
  serverToolTurn,
  TOOL_SECRET,
  toolServerReply,
  tracesOfServerTools,
} from '../../../test-support/policy-scenarios.ts';
import { assert } from './assert.ts';
import { connect, disconnect, serveRelay, type TestClient } from './helpers.ts';

/** The tool endpoint on 127.0.0.1 (Deno.serve): records each call, answers as the scenarios say. */
function serveTools() {
  const requests: { secret: string | null; body: Record<string, unknown> }[] = [];
  let url = '';
  const ready = Promise.withResolvers<void>();
  const server = Deno.serve(
    {
      hostname: '127.0.0.1',
      port: 0,
      onListen: ({ port }) => {
        url = `http://127.0.0.1:${port}/tools/lookup_order`;
        ready.resolve();
      },
    },
    async (request) => {
      const body = (await request.json()) as Record<string, unknown>;
      requests.push({ secret: request.headers.get('x-tool-secret'), body });
      const reply = toolServerReply(body);
      if (reply.delayMs > 0) {
        await new Promise((resolve) => {
          const timer = setTimeout(resolve, reply.delayMs);
          request.signal.addEventListener('abort', () => {
            clearTimeout(timer);
            resolve(undefined);
          });
        });
      }
      return new Response(reply.text, {
        status: reply.status,
        headers: { 'content-type': reply.contentType },
      });
    },
  );
  return { ready: ready.promise, requests, url: () => url, close: () => server.shutdown() };
}

const scenarioClient = (client: TestClient): ScenarioClient => ({
  send: (event) => client.send(event),
  events: () => client.events as unknown as ReturnType<ScenarioClient['events']>,
  frames: () => client.raw,
  waitFor: (match, ms) =>
    client.waitFor(match as (event: unknown) => boolean, ms) as unknown as ReturnType<
      ScenarioClient['waitFor']
    >,
});

Deno.test('server tools on Deno: a round trip, failures as outputs, no trace of the tool for the client', async () => {
  const tools = serveTools();
  await tools.ready;
  const relay = await serveRelay({
    RELAY_TOKENS: 'acme:tok_acme',
    RELAY_POLICY: JSON.stringify(scenarioPolicy(tools.url())),
  });
  const client = await connect(`${relay.wsUrl}?model=gpt-realtime`, [
    'realtime',
    'openai-insecure-api-key.tok_acme',
  ]);
  await client.waitFor((event) => event.type === 'session.created');
  const scenario = scenarioClient(client);
  assert.deepEqual(
    await serverToolTurn(scenario, 'A-17'),
    'The tool returned: {"status":"shipped"}',
  );
  assert.deepEqual(
    await serverToolTurn(scenario, 'SLOW'),
    'The tool returned: {"error":"the tool timed out"}',
  );
  assert.deepEqual(
    await serverToolTurn(scenario, 'FAIL'),
    'The tool returned: {"error":"the tool failed (HTTP 500)"}',
  );
  assert.deepEqual(
    await serverToolTurn(scenario, 'GARBAGE'),
    'The tool returned: {"error":"the tool answered with invalid JSON"}',
  );
  assert.deepEqual(tools.requests.length, 4);
  assert.deepEqual(tools.requests[0]?.secret, TOOL_SECRET);
  assert.deepEqual(tools.requests[0]?.body.tenant, 'acme');
  assert.deepEqual(tracesOfServerTools(scenario), []);
  await disconnect(client);
  await relay.close();
  await tools.close();
});

Deno.test('policy on Deno: a forbidden voice is refused with policy_violation, the session goes on', async () => {
  const tools = serveTools();
  await tools.ready;
  const relay = await serveRelay({
    RELAY_TOKENS: 'acme:tok_acme',
    RELAY_POLICY: JSON.stringify(scenarioPolicy(tools.url())),
  });
  const client = await connect(relay.wsUrl, ['realtime', 'openai-insecure-api-key.tok_acme']);
  await client.waitFor((event) => event.type === 'session.created');
  client.send({
    type: 'session.update',
    event_id: 'v1',
    session: { type: 'realtime', audio: { output: { voice: 'ash' } } },
  });
  const error = await client.waitFor((event) => event.type === 'error');
  assert(error.type === 'error');
  assert.deepEqual(
    [error.error.code, error.error.param, error.error.event_id],
    ['policy_violation', 'session.audio.output.voice', 'v1'],
  );
  assert.deepEqual(
    await serverToolTurn(scenarioClient(client), 'A-1'),
    'The tool returned: {"status":"shipped"}',
  );
  await disconnect(client);
  await relay.close();
  await tools.close();
});
