import { chatEvents, toneFor, toolAwareChat } from '../../../test-support/openai-backend-script.ts';
import { assert } from './assert.ts';
import { connect, disconnect, serveRelay } from './helpers.ts';

/** An OpenAI-compatible model server on Deno.serve: streamed chat, transcription, PCM speech. */
function serveModelServer() {
  const requests: { path: string; body: Record<string, unknown> | undefined }[] = [];
  const ready = Promise.withResolvers<number>();
  const encoder = new TextEncoder();
  const server = Deno.serve(
    { hostname: '127.0.0.1', port: 0, onListen: ({ port }) => ready.resolve(port) },
    async (request) => {
      const path = new URL(request.url).pathname;
      if (path === '/v1/audio/transcriptions') {
        await request.formData();
        requests.push({ path, body: undefined });
        return Response.json({ text: 'hello from deno' });
      }
      const body = (await request.json()) as Record<string, unknown>;
      requests.push({ path, body });
      if (path === '/v1/audio/speech') {
        const pcm = toneFor(String(body.input));
        // Uneven chunks, an odd one first: the relay must keep whole samples.
        return new Response(
          new ReadableStream({
            start(controller) {
              controller.enqueue(pcm.subarray(0, 1));
              controller.enqueue(pcm.subarray(1, 777));
              controller.enqueue(pcm.subarray(777));
              controller.close();
            },
          }),
          { headers: { 'content-type': 'audio/pcm' } },
        );
      }
      const reply = toolAwareChat(body);
      if (reply.kind !== 'stream') throw new Error('the script only streams');
      const text = chatEvents(reply)
        .map((event) => `data: ${event.data}\n\n`)
        .join('');
      return new Response(encoder.encode(text), {
        headers: { 'content-type': 'text/event-stream' },
      });
    },
  );
  return {
    requests,
    baseURL: async () => `http://127.0.0.1:${await ready.promise}/v1`,
    close: () => server.shutdown(),
  };
}

const userText = (text: string) => ({
  type: 'conversation.item.create',
  item: { type: 'message', role: 'user', content: [{ type: 'input_text', text }] },
});

Deno.test('cascade mode on Deno: text, audio in and out, and a tool call, all text frames', async () => {
  const models = serveModelServer();
  const relay = await serveRelay({
    MODEL_BASE_URL: await models.baseURL(),
    CHAT_MODEL: 'llama3.2',
    TRANSCRIPTION_MODEL: 'whisper',
    SPEECH_MODEL: 'kokoro',
  });
  const client = await connect(`${relay.wsUrl}?model=gpt-realtime`);
  try {
    await client.waitFor((event) => event.type === 'session.created');
    client.send({
      type: 'session.update',
      session: {
        type: 'realtime',
        output_modalities: ['text'],
        tools: [
          {
            type: 'function',
            name: 'get_weather',
            parameters: {
              type: 'object',
              properties: { city: { type: 'string' } },
              required: ['city'],
            },
          },
        ],
      },
    });
    client.send(userText('hi'));
    client.send({ type: 'response.create' });
    const first = await client.waitFor((event) => event.type === 'response.done');
    assert.deepEqual(first.type === 'response.done' && first.response.status, 'completed');
    const text = client.events
      .flatMap((event) => (event.type === 'response.output_text.delta' ? [event.delta] : []))
      .join('');
    assert.deepEqual(text, 'You said: hi. Anything else?');

    client.send(userText('what is get_weather in Oslo'));
    client.send({ type: 'response.create' });
    const call = await client.waitFor(
      (event) => event.type === 'response.function_call_arguments.done',
    );
    assert.deepEqual(
      call.type === 'response.function_call_arguments.done' && call.arguments,
      '{"city":"what is get_weather in Oslo"}',
    );

    // Audio in and out: the committed audio is transcribed, the answer spoken.
    client.send({
      type: 'session.update',
      session: {
        type: 'realtime',
        output_modalities: ['audio'],
        tools: [],
        audio: { input: { turn_detection: null } },
      },
    });
    client.send({ type: 'input_audio_buffer.append', audio: btoa('\0'.repeat(48 * 200)) });
    client.send({ type: 'input_audio_buffer.commit' });
    client.send({ type: 'response.create' });
    await client.waitFor(
      (event) =>
        event.type === 'response.done' && event.response.output_modalities?.[0] === 'audio',
    );
    const audioBytes = client.events.flatMap((event) =>
      event.type === 'response.output_audio.delta' ? [atob(event.delta).length] : [],
    );
    for (const length of audioBytes) assert.deepEqual(length % 2, 0);
    const spoken = ['You said: hello from deno.', 'Anything else?'];
    assert.deepEqual(
      audioBytes.reduce((total, length) => total + length, 0),
      spoken.reduce((total, sentence) => total + toneFor(sentence).length, 0),
    );
    assert.deepEqual(
      models.requests
        .filter((request) => request.path === '/v1/audio/speech')
        .map((request) => request.body?.input),
      spoken,
    );
    // Every frame reached the browser-style client as text, never a Blob.
    for (const frame of client.raw) assert.deepEqual(typeof frame, 'string');
    assert.deepEqual(client.events.filter((event) => event.type === 'error').length, 0);
  } finally {
    await disconnect(client);
    await relay.close();
    await models.close();
  }
});
