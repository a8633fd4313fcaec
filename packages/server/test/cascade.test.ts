import { ClientEvents } from '@rtwire/builders';
import type { RealtimeServerEvent, ServerEventOf } from '@rtwire/types';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type FakeBackend,
  type FakeBackendScript,
  startFakeBackend,
  toneFor,
} from '../../../test-support/fake-openai-backend.ts';
import { protocolOrderErrors } from '../../../test-support/protocol-order.ts';
import { specErrors } from '../../../test-support/spec-validator.ts';
import {
  type CascadeModelOptions,
  createCascadeModel,
  createRealtimeSession,
} from '../src/index.ts';
import { pcmBase64, userText } from './harness.ts';

const API_KEY = 'sk-backend-secret';
const SECRET_WORDS = 'my secret words';

let backend: FakeBackend;
beforeEach(async () => {
  backend = await startFakeBackend();
});
afterEach(async () => {
  await backend.close();
});

/** A session on a cascade over the fake backend, with its events parsed. */
function openCascade(options: Partial<CascadeModelOptions> = {}, script: FakeBackendScript = {}) {
  backend.script = script;
  const events: RealtimeServerEvent[] = [];
  const session = createRealtimeSession({
    model: createCascadeModel({
      baseURL: backend.baseURL,
      apiKey: API_KEY,
      chatModel: 'llama3.2',
      transcriptionModel: 'whisper-small',
      speechModel: 'kokoro',
      timeoutMs: 2000,
      ...options,
    }),
    frames: 'string',
    send: (frame) => events.push(JSON.parse(frame)),
  });
  const send = (event: unknown) => session.receive(JSON.stringify(event));
  const only = <T extends RealtimeServerEvent['type']>(type: T) =>
    events.filter((event): event is ServerEventOf<T> => event.type === type);
  const until = async (predicate: () => boolean, what: string) => {
    const deadline = Date.now() + 5000;
    while (!predicate()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  };
  const responses = async (count: number) => {
    await until(() => only('response.done').length >= count, `${count} response.done`);
    return only('response.done').map((event) => event.response);
  };
  const expectWellFormed = () => {
    for (const event of events) expect(specErrors(event), event.type).toBeUndefined();
    expect(protocolOrderErrors(events)).toEqual([]);
    // Nothing from the backend's credentials or the user's words leaks into an error.
    for (const event of only('error')) {
      expect(JSON.stringify(event)).not.toContain(API_KEY);
      expect(JSON.stringify(event)).not.toContain(SECRET_WORDS);
    }
  };
  return { session, events, send, only, until, responses, expectWellFormed };
}

const textSession = (instructions = 'Be brief.') =>
  ClientEvents.sessionUpdate(undefined, {
    type: 'realtime',
    instructions,
    output_modalities: ['text'],
  });

const weatherTool = {
  type: 'function',
  name: 'get_weather',
  description: 'The weather in a city',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
} as const;

describe.each(['openai', 'vllm'] as const)(
  'a text conversation streamed as %s streams it',
  (style) => {
    it('maps the conversation to messages and streams the reply as text deltas', async () => {
      const cascade = openCascade(
        {},
        { chat: (body) => ({ kind: 'stream', style, tokens: echoOf(body) }) },
      );
      cascade.send(textSession());
      cascade.send(userText('hi'));
      cascade.send(ClientEvents.responseCreate());
      const [first] = await cascade.responses(1);
      expect(first?.status).toBe('completed');
      expect(cascade.only('response.output_text.delta').map((event) => event.delta)).toEqual([
        'You ',
        'said: ',
        'hi. ',
        'Anything ',
        'else?',
      ]);
      expect(cascade.only('response.output_text.done')[0]?.text).toBe(
        'You said: hi. Anything else?',
      );
      expect(first?.usage).toMatchObject({ input_tokens: 21, output_tokens: 5, total_tokens: 26 });

      cascade.send(userText('and again'));
      cascade.send(ClientEvents.responseCreate());
      await cascade.responses(2);
      const [, second] = backend.requestsTo('chat/completions');
      expect(second?.headers.authorization).toBe(`Bearer ${API_KEY}`);
      expect(second?.json).toEqual({
        model: 'llama3.2',
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: 'hi' },
          { role: 'assistant', content: 'You said: hi. Anything else?' },
          { role: 'user', content: 'and again' },
        ],
        stream: true,
        stream_options: { include_usage: true },
      });
      cascade.expectWellFormed();
    });
  },
);

function echoOf(body: Record<string, unknown>): string[] {
  const messages = body.messages as { role: string; content: string }[];
  const said = [...messages].reverse().find((message) => message.role === 'user')?.content ?? '';
  return `You said: ${said}. Anything else?`.split(/(?<= )/);
}

describe('a tool call round trip', () => {
  it('streams tool-call deltas as a function call item, then sends its output back as a tool message', async () => {
    const cascade = openCascade(
      {},
      {
        chat: (_body, index) =>
          index === 0
            ? {
                kind: 'stream',
                tokens: ['Let me check. '],
                toolCalls: [
                  { id: 'call_abc', name: 'get_weather', arguments: ['{"ci', 'ty":"Pa', 'ris"}'] },
                ],
              }
            : { kind: 'stream', tokens: ['It is ', 'sunny.'] },
      },
    );
    cascade.send(
      ClientEvents.sessionUpdate(undefined, {
        type: 'realtime',
        output_modalities: ['text'],
        tools: [weatherTool],
        tool_choice: 'required',
        max_output_tokens: 300,
      }),
    );
    cascade.send(userText('weather in Paris?'));
    cascade.send(ClientEvents.responseCreate());
    const [first] = await cascade.responses(1);
    expect(first?.output?.map((item) => item.type)).toEqual(['message', 'function_call']);
    const call = first?.output?.[1];
    expect(call).toMatchObject({
      type: 'function_call',
      name: 'get_weather',
      call_id: 'call_abc',
      arguments: '{"city":"Paris"}',
    });
    expect(
      cascade.only('response.function_call_arguments.delta').map((event) => event.delta),
    ).toEqual(['{"ci', 'ty":"Pa', 'ris"}']);
    const [request] = backend.requestsTo('chat/completions');
    expect(request?.json).toMatchObject({
      tools: [
        {
          type: 'function',
          function: {
            name: 'get_weather',
            description: 'The weather in a city',
            parameters: weatherTool.parameters,
          },
        },
      ],
      tool_choice: 'required',
      max_tokens: 300,
    });

    cascade.send(
      ClientEvents.conversationItemCreate(undefined, undefined, {
        type: 'function_call_output',
        call_id: 'call_abc',
        output: '{"sky":"sunny"}',
      }),
    );
    cascade.send(ClientEvents.responseCreate());
    const [, second] = await cascade.responses(2);
    expect(second?.status).toBe('completed');
    expect(backend.requestsTo('chat/completions')[1]?.json?.messages).toEqual([
      { role: 'system', content: expect.any(String) },
      { role: 'user', content: 'weather in Paris?' },
      {
        role: 'assistant',
        content: 'Let me check. ',
        tool_calls: [
          {
            id: 'call_abc',
            type: 'function',
            function: { name: 'get_weather', arguments: '{"city":"Paris"}' },
          },
        ],
      },
      { role: 'tool', tool_call_id: 'call_abc', content: '{"sky":"sunny"}' },
    ]);
    cascade.expectWellFormed();
  });

  it('streams parallel calls as one function call item each, in order', async () => {
    const cascade = openCascade(
      {},
      {
        chat: () => ({
          kind: 'stream',
          style: 'vllm',
          toolCalls: [
            { id: 'call_1', name: 'get_weather', arguments: ['{"city":', '"Oslo"}'] },
            { id: 'call_2', name: 'get_weather', arguments: ['{"city":"Rome"}'] },
          ],
        }),
      },
    );
    cascade.send(
      ClientEvents.sessionUpdate(undefined, {
        type: 'realtime',
        output_modalities: ['text'],
        tools: [weatherTool],
      }),
    );
    cascade.send(userText('weather in Oslo and Rome?'));
    cascade.send(ClientEvents.responseCreate());
    const [done] = await cascade.responses(1);
    expect(
      done?.output?.map((item) => item.type === 'function_call' && [item.call_id, item.arguments]),
    ).toEqual([
      ['call_1', '{"city":"Oslo"}'],
      ['call_2', '{"city":"Rome"}'],
    ]);
    cascade.expectWellFormed();
  });

  it('in an audio response, a call comes after the sentences before it were said', async () => {
    const cascade = openCascade(
      {},
      {
        chat: () => ({
          kind: 'stream',
          tokens: ['One moment ', 'please. ', 'Checking now.'],
          toolCalls: [{ id: 'call_1', name: 'get_weather', arguments: ['{"city":"Oslo"}'] }],
        }),
        speech: (body) => ({
          kind: 'pcm',
          bytes: toneFor(String(body.input)),
          delayMs: 3,
          chunkSizes: [999],
        }),
      },
    );
    cascade.send(ClientEvents.sessionUpdate(undefined, { type: 'realtime', tools: [weatherTool] }));
    cascade.send(userText('weather?'));
    cascade.send(ClientEvents.responseCreate());
    const [done] = await cascade.responses(1);
    expect(done?.output?.map((item) => item.type)).toEqual(['message', 'function_call']);
    const lastAudio = cascade.events.findLastIndex(
      (event) => event.type === 'response.output_audio.delta',
    );
    const callAdded = cascade.events.findIndex(
      (event) => event.type === 'response.output_item.added' && event.item.type === 'function_call',
    );
    expect(lastAudio).toBeGreaterThan(0);
    expect(callAdded).toBeGreaterThan(lastAudio);
    expect(cascade.only('response.output_audio_transcript.done')[0]?.transcript).toBe(
      'One moment please. Checking now.',
    );
    cascade.expectWellFormed();
  });

  it('ends a response the backend cut at max tokens as incomplete', async () => {
    const cascade = openCascade(
      {},
      { chat: () => ({ kind: 'stream', tokens: ['Once upon'], finishReason: 'length' }) },
    );
    cascade.send(textSession());
    cascade.send(userText('a story'));
    cascade.send(ClientEvents.responseCreate(undefined, { max_output_tokens: 2 }));
    const [done] = await cascade.responses(1);
    expect(done?.status).toBe('incomplete');
    expect(done?.status_details).toMatchObject({ type: 'incomplete', reason: 'max_output_tokens' });
    expect(backend.requestsTo('chat/completions')[0]?.json?.max_tokens).toBe(2);
    cascade.expectWellFormed();
  });
});

describe('an audio conversation', () => {
  it('transcribes committed audio, answers it, and speaks each sentence in order as it is written', async () => {
    const cascade = openCascade(
      { voice: 'af_heart' },
      { transcription: () => ({ kind: 'text', text: 'hello there' }) },
    );
    cascade.send(
      ClientEvents.sessionUpdate(undefined, {
        type: 'realtime',
        audio: { input: { turn_detection: null } },
      }),
    );
    cascade.send(ClientEvents.inputAudioBufferAppend(undefined, pcmBase64(400, true)));
    cascade.send(ClientEvents.inputAudioBufferCommit());
    cascade.send(ClientEvents.responseCreate());
    const [done] = await cascade.responses(1);
    expect(done?.status).toBe('completed');

    // The transcription: the committed audio as a 24 kHz WAV, with the cascade's own model.
    const [transcription] = backend.requestsTo('audio/transcriptions');
    expect(transcription?.form).toMatchObject({ model: 'whisper-small', response_format: 'json' });
    // Bun names the part's type from the file name (audio/x-wav); either is a WAV to the server.
    expect(transcription?.file?.type).toMatch(/^audio\/(x-)?wav$/);
    expect(transcription?.file?.name).toBe('audio.wav');
    expect(transcription?.file?.bytes.length).toBe(44 + 400 * 48);
    expect(new DataView(transcription?.file?.bytes.buffer as ArrayBuffer).getUint32(24, true)).toBe(
      24_000,
    );
    // Not asked for: the client sees no transcription events, the model still heard it.
    expect(cascade.only('conversation.item.input_audio_transcription.completed')).toEqual([]);
    expect(backend.requestsTo('chat/completions')[0]?.json?.messages).toEqual([
      { role: 'system', content: expect.any(String) },
      { role: 'user', content: 'hello there' },
    ]);

    // One speech request per sentence, and the audio of each in order, in whole samples.
    const sentences = ['You said: hello there. ', 'Anything else?'];
    expect(backend.requestsTo('audio/speech').map((request) => request.json)).toEqual(
      sentences.map((sentence) => ({
        model: 'kokoro',
        input: sentence.trim(),
        voice: 'af_heart',
        response_format: 'pcm',
      })),
    );
    expect(
      cascade.only('response.output_audio_transcript.delta').map((event) => event.delta),
    ).toEqual(sentences);
    const audio = cascade
      .only('response.output_audio.delta')
      .map((event) => base64Bytes(event.delta));
    for (const chunk of audio) expect(chunk.length % 2).toBe(0);
    expect(concat(audio)).toEqual(concat(sentences.map((sentence) => toneFor(sentence.trim()))));
    // Each sentence's transcript comes before its audio.
    const order = cascade.events
      .filter(
        (event) =>
          event.type === 'response.output_audio_transcript.delta' ||
          event.type === 'response.output_audio.delta',
      )
      .map((event) => (event.type === 'response.output_audio.delta' ? 'audio' : 'text'));
    expect(order[0]).toBe('text');
    expect(order.lastIndexOf('text')).toBeGreaterThan(order.indexOf('audio'));
    cascade.expectWellFormed();
  });

  it('speaks G.711 to a G.711 session: 8 kHz, one byte a sample', async () => {
    const cascade = openCascade();
    cascade.send(
      ClientEvents.sessionUpdate(undefined, {
        type: 'realtime',
        audio: { output: { format: { type: 'audio/pcmu' } } },
      }),
    );
    cascade.send(userText('hi'));
    cascade.send(ClientEvents.responseCreate());
    await cascade.responses(1);
    const bytes = cascade
      .only('response.output_audio.delta')
      .reduce((total, event) => total + base64Bytes(event.delta).length, 0);
    const pcmBytes = ['You said: hi.', 'Anything else?'].reduce(
      (total, sentence) => total + toneFor(sentence).length,
      0,
    );
    expect(bytes).toBe(pcmBytes / 6);
    cascade.expectWellFormed();
  });

  it('transcribes audio a client put in conversation.item.create itself', async () => {
    const cascade = openCascade(
      {},
      { transcription: () => ({ kind: 'text', text: 'from an item' }) },
    );
    cascade.send(textSession());
    cascade.send(
      ClientEvents.conversationItemCreate(undefined, undefined, {
        type: 'message',
        role: 'user',
        content: [{ type: 'input_audio', audio: pcmBase64(100, true) }],
      }),
    );
    cascade.send(ClientEvents.responseCreate());
    await cascade.responses(1);
    expect(backend.requestsTo('audio/transcriptions')).toHaveLength(1);
    expect(backend.requestsTo('chat/completions')[0]?.json?.messages).toContainEqual({
      role: 'user',
      content: 'from an item',
    });
    cascade.expectWellFormed();
  });

  it('reports the transcription to a client that asked for it', async () => {
    const cascade = openCascade({}, { transcription: () => ({ kind: 'text', text: 'hi' }) });
    cascade.send(
      ClientEvents.sessionUpdate(undefined, {
        type: 'realtime',
        output_modalities: ['text'],
        audio: {
          input: { turn_detection: null, transcription: { model: 'whisper-1', language: 'en' } },
        },
      }),
    );
    cascade.send(ClientEvents.inputAudioBufferAppend(undefined, pcmBase64(200, true)));
    cascade.send(ClientEvents.inputAudioBufferCommit());
    await cascade.until(
      () => cascade.only('conversation.item.input_audio_transcription.completed').length === 1,
      'transcript',
    );
    expect(
      cascade.only('conversation.item.input_audio_transcription.completed')[0]?.transcript,
    ).toBe('hi');
    // The session's language reaches the backend; its model is the cascade's.
    expect(backend.requestsTo('audio/transcriptions')[0]?.form).toMatchObject({
      model: 'whisper-small',
      language: 'en',
    });
    cascade.expectWellFormed();
  });

  it('without a speech model, an audio response carries its transcript and no audio', async () => {
    const cascade = openCascade({ speechModel: undefined });
    cascade.send(userText('hi'));
    cascade.send(ClientEvents.responseCreate());
    const [done] = await cascade.responses(1);
    expect(done?.status).toBe('completed');
    expect(cascade.only('response.output_audio.delta')).toEqual([]);
    expect(cascade.only('response.output_audio_transcript.done')[0]?.transcript).toBe(
      'You said: hi. Anything else?',
    );
    expect(backend.requestsTo('audio/speech')).toEqual([]);
    cascade.expectWellFormed();
  });
});

describe('cancel', () => {
  it.each(['text', 'audio'] as const)(
    'aborts every request of a %s response at once',
    async (modality) => {
      const cascade = openCascade(
        {},
        {
          chat: () => ({
            kind: 'stream',
            tokens: Array.from({ length: 200 }, (_, i) => `Word ${i}. `),
            delayMs: 10,
          }),
          speech: (body) => ({
            kind: 'pcm',
            bytes: toneFor(String(body.input).repeat(20)),
            delayMs: 10,
            chunkSizes: [960],
          }),
        },
      );
      cascade.send(
        ClientEvents.sessionUpdate(undefined, { type: 'realtime', output_modalities: [modality] }),
      );
      cascade.send(userText('talk'));
      cascade.send(ClientEvents.responseCreate());
      const streaming =
        modality === 'text' ? 'response.output_text.delta' : 'response.output_audio.delta';
      await cascade.until(() => cascade.only(streaming).length >= 2, 'deltas');
      const cancelledAt = performance.now();
      cascade.send(ClientEvents.responseCancel());
      const [done] = await cascade.responses(1);
      expect(done?.status).toBe('cancelled');
      await cascade.until(
        () =>
          backend.requests.every(
            (request) => request.abortedAt !== undefined || request.finishedAt !== undefined,
          ),
        'requests to end',
      );
      const chat = backend.requestsTo('chat/completions')[0];
      // Aborted mid-stream, not left to run out: the backend never finished writing it. How
      // soon is the machine's to say (the cascade bench reports it), so it is not asserted.
      expect(chat?.abortedAt).toBeDefined();
      expect(chat?.finishedAt).toBeUndefined();
      expect(chat?.abortedAt as number).toBeGreaterThanOrEqual(cancelledAt);
      if (modality === 'audio')
        expect(
          backend.requestsTo('audio/speech').some((request) => request.abortedAt !== undefined),
        ).toBe(true);
      cascade.expectWellFormed();
    },
  );
});

describe('backend failures end the response failed, and the session goes on', () => {
  const openAiError = JSON.stringify({
    error: { message: `echo: ${SECRET_WORDS}`, type: 'server_error', code: 'engine_overloaded' },
  });
  it.each([
    [
      'a 500 with an OpenAI-style body',
      { kind: 'status', status: 500, body: openAiError },
      'backend_http_error',
      /chat backend: request failed \(HTTP 500\): engine_overloaded/,
    ],
    [
      'a 400 with a plain body',
      { kind: 'status', status: 400, body: `bad: ${SECRET_WORDS}` },
      'backend_http_error',
      /chat backend: request failed \(HTTP 400\)$/,
    ],
    [
      'a 429 with retry-after',
      { kind: 'status', status: 429, body: '{}', headers: { 'retry-after': '7' } },
      'backend_rate_limited',
      /chat backend: rate limited \(HTTP 429\), retry after 7 s/,
    ],
    [
      'a stream cut mid-way',
      { kind: 'stream', tokens: ['a ', 'b '], cutAfter: 2 },
      'backend_stream_cut',
      /chat backend: the response ended before it was complete \(HTTP 200\)/,
    ],
    [
      'malformed SSE',
      {
        kind: 'raw',
        chunks: ['data: {"choices":[{"delta":{"content":"x"}}]}\n\n', 'data: {oops\n\n'],
      },
      'backend_malformed_response',
      /chat backend: the response is not what the OpenAI API sends \(HTTP 200\)/,
    ],
    [
      'no answer in time',
      { kind: 'hang' },
      'backend_timeout',
      /chat backend: no answer within 300 ms/,
    ],
    [
      'a stream that stalls',
      { kind: 'stream', tokens: ['a ', 'b '], stallAfter: 2 },
      'backend_timeout',
      /chat backend: no answer within 300 ms/,
    ],
  ] as const)('%s', async (_name, failure, code, message) => {
    const cascade = openCascade(
      { timeoutMs: 300 },
      { chat: (body, index) => (index === 0 ? failure : { kind: 'stream', tokens: echoOf(body) }) },
    );
    cascade.send(textSession());
    cascade.send(userText(SECRET_WORDS));
    cascade.send(ClientEvents.responseCreate());
    const [failed] = await cascade.responses(1);
    expect(failed?.status).toBe('failed');
    expect(failed?.status_details?.error).toMatchObject({ type: 'server_error', code });
    const [error] = cascade.only('error');
    expect(error?.error.code).toBe(code);
    expect(error?.error.message).toMatch(message);
    cascade.send(ClientEvents.responseCreate());
    const [, next] = await cascade.responses(2);
    expect(next?.status).toBe('completed');
    cascade.expectWellFormed();
  });

  it('a backend that refuses connections', async () => {
    const closed = await startFakeBackend();
    await closed.close();
    const cascade = openCascade({ baseURL: closed.baseURL });
    cascade.send(textSession());
    cascade.send(userText('hi'));
    cascade.send(ClientEvents.responseCreate());
    const [failed] = await cascade.responses(1);
    expect(failed?.status_details?.error?.code).toBe('backend_unreachable');
    expect(cascade.only('error')[0]?.error.message).toBe('chat backend: could not connect');
    cascade.expectWellFormed();
  });

  it('a speech failure names the speech stage and stops the chat stream', async () => {
    const cascade = openCascade(
      {},
      {
        chat: () => ({
          kind: 'stream',
          tokens: Array.from({ length: 100 }, (_, i) => `Sentence ${i}. `),
          delayMs: 5,
        }),
        speech: () => ({ kind: 'status', status: 503, body: '{"error":{"message":"down"}}' }),
      },
    );
    cascade.send(userText('hi'));
    cascade.send(ClientEvents.responseCreate());
    const [failed] = await cascade.responses(1);
    expect(failed?.status).toBe('failed');
    expect(cascade.only('error')[0]?.error.message).toBe(
      'speech backend: request failed (HTTP 503)',
    );
    await cascade.until(
      () => backend.requestsTo('chat/completions')[0]?.abortedAt !== undefined,
      'chat aborted',
    );
    cascade.expectWellFormed();
  });

  it('a transcription failure is reported on the item, and a response to that audio names the stage', async () => {
    const cascade = openCascade(
      {},
      { transcription: () => ({ kind: 'status', status: 500, body: SECRET_WORDS }) },
    );
    cascade.send(
      ClientEvents.sessionUpdate(undefined, {
        type: 'realtime',
        output_modalities: ['text'],
        audio: { input: { turn_detection: null, transcription: { model: 'whisper-1' } } },
      }),
    );
    cascade.send(ClientEvents.inputAudioBufferAppend(undefined, pcmBase64(200, true)));
    cascade.send(ClientEvents.inputAudioBufferCommit());
    cascade.send(ClientEvents.responseCreate());
    const [failed] = await cascade.responses(1);
    expect(failed?.status_details?.error?.code).toBe('input_audio_not_transcribed');
    const [transcriptionFailed] = cascade.only(
      'conversation.item.input_audio_transcription.failed',
    );
    expect(transcriptionFailed?.error).toMatchObject({
      code: 'backend_http_error',
      message: 'transcription backend: request failed (HTTP 500)',
    });
    expect(backend.requestsTo('chat/completions')).toEqual([]);
    cascade.expectWellFormed();
  });

  it('without a transcription model, a response to audio names the missing stage', async () => {
    const cascade = openCascade({ transcriptionModel: undefined });
    cascade.send(
      ClientEvents.sessionUpdate(undefined, {
        type: 'realtime',
        audio: { input: { turn_detection: null } },
      }),
    );
    cascade.send(ClientEvents.inputAudioBufferAppend(undefined, pcmBase64(200, true)));
    cascade.send(ClientEvents.inputAudioBufferCommit());
    cascade.send(ClientEvents.responseCreate());
    await cascade.responses(1);
    expect(cascade.only('error')[0]?.error).toMatchObject({
      code: 'backend_not_configured',
      message: 'transcription backend: none is configured',
    });
    cascade.expectWellFormed();
  });
});

describe('stages on their own servers', () => {
  it('sends each stage to its own base URL with its own key', async () => {
    const speech = await startFakeBackend();
    try {
      const cascade = openCascade({
        endpoints: { speech: { baseURL: speech.baseURL, apiKey: 'sk-speech' } },
      });
      cascade.send(userText('hi'));
      cascade.send(ClientEvents.responseCreate());
      await cascade.responses(1);
      expect(backend.requestsTo('audio/speech')).toEqual([]);
      expect(
        speech.requestsTo('audio/speech').map((request) => request.headers.authorization),
      ).toEqual(['Bearer sk-speech', 'Bearer sk-speech']);
      expect(backend.requestsTo('chat/completions')[0]?.headers.authorization).toBe(
        `Bearer ${API_KEY}`,
      );
    } finally {
      await speech.close();
    }
  });

  it('names the option a bad setup got wrong', () => {
    expect(() => createCascadeModel({ baseURL: 'ftp://x', chatModel: 'm' })).toThrow(
      'createCascadeModel: baseURL must be an http: or https: URL',
    );
    expect(() => createCascadeModel({ baseURL: 'http://x', chatModel: '' })).toThrow(
      'chatModel must be a non-empty string',
    );
    expect(() =>
      createCascadeModel({
        baseURL: 'http://x',
        chatModel: 'm',
        endpoints: { speech: { baseURL: 'nope' } },
      }),
    ).toThrow('endpoints.speech.baseURL must be an http: or https: URL');
  });
});

function base64Bytes(text: string): Uint8Array {
  return Uint8Array.from(atob(text), (char) => char.charCodeAt(0));
}

function concat(chunks: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((total, chunk) => total + chunk.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}
