import { afterEach, expect, it } from 'vitest';
import { specErrors } from '../../../test-support/spec-validator.ts';
import { connectClient, startRelay, stopAll } from './helpers.ts';

afterEach(stopAll);

it('every server event of a simulated conversation validates against realtime-schemas.json', async () => {
  const relay = await startRelay();
  const client = await connectClient(`${relay.wsUrl}?model=gpt-realtime`);
  await client.waitFor((event) => event.type === 'session.created');
  client.send({
    type: 'session.update',
    event_id: 'c1',
    session: { type: 'realtime', instructions: 'Be brief.' },
  });
  client.send({
    type: 'conversation.item.create',
    event_id: 'c2',
    item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Hello!' }] },
  });
  client.send({
    type: 'response.create',
    event_id: 'c3',
    response: { output_modalities: ['text'] },
  });
  await client.waitFor((event) => event.type === 'response.done', 10_000);
  client.send({
    type: 'input_audio_buffer.append',
    event_id: 'c4',
    audio: Buffer.alloc(4800).toString('base64'),
  });
  client.send({ type: 'input_audio_buffer.commit', event_id: 'c5' });
  client.send({ type: 'response.create', event_id: 'c6' });
  await client.waitFor(
    (event) =>
      event.type === 'response.done' &&
      client.events.filter((e) => e.type === 'response.done').length === 2,
    10_000,
  );

  const types = new Set(client.events.map((event) => event.type));
  expect(types).toContain('session.created');
  expect(types).toContain('response.output_text.delta');
  const failures = client.events
    .map((event) => specErrors(event))
    .filter((failure) => failure !== undefined);
  expect(failures).toEqual([]);
  expect(client.events.length).toBeGreaterThan(10);
});
