import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BackendCall } from './backend-call.ts';
import { CascadeBackendError } from './backend-error.ts';
import { type ChatStreamPart, readChatStream } from './chat-stream.ts';

const encoder = new TextEncoder();

/**
 * A 200 answer whose body arrives as `pieces`: what a cascade reads of a `Response`, made by
 * hand because the edge matrix's `Response` polyfill needs the `Buffer` it removes.
 */
function answerOf(pieces: readonly Uint8Array[]): Response {
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const piece of pieces) controller.enqueue(piece);
      controller.close();
    },
  });
  return { ok: true, status: 200, headers: new Headers(), body } as unknown as Response;
}
const answer = (chunks: readonly string[]) =>
  answerOf(chunks.map((chunk) => encoder.encode(chunk)));

async function read(chunks: readonly string[]): Promise<ChatStreamPart[]> {
  const call = new BackendCall({
    stage: 'chat',
    endpoint: { baseURL: 'http://127.0.0.1:1/v1' },
    fetch: async () => answer(chunks),
    timeoutMs: 5000,
    signal: new AbortController().signal,
  });
  const response = await call.send('chat/completions', { body: '{}' });
  const parts: ChatStreamPart[] = [];
  for await (const part of readChatStream(call, response)) parts.push(part);
  return parts;
}

const data = (value: unknown) => `data: ${JSON.stringify(value)}\n\n`;
const delta = (value: Record<string, unknown>, finish: string | null = null) =>
  data({
    object: 'chat.completion.chunk',
    choices: [{ index: 0, delta: value, finish_reason: finish }],
  });

const STREAM = [
  delta({ role: 'assistant', content: '' }),
  delta({ content: 'Hé ' }),
  delta({ content: 'there' }),
  delta({
    tool_calls: [
      { index: 0, id: 'call_1', type: 'function', function: { name: 'f', arguments: '' } },
    ],
  }),
  delta({ tool_calls: [{ index: 0, function: { arguments: '{"a":' } }] }),
  delta({ tool_calls: [{ index: 0, function: { arguments: '1}' } }] }),
  delta({}, 'tool_calls'),
  data({
    choices: [],
    usage: { prompt_tokens: 9, completion_tokens: 4, prompt_tokens_details: { cached_tokens: 2 } },
  }),
  'data: [DONE]\n\n',
].join('');

describe('readChatStream', () => {
  it('reads text, tool-call deltas, the finish reason and usage, in order', async () => {
    const parts = await read([STREAM]);
    expect(parts.map((part) => part.type)).toEqual([
      'text',
      'text',
      'tool-call',
      'tool-call',
      'tool-call',
      'finish',
      'usage',
    ]);
    expect(parts[2]).toEqual({
      type: 'tool-call',
      index: 0,
      id: 'call_1',
      name: 'f',
      arguments: '',
    });
    expect(parts[4]).toMatchObject({ arguments: '1}', id: undefined, name: undefined });
    expect(parts[6]).toMatchObject({
      usage: { input_tokens: 9, output_tokens: 4, input_token_details: { cached_tokens: 2 } },
    });
  });

  it('gives the same parts however the bytes are split (a multi-byte character included)', async () => {
    const whole = await read([STREAM]);
    const bytes = encoder.encode(STREAM);
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 1, max: bytes.length - 1 }), { maxLength: 12 }),
        async (cuts) => {
          const points = [...new Set(cuts)].sort((a, b) => a - b);
          const pieces: Uint8Array[] = [];
          let start = 0;
          for (const point of [...points, bytes.length]) {
            pieces.push(bytes.slice(start, point));
            start = point;
          }
          const call = new BackendCall({
            stage: 'chat',
            endpoint: { baseURL: 'http://127.0.0.1:1/v1' },
            fetch: async () => answerOf(pieces),
            timeoutMs: 5000,
            signal: new AbortController().signal,
          });
          const response = await call.send('x', { body: '' });
          const parts: ChatStreamPart[] = [];
          for await (const part of readChatStream(call, response)) parts.push(part);
          expect(parts).toEqual(whole);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('accepts CRLF lines, comments and a close after finish_reason without [DONE]', async () => {
    const parts = await read([
      ': keep-alive\r\n\r\n',
      delta({ content: 'x' }).replaceAll('\n', '\r\n'),
      delta({}, 'stop'),
    ]);
    expect(parts.map((part) => part.type)).toEqual(['text', 'finish']);
  });

  it.each([
    ['a chunk that is not JSON', ['data: {"choices": [\n\n'], 'backend_malformed_response'],
    [
      'an error object in the stream',
      [data({ error: { message: 'secret', code: 'overloaded' } })],
      'backend_http_error',
    ],
    ['a body that ends mid-answer', [delta({ content: 'x' })], 'backend_stream_cut'],
  ])('rejects %s with a typed error that names the stage', async (_name, chunks, code) => {
    const failure = await read(chunks).catch((error: unknown) => error);
    expect(CascadeBackendError.isInstance(failure)).toBe(true);
    expect((failure as CascadeBackendError).code).toBe(code);
    expect((failure as CascadeBackendError).message).toMatch(/^chat backend: .*HTTP 200/);
    expect((failure as Error).message).not.toContain('secret');
  });
});
