import { OpenAIRealtimeWebSocket } from '@openai/agents-realtime';
import { holdAgentsTurn } from '../../../test-support/agents-conversation.ts';
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
