import { OpenAIRealtimeWebSocket } from '@openai/agents-realtime';
import { assert } from './assert.ts';
import { serveRelay } from './helpers.ts';

Deno.test("@openai/agents-realtime's WebSocket transport holds a conversation through the edge relay", async () => {
  const relay = await serveRelay({ RELAY_TOKENS: 'tok_agents' });
  const transport = new OpenAIRealtimeWebSocket({ url: `${relay.wsUrl}?model=gpt-realtime` });
  const types: string[] = [];
  let text = '';
  transport.on('*', (event: { type: string }) => types.push(event.type));
  transport.on('output_text_delta', (event: { delta: string }) => {
    text += event.delta;
  });
  const turnDone = new Promise((resolve, reject) => {
    transport.on('turn_done', resolve);
    transport.on('error', (error) =>
      reject(new Error(`transport error: ${JSON.stringify(error)}`)),
    );
  });
  await transport.connect({
    apiKey: 'tok_agents',
    model: 'gpt-realtime',
    initialSessionConfig: { outputModalities: ['text'] },
  });
  transport.sendMessage('Say hello from Deno.', {});
  await turnDone;
  transport.close();
  assert.deepEqual(text, 'You said: Say hello from Deno.');
  assert(types.includes('session.created'), 'the transport saw session.created');
  assert(!types.includes('error'), 'no error event');
  await relay.close();
});
