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

  const failures = client.events
    .map((event) => specErrors(event))
    .filter((failure) => failure !== undefined);
  expect(failures).toEqual([]);
  // The whole conversation arrived, each step in its place; deltas vary in number, not kind.
  const types = client.events.map((event) => event.type);
  const response = [
    'response.created',
    'rate_limits.updated',
    'response.output_item.added',
    'conversation.item.added',
    'response.content_part.added',
  ];
  const itemDone = [
    'response.content_part.done',
    'response.output_item.done',
    'conversation.item.done',
    'response.done',
  ];
  expect(types.filter((type) => !type.endsWith('.delta'))).toEqual([
    'session.created',
    'session.updated',
    'conversation.item.added',
    'conversation.item.done',
    ...response,
    'response.output_text.done',
    ...itemDone,
    'input_audio_buffer.committed',
    'conversation.item.added',
    'conversation.item.done',
    ...response,
    'response.output_audio.done',
    'response.output_audio_transcript.done',
    ...itemDone,
  ]);
  const deltas = new Set(types.filter((type) => type.endsWith('.delta')));
  expect([...deltas].sort()).toEqual([
    'response.output_audio.delta',
    'response.output_audio_transcript.delta',
    'response.output_text.delta',
  ]);
});
