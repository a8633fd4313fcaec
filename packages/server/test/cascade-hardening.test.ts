import { ClientEvents } from '@rtwire/builders';
import type { RealtimeConversationItem, RealtimeServerEvent, ServerEventOf } from '@rtwire/types';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type FakeBackend,
  type FakeBackendScript,
  startFakeBackend,
} from '../../../test-support/fake-openai-backend.ts';
import { MAX_RETRY_AFTER_SECONDS } from '../src/cascade/backend-error.ts';
import { chatMessages } from '../src/cascade/chat-request.ts';
import {
  type CascadeModelOptions,
  createCascadeModel,
  createRealtimeSession,
  type ResponseOutput,
  type ResponseRequest,
} from '../src/index.ts';
import { MAX_DELTA_CHARS } from '../src/session/response-stream.ts';
import { userText } from './harness.ts';

const SECRET = 'sk-proj-abc123DEF456';

let backend: FakeBackend;
beforeEach(async () => {
  backend = await startFakeBackend();
});
afterEach(async () => {
  await backend.close();
});

/** A session on a cascade over the fake backend; its frames kept as sent and parsed. */
function openCascade(options: Partial<CascadeModelOptions> = {}, script: FakeBackendScript = {}) {
  backend.script = script;
  const frames: string[] = [];
  const events: RealtimeServerEvent[] = [];
  const session = createRealtimeSession({
    model: createCascadeModel({
      baseURL: backend.baseURL,
      chatModel: 'llama3.2',
      transcriptionModel: 'whisper-small',
      speechModel: 'kokoro',
      timeoutMs: 5000,
      ...options,
    }),
    frames: 'string',
    send: (frame) => {
      frames.push(frame);
      events.push(JSON.parse(frame));
    },
  });
  const send = (event: unknown) => session.receive(JSON.stringify(event));
  const only = <T extends RealtimeServerEvent['type']>(type: T) =>
    events.filter((event): event is ServerEventOf<T> => event.type === type);
  const until = async (predicate: () => boolean, what: string) => {
    for (let turn = 0; !predicate(); turn++) {
      if (turn > 2000) throw new Error(`never happened: ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  };
  const done = async () => {
    await until(() => only('response.done').length > 0, 'response.done');
    return only('response.done')[0]?.response;
  };
  return { frames, events, send, only, until, done };
}

const textSession = ClientEvents.sessionUpdate(undefined, {
  type: 'realtime',
  output_modalities: ['text'],
});

const calls = (count: number) =>
  Array.from(
    { length: count },
    (_, index): RealtimeConversationItem => ({
      type: 'function_call',
      call_id: `call_${index}`,
      name: 'lookup',
      arguments: '{}',
    }),
  );

describe('chatMessages is linear in the items (issue 25, item 3)', () => {
  /** Array iteration steps `chatMessages` takes for `items`: its work, counted, not timed. */
  function iterationSteps(items: readonly RealtimeConversationItem[]): number {
    const original = Array.prototype[Symbol.iterator];
    let steps = 0;
    Array.prototype[Symbol.iterator] = function (this: unknown[]) {
      const inner = original.call(this);
      return {
        next: () => {
          steps++;
          return inner.next();
        },
        [Symbol.iterator]() {
          return this;
        },
      } as ArrayIterator<unknown>;
    };
    try {
      // Function calls only: the whole build runs before the first await.
      void chatMessages({ items, instructions: undefined }, async () => undefined);
    } finally {
      Array.prototype[Symbol.iterator] = original;
    }
    return steps;
  }

  it('takes a bounded number of steps per item, however many calls one turn holds', () => {
    const small = iterationSteps(calls(1000));
    const large = iterationSteps(calls(4000));
    expect(large).toBeLessThanOrEqual(4 * 4000);
    expect(large).toBeLessThan(5 * small);
  });

  it('makes 50,000 consecutive calls one assistant turn, in order', async () => {
    const messages = await chatMessages(
      {
        items: [userText('hi').item as RealtimeConversationItem, ...calls(50_000)],
        instructions: undefined,
      },
      async () => undefined,
    );
    expect(messages).toHaveLength(2);
    const turn = messages[1] as unknown as { role: string; tool_calls: { id: string }[] };
    expect(turn.role).toBe('assistant');
    expect(turn.tool_calls).toHaveLength(50_000);
    expect(turn.tool_calls[0]?.id).toBe('call_0');
    expect(turn.tool_calls[49_999]?.id).toBe('call_49999');
  });

  it('starts a new turn after a tool output, and keeps what the assistant said with its calls', async () => {
    const messages = await chatMessages(
      {
        items: [
          {
            type: 'message',
            role: 'assistant',
            content: [{ type: 'output_text', text: 'Checking.' }],
          },
          ...calls(2),
          { type: 'function_call_output', call_id: 'call_0', output: 'a' },
          ...calls(1),
        ],
        instructions: undefined,
      },
      async () => undefined,
    );
    expect(
      messages.map((message) => [
        message.role,
        'tool_calls' in message ? message.tool_calls?.length : 0,
      ]),
    ).toEqual([
      ['assistant', 2],
      ['tool', 0],
      ['assistant', 1],
    ]);
    expect(messages[0]).toMatchObject({ content: 'Checking.' });
  });
});

describe('what the chat backend sends is bounded (issue 25, item 7)', () => {
  it('ends a response past maxTextChars incomplete, with the text up to the bound, and stops reading', async () => {
    const cascade = openCascade(
      { maxTextChars: 1000 },
      {
        chat: () => ({
          kind: 'stream',
          tokens: Array.from({ length: 400 }, () => 'x'.repeat(300)),
          delayMs: 2,
        }),
      },
    );
    cascade.send(textSession);
    cascade.send(userText('talk'));
    cascade.send(ClientEvents.responseCreate());
    const response = await cascade.done();
    expect(response?.status).toBe('incomplete');
    expect(response?.status_details).toMatchObject({ reason: 'max_output_tokens' });
    expect(cascade.only('response.output_text.done')[0]?.text).toBe('x'.repeat(1000));
    await cascade.until(
      () => backend.requestsTo('chat/completions')[0]?.abortedAt !== undefined,
      'the chat stream closed',
    );
  });

  it('in an audio response, speaks the text up to maxTextChars and no further', async () => {
    const cascade = openCascade(
      { maxTextChars: 60 },
      {
        chat: () => ({
          kind: 'stream',
          tokens: Array.from({ length: 50 }, (_, index) => `Sentence number ${index}. `),
        }),
      },
    );
    cascade.send(userText('talk'));
    cascade.send(ClientEvents.responseCreate());
    const response = await cascade.done();
    expect(response?.status).toBe('incomplete');
    const transcript = cascade.only('response.output_audio_transcript.done')[0]?.transcript ?? '';
    expect(transcript.length).toBeGreaterThan(0);
    expect(transcript.length).toBeLessThanOrEqual(60);
    const spoken = backend.requestsTo('audio/speech').map((request) => String(request.json?.input));
    expect(spoken.join(' ').length).toBeLessThanOrEqual(60);
  });

  it('fails a response whose call arguments pass maxToolArgumentsChars, naming the option', async () => {
    const cascade = openCascade(
      { maxToolArgumentsChars: 4096 },
      {
        chat: () => ({
          kind: 'stream',
          toolCalls: [
            {
              id: 'call_1',
              name: 'f',
              arguments: ['{"a":"', 'y'.repeat(3000), 'y'.repeat(3000), '"}'],
            },
          ],
        }),
      },
    );
    cascade.send(textSession);
    cascade.send(userText('call f'));
    cascade.send(ClientEvents.responseCreate());
    const response = await cascade.done();
    expect(response?.status).toBe('failed');
    expect(response?.status_details?.error?.code).toBe('backend_output_too_large');
    expect(cascade.only('error')[0]?.error.message).toBe(
      'chat backend: the answer went past maxToolArgumentsChars (4096 characters of arguments in one call)',
    );
    const sent = cascade.only('response.function_call_arguments.delta').map((event) => event.delta);
    expect(sent.join('').length).toBeLessThanOrEqual(4096);
    // The cut call is not handed over as one to run: it ends incomplete.
    expect(response?.output?.[0]).toMatchObject({ type: 'function_call', status: 'incomplete' });
  });

  it('fails a response past maxToolCalls after a bounded number of frames', async () => {
    const cascade = openCascade(
      {},
      {
        chat: () => ({
          kind: 'stream',
          toolCalls: Array.from({ length: 2000 }, (_, index) => ({
            id: `call_${index}`,
            name: 'f',
            arguments: ['{}'],
          })),
        }),
      },
    );
    cascade.send(textSession);
    cascade.send(userText('call f'));
    cascade.send(ClientEvents.responseCreate());
    const response = await cascade.done();
    expect(response?.status).toBe('failed');
    expect(cascade.only('error')[0]?.error).toMatchObject({
      code: 'backend_output_too_large',
      message: 'chat backend: the answer went past maxToolCalls (32 calls)',
    });
    expect(response?.output?.length).toBeLessThanOrEqual(32);
    // Six frames a call at most, and a few for the response (20,000 calls made 120,004).
    expect(cascade.frames.length).toBeLessThan(32 * 6 + 20);
  });

  it('sends one large delta as frames of at most 16,384 characters', async () => {
    const huge = 'z'.repeat(300_000);
    const cascade = openCascade(
      { maxToolArgumentsChars: 400_000 },
      {
        chat: () => ({
          kind: 'stream',
          tokens: [huge.slice(0, 100_000)],
          toolCalls: [{ id: 'call_1', name: 'f', arguments: [huge] }],
        }),
      },
    );
    cascade.send(textSession);
    cascade.send(userText('call f'));
    cascade.send(ClientEvents.responseCreate());
    const response = await cascade.done();
    expect(response?.status).toBe('completed');
    const deltas = [
      ...cascade.only('response.output_text.delta'),
      ...cascade.only('response.function_call_arguments.delta'),
    ];
    for (const event of deltas) expect(event.delta.length).toBeLessThanOrEqual(MAX_DELTA_CHARS);
    expect(
      cascade
        .only('response.function_call_arguments.delta')
        .map((event) => event.delta)
        .join(''),
    ).toBe(huge);
    // Only the events that repeat the whole output (the done events) are larger.
    const large = cascade.events.filter(
      (_, index) => (cascade.frames[index]?.length ?? 0) > 20_000,
    );
    expect(new Set(large.map((event) => event.type))).toEqual(
      new Set([
        'response.output_text.done',
        'response.content_part.done',
        'response.output_item.done',
        'conversation.item.done',
        'response.function_call_arguments.done',
        'response.done',
      ]),
    );
  });

  it('refuses bounds that are not positive whole numbers, naming the option', () => {
    for (const field of ['maxTextChars', 'maxToolCalls', 'maxToolArgumentsChars'] as const) {
      for (const value of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
        expect(() =>
          createCascadeModel({ baseURL: 'http://x', chatModel: 'm', [field]: value }),
        ).toThrow(`createCascadeModel: ${field} must be a positive whole number`);
      }
    }
  });

  it('reports the most one response holds in its own buffers', () => {
    const model = createCascadeModel({ baseURL: 'http://x', chatModel: 'm' });
    // Two bytes a character: a 1,638,400-character SSE event, 262,144 of text, 32 calls of 65,536.
    expect(model.maxHeldBytes).toBe(2 * (1_638_400 + 262_144 + 32 * 65_536));
  });
});

describe('input_image URLs (issue 25, item 9)', () => {
  const imageItem = (url: string) =>
    ClientEvents.conversationItemCreate(undefined, undefined, {
      type: 'message',
      role: 'user',
      content: [
        { type: 'input_text', text: 'what is this?' },
        { type: 'input_image', image_url: url },
      ],
    });
  const DATA_URL = 'data:image/png;base64,iVBORw0KGgo=';

  it.each([
    'http://169.254.169.254/latest/meta-data/iam/security-credentials/',
    'file:///etc/passwd',
    'https://images.example.com/cat.png',
    'HTTP://127.0.0.1:8080/admin',
    'not a url',
  ])(
    'refuses %s by default: the response fails, naming no URL, and nothing reaches the backend',
    async (url) => {
      const cascade = openCascade();
      cascade.send(textSession);
      cascade.send(imageItem(url));
      cascade.send(ClientEvents.responseCreate());
      const response = await cascade.done();
      expect(response?.status).toBe('failed');
      const [error] = cascade.only('error');
      expect(error?.error.code).toBe('image_url_not_allowed');
      expect(error?.error.message).toMatch(/^input_image: /);
      expect(JSON.stringify(cascade.only('error'))).not.toContain(url);
      expect(JSON.stringify(cascade.only('response.done'))).not.toContain(url);
      expect(backend.requestsTo('chat/completions')).toEqual([]);
    },
  );

  it('forwards data: URLs by default', async () => {
    const cascade = openCascade();
    cascade.send(textSession);
    cascade.send(imageItem(DATA_URL));
    cascade.send(ClientEvents.responseCreate());
    expect((await cascade.done())?.status).toBe('completed');
    expect(backend.requestsTo('chat/completions')[0]?.json?.messages).toContainEqual({
      role: 'user',
      content: [
        { type: 'text', text: 'what is this?' },
        { type: 'image_url', image_url: { url: DATA_URL } },
      ],
    });
  });

  it.each([
    [
      { allow: ['https:'] },
      ['https://a.example/x.png', DATA_URL],
      ['http://a.example/x.png', 'file:///x'],
    ],
    [
      { allow: ['https://images.example.com'] },
      ['https://images.example.com/x.png'],
      ['https://images.example.com.evil.test/x.png', 'http://images.example.com/x.png'],
    ],
    [
      { allow: (url: URL) => url.hostname.endsWith('.example.com'), data: false },
      ['https://cdn.example.com/x.png'],
      [DATA_URL, 'https://example.org/x.png'],
    ],
  ] as const)(
    'with imageUrls %o, forwards what it allows and refuses the rest',
    async (imageUrls, allowed, refused) => {
      for (const url of [...allowed, ...refused]) {
        const cascade = openCascade({ imageUrls });
        const before = backend.requestsTo('chat/completions').length;
        cascade.send(textSession);
        cascade.send(imageItem(url));
        cascade.send(ClientEvents.responseCreate());
        const response = await cascade.done();
        const forwarded = (allowed as readonly string[]).includes(url);
        expect(response?.status, url).toBe(forwarded ? 'completed' : 'failed');
        expect(backend.requestsTo('chat/completions').length - before, url).toBe(forwarded ? 1 : 0);
      }
    },
  );

  it('names a bad imageUrls entry by its position', () => {
    expect(() =>
      createCascadeModel({
        baseURL: 'http://x',
        chatModel: 'm',
        imageUrls: { allow: ['https:', 'https://a.example/path'] },
      }),
    ).toThrow(
      "createCascadeModel: imageUrls.allow[1] must be a scheme such as 'https:' or an origin such as 'https://images.example.com'",
    );
  });
});

describe('backend error codes and retry-after (issue 25, item 10)', () => {
  it.each([
    [
      'a key in error.code',
      { code: SECRET, type: 'server_error' },
      'request failed (HTTP 500): server_error',
    ],
    [
      'an unknown identifier',
      { code: 'my_internal_code', type: 'BadRequestError' },
      'request failed (HTTP 500)',
    ],
    [
      'a known code',
      { code: 'context_length_exceeded', type: SECRET },
      'request failed (HTTP 500): context_length_exceeded',
    ],
  ])('shows only a known OpenAI code: %s', async (_name, error, message) => {
    const cascade = openCascade(
      {},
      {
        chat: () => ({
          kind: 'status',
          status: 500,
          body: JSON.stringify({ error: { ...error, message: SECRET } }),
        }),
      },
    );
    cascade.send(textSession);
    cascade.send(userText('hi'));
    cascade.send(ClientEvents.responseCreate());
    await cascade.done();
    expect(cascade.only('error')[0]?.error.message).toBe(`chat backend: ${message}`);
    expect(cascade.frames.join('')).not.toContain(SECRET);
  });

  it('shows no code from an error inside the stream that is not a known one', async () => {
    const cascade = openCascade(
      {},
      {
        chat: () => ({
          kind: 'raw',
          chunks: [`data: ${JSON.stringify({ error: { code: SECRET, message: SECRET } })}\n\n`],
        }),
      },
    );
    cascade.send(textSession);
    cascade.send(userText('hi'));
    cascade.send(ClientEvents.responseCreate());
    await cascade.done();
    expect(cascade.only('error')[0]?.error.message).toBe('chat backend: request failed (HTTP 200)');
    expect(cascade.frames.join('')).not.toContain(SECRET);
  });

  it.each([
    ['100000000000000000000', 'chat backend: rate limited (HTTP 429)'],
    [String(MAX_RETRY_AFTER_SECONDS + 1), 'chat backend: rate limited (HTTP 429)'],
    ['Fri, 01 Jan 9999 00:00:00 GMT', 'chat backend: rate limited (HTTP 429)'],
    [
      String(MAX_RETRY_AFTER_SECONDS),
      `chat backend: rate limited (HTTP 429), retry after ${MAX_RETRY_AFTER_SECONDS} s`,
    ],
  ])('bounds retry-after %s', async (retryAfter, message) => {
    const cascade = openCascade(
      {},
      {
        chat: () => ({
          kind: 'status',
          status: 429,
          body: '{}',
          headers: { 'retry-after': retryAfter },
        }),
      },
    );
    cascade.send(textSession);
    cascade.send(userText('hi'));
    cascade.send(ClientEvents.responseCreate());
    await cascade.done();
    expect(cascade.only('error')[0]?.error.message).toBe(message);
  });
});

describe('the cascade reads its backends no faster than the session sends (issue 25, item 15)', () => {
  /** A body of `count` chunks made one at a time as they are read: pulls are reads. */
  function pulledBody(
    count: number,
    chunk: (index: number) => Uint8Array,
    signal?: AbortSignal | null,
  ) {
    const body = { pulls: 0, count };
    const stream = new ReadableStream<Uint8Array>(
      {
        start(controller) {
          // As fetch does: an aborted request errors its body.
          signal?.addEventListener('abort', () => controller.error(signal.reason));
        },
        pull(controller) {
          if (body.pulls === count) {
            controller.close();
            return;
          }
          controller.enqueue(chunk(body.pulls++));
        },
      },
      { highWaterMark: 0 },
    );
    return Object.assign(body, { stream });
  }

  /** An output whose session congests after `limit` writes, until `release()`. */
  function gatedOutput(limit: number) {
    let writes = 0;
    let gate: { promise: Promise<void>; resolve: () => void } | undefined;
    let released = false;
    const write = () => {
      writes++;
      if (writes >= limit && !released && gate === undefined) {
        let resolve = () => {};
        const promise = new Promise<void>((done) => {
          resolve = done;
        });
        gate = { promise, resolve };
      }
    };
    const output: ResponseOutput = {
      text: write,
      audio: write,
      functionCall: () => ({ arguments() {}, done() {} }),
      usage() {},
      incomplete() {},
      ready: () => gate?.promise ?? Promise.resolve(),
    };
    return {
      output,
      get writes() {
        return writes;
      },
      get congested() {
        return gate !== undefined;
      },
      release() {
        released = true;
        gate?.resolve();
      },
    };
  }

  const request = (modality: 'text' | 'audio'): ResponseRequest => ({
    responseId: 'resp_1',
    items: [userText('talk').item as RealtimeConversationItem],
    outOfBand: false,
    instructions: undefined,
    tools: [],
    toolChoice: 'auto',
    modality,
    voice: 'marin',
    inputAudioFormat: 'audio/pcm',
    outputAudioFormat: 'audio/pcm',
    maxOutputTokens: 'inf',
    metadata: null,
    audioDurationMs: () => 0,
    transcript: async () => undefined,
  });

  const turns = async (count: number) => {
    for (let turn = 0; turn < count; turn++) await new Promise((resolve) => setImmediate(resolve));
  };

  const sse = (data: unknown) => new TextEncoder().encode(`data: ${JSON.stringify(data)}\n\n`);

  it.each(['audio', 'text'] as const)(
    'in a %s response, stops reading while the session is congested',
    async (modality) => {
      const CHUNKS = 2000;
      // Audio: one sentence whose speech is 2,000 chunks. Text: 2,000 text events.
      const chat = pulledBody(modality === 'text' ? CHUNKS + 1 : 2, (index) =>
        index === (modality === 'text' ? CHUNKS : 1)
          ? sse({ choices: [{ delta: {}, finish_reason: 'stop' }] })
          : sse({
              choices: [{ delta: { content: modality === 'text' ? 'word ' : 'Hello there.' } }],
            }),
      );
      const speech = pulledBody(CHUNKS, () => new Uint8Array(4800));
      const model = createCascadeModel({
        baseURL: 'http://backend.test/v1',
        chatModel: 'm',
        speechModel: 's',
        fetch: async (input) =>
          new Response(String(input).endsWith('/chat/completions') ? chat.stream : speech.stream),
      });
      const source = modality === 'text' ? chat : speech;
      const gated = gatedOutput(20);
      const answering = model.respond(
        request(modality),
        gated.output,
        new AbortController().signal,
      );
      for (let turn = 0; !gated.congested; turn++) {
        if (turn > 10_000) throw new Error('the output never congested');
        await turns(1);
      }
      const pullsWhenCongested = source.pulls;
      // Ample time to read all 2,000 chunks, were nothing holding the cascade back.
      await turns(500);
      expect(source.pulls).toBeLessThanOrEqual(pullsWhenCongested + 2);
      expect(gated.writes).toBeLessThan(25);
      gated.release();
      await answering;
      expect(source.pulls).toBe(source.count);
    },
  );
  it('through the engine: speech waits while the session reports its send path congested', async () => {
    const CHUNKS = 2000;
    const chat = pulledBody(2, (index) =>
      index === 1
        ? sse({ choices: [{ delta: {}, finish_reason: 'stop' }] })
        : sse({ choices: [{ delta: { content: 'Hello there.' } }] }),
    );
    const speech = pulledBody(CHUNKS, () => new Uint8Array(4800));
    let gate: { promise: Promise<void>; resolve: () => void } | undefined;
    let audioFrames = 0;
    let released = false;
    const session = createRealtimeSession({
      model: createCascadeModel({
        baseURL: 'http://backend.test/v1',
        chatModel: 'm',
        speechModel: 's',
        fetch: async (input) =>
          new Response(String(input).endsWith('/chat/completions') ? chat.stream : speech.stream),
      }),
      frames: 'string',
      send: (frame) => {
        if (!frame.includes('"response.output_audio.delta"')) return;
        // The client stops reading after 20 audio frames, as a slow reader does.
        if (++audioFrames === 20 && !released) {
          let resolve = () => {};
          const promise = new Promise<void>((done) => {
            resolve = done;
          });
          gate = { promise, resolve };
        }
      },
      sendReady: () => gate?.promise,
    });
    session.receive(JSON.stringify(userText('talk')));
    session.receive(JSON.stringify(ClientEvents.responseCreate()));
    for (let turn = 0; gate === undefined; turn++) {
      if (turn > 10_000) throw new Error('the session never congested');
      await turns(1);
    }
    const pullsWhenCongested = speech.pulls;
    await turns(500);
    expect(speech.pulls).toBeLessThanOrEqual(pullsWhenCongested + 2);
    expect(audioFrames).toBeLessThan(25);
    released = true;
    gate.resolve();
    gate = undefined;
    for (let turn = 0; speech.pulls < speech.count; turn++) {
      if (turn > 100_000) throw new Error('speech was never read to its end');
      await turns(1);
    }
    session.close();
  });
  it('a sentence asked ahead does not time out while a slow client hears the one before', async () => {
    const chat = pulledBody(3, (index) =>
      index === 2
        ? sse({ choices: [{ delta: {}, finish_reason: 'stop' }] })
        : sse({
            choices: [{ delta: { content: index === 0 ? 'First sentence. ' : 'Second one.' } }],
          }),
    );
    const speeches: ReturnType<typeof pulledBody>[] = [];
    const model = createCascadeModel({
      baseURL: 'http://backend.test/v1',
      chatModel: 'm',
      speechModel: 's',
      timeoutMs: 100,
      fetch: async (input, init) => {
        if (String(input).endsWith('/chat/completions')) return new Response(chat.stream);
        const speech = pulledBody(50, () => new Uint8Array(4800), init?.signal);
        speeches.push(speech);
        return new Response(speech.stream);
      },
    });
    const gated = gatedOutput(10);
    const answering = model.respond(request('audio'), gated.output, new AbortController().signal);
    for (let turn = 0; !gated.congested || speeches.length < 2; turn++) {
      if (turn > 10_000) throw new Error('the output never congested');
      await turns(1);
    }
    // The client is slow for three times the backend timeout; the second answer waits unread.
    await new Promise((resolve) => setTimeout(resolve, 300));
    gated.release();
    await answering;
    expect(speeches.map((speech) => speech.pulls)).toEqual([50, 50]);
  });
});
