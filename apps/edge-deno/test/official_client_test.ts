import {
  OpenAIRealtimeWebSocket,
  RealtimeAgent,
  RealtimeSession,
  tool,
} from '@openai/agents-realtime';
import { z } from 'zod';
import { holdAgentsTurn } from '../../../test-support/agents-conversation.ts';
import { holdToolsConversation } from '../../../test-support/agents-tools-conversation.ts';
import { scenarioPolicy, TOOL_SECRET } from '../../../test-support/policy-scenarios.ts';
import { assert } from './assert.ts';
import { serveRelay } from './helpers.ts';

Deno.test("@openai/agents-realtime's WebSocket transport holds a conversation through the edge relay", async () => {
  const relay = await serveRelay({ RELAY_TOKENS: 'tok_agents' });
  const transport = new OpenAIRealtimeWebSocket({ url: `${relay.wsUrl}?model=gpt-realtime` });
  const turn = await holdAgentsTurn(transport, 'tok_agents', 'Say hello from Deno.');
  assert.deepEqual(turn.text, 'You said: Say hello from Deno.');
  assert(turn.types.includes('session.created'), 'the transport saw session.created');
  assert(!turn.types.includes('error'), 'no error event');
  assert.deepEqual(turn.errors, []);
  await relay.close();
});

Deno.test('@openai/agents-realtime: a server tool answers over HTTP and a zod client tool runs client-side, on Deno', async () => {
  const tools = Deno.serve({ hostname: '127.0.0.1', port: 0, onListen() {} }, () =>
    Response.json({ status: 'shipped' }),
  );
  const relay = await serveRelay({
    RELAY_TOKENS: 'acme:tok_acme',
    RELAY_POLICY: JSON.stringify(scenarioPolicy(`http://127.0.0.1:${tools.addr.port}/tools`)),
  });
  const conversation = await holdToolsConversation(
    { RealtimeAgent, RealtimeSession, tool, z },
    `${relay.wsUrl}?model=gpt-realtime`,
    'tok_acme',
  );
  assert.deepEqual(conversation.answers, [
    'The tool returned: {"status":"shipped"}',
    'The tool returned: Sunny in what is get_weather in Oslo',
  ]);
  assert.deepEqual(conversation.clientToolCalls, [{ city: 'what is get_weather in Oslo' }]);
  assert.deepEqual(conversation.errors, []);
  assert(!conversation.transportEvents.some((event) => event.includes(TOOL_SECRET)));
  await relay.close();
  await tools.shutdown();
});
