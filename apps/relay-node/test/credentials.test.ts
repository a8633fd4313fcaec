import { afterEach, expect, it } from 'vitest';
import { connectClient, startFakeUpstream, startRelay, stopAll } from './helpers.ts';

afterEach(stopAll);

const UPSTREAM_KEY = 'sk-upstream-very-secret-0123456789';
const CLIENT_TOKEN = 'client-token-abcdef';

it('sends the upstream key upstream (GA handshake), never the client credential, and never leaks the key', async () => {
  const upstream = await startFakeUpstream((socket) => {
    socket.on('message', () => {
      socket.send(
        JSON.stringify({
          type: 'response.output_text.delta',
          event_id: 's1',
          response_id: 'r',
          item_id: 'i',
          output_index: 0,
          content_index: 0,
          delta: 'ok',
        }),
      );
    });
  });
  const relay = await startRelay({
    UPSTREAM_URL: upstream.url,
    OPENAI_API_KEY: UPSTREAM_KEY,
    RELAY_TOKENS: CLIENT_TOKEN,
  });
  const client = await connectClient(`${relay.wsUrl}?model=gpt-realtime`, {
    protocols: ['realtime', `openai-insecure-api-key.${CLIENT_TOKEN}`],
    headers: { 'x-client-thing': 'kept-local' },
  });
  await client.waitFor((event) => event.type === 'session.created');
  const audio = Buffer.from('private audio that must not be logged').toString('base64');
  client.send({ type: 'input_audio_buffer.append', audio });
  client.send({ type: 'response.create' });
  client.send('{broken');
  await client.waitFor((event) => event.type === 'response.output_text.delta');

  const [handshake] = upstream.handshakes;
  expect(handshake?.headers.authorization).toBe(`Bearer ${UPSTREAM_KEY}`);
  expect(handshake?.url).toBe('/v1/realtime?model=gpt-realtime');
  expect(handshake?.headers['openai-beta']).toBeUndefined();
  expect(handshake?.headers['sec-websocket-protocol']).toBeUndefined();
  expect(JSON.stringify(handshake?.headers)).not.toContain(CLIENT_TOKEN);
  expect(JSON.stringify(handshake?.headers)).not.toContain('kept-local');

  expect(client.raw.join('\n')).not.toContain(UPSTREAM_KEY);
  const logs = relay.logs.join('\n');
  expect(logs).toContain('session.open');
  expect(logs).not.toContain(UPSTREAM_KEY);
  expect(logs).not.toContain(CLIENT_TOKEN);
  expect(logs).toContain('input_audio_buffer.append');
  expect(logs).not.toContain(audio);
  const metrics = await (await fetch(`${relay.url}/metrics`)).text();
  expect(metrics).not.toContain(UPSTREAM_KEY);
});
