import { describe, expect, it } from 'vitest';
import type { ServerToolPolicy } from './relay-policy.ts';
import { createHttpToolHandler, MAX_TOOL_OUTPUT_BYTES, runServerTool } from './server-tools.ts';

const tool: ServerToolPolicy = {
  name: 'lookup_order',
  description: '',
  parameters: { type: 'object', properties: { order: { type: 'string' } }, required: ['order'] },
  url: 'https://tools.example/lookup',
  module: false,
  timeoutMs: 1000,
  secretHeader: { name: 'x-tool-secret', value: 'hunter2' },
  visibility: 'hidden',
};
const call = { name: 'lookup_order', callId: 'call_1', session: 'sess_1', tenant: 'acme' };

/**
 * A minimal `Response` (status, headers, a body stream of one chunk): the runtime's own is
 * exercised against real servers in the apps' tests; the edge matrix's has no Buffer to run on.
 */
function reply(text: string, init: { status?: number; headers?: Record<string, string> } = {}) {
  const status = init.status ?? 200;
  const bytes = new TextEncoder().encode(text);
  let sent = false;
  return {
    ok: status >= 200 && status < 300,
    status,
    headers: new Headers(init.headers ?? {}),
    body: {
      cancel: async () => {},
      getReader: () => ({
        read: async () => {
          if (sent) return { done: true, value: undefined };
          sent = true;
          return { done: false, value: bytes };
        },
        cancel: async () => {},
      }),
    },
  } as unknown as Response;
}

function stub(response: () => Response) {
  const requests: { url: string; init: RequestInit }[] = [];
  const fetchImpl = (async (url: string, init: RequestInit) => {
    requests.push({ url, init });
    return response();
  }) as unknown as typeof fetch;
  return { requests, handler: createHttpToolHandler(tool, fetchImpl) };
}

describe('createHttpToolHandler', () => {
  it('POSTs the call as JSON with the secret header and returns the body', async () => {
    const { requests, handler } = stub(() =>
      reply(JSON.stringify({ status: 'shipped' }), {
        headers: { 'content-type': 'application/json' },
      }),
    );
    const output = await runServerTool(
      tool,
      handler,
      { ...call, argumentsText: '{"order":"A-1"}' },
      new AbortController().signal,
    );
    expect(output).toBe('{"status":"shipped"}');
    expect(requests).toHaveLength(1);
    expect(requests[0]?.url).toBe('https://tools.example/lookup');
    expect(requests[0]?.init.method).toBe('POST');
    expect(new Headers(requests[0]?.init.headers).get('x-tool-secret')).toBe('hunter2');
    expect(JSON.parse(requests[0]?.init.body as string)).toEqual({
      name: 'lookup_order',
      arguments: { order: 'A-1' },
      call_id: 'call_1',
      session: 'sess_1',
      tenant: 'acme',
    });
  });

  it('a status other than 2xx, invalid JSON, or too much output fails the call without internals', async () => {
    const cases: [() => Response, string][] = [
      [
        () => reply('stack trace with secrets', { status: 500 }),
        '{"error":"the tool failed (HTTP 500)"}',
      ],
      [
        () => reply('{not json', { headers: { 'content-type': 'application/json' } }),
        '{"error":"the tool answered with invalid JSON"}',
      ],
      [
        () => reply('x'.repeat(MAX_TOOL_OUTPUT_BYTES + 1)),
        '{"error":"the tool answered with too much output"}',
      ],
    ];
    for (const [response, expected] of cases) {
      const { handler } = stub(response);
      expect(
        await runServerTool(
          tool,
          handler,
          { ...call, argumentsText: '{"order":"1"}' },
          new AbortController().signal,
        ),
      ).toBe(expected);
    }
    const { handler } = stub(() =>
      reply('plain text answer', { headers: { 'content-type': 'text/plain' } }),
    );
    expect(
      await runServerTool(
        tool,
        handler,
        { ...call, argumentsText: '{"order":"1"}' },
        new AbortController().signal,
      ),
    ).toBe('plain text answer');
  });
});

describe('runServerTool', () => {
  it('times out a handler that ignores its signal', async () => {
    const output = await runServerTool(
      { ...tool, timeoutMs: 20 },
      () => new Promise(() => {}),
      { ...call, argumentsText: '{"order":"1"}' },
      new AbortController().signal,
    );
    expect(output).toBe('{"error":"the tool timed out"}');
  });

  it('says cancelled when the caller aborts, and serializes non-string results as JSON', async () => {
    const controller = new AbortController();
    const running = runServerTool(
      tool,
      () => new Promise(() => {}),
      { ...call, argumentsText: '{"order":"1"}' },
      controller.signal,
    );
    controller.abort();
    expect(await running).toBe('{"error":"the call was cancelled"}');
    expect(
      await runServerTool(
        tool,
        async () => [1, 2],
        { ...call, argumentsText: '{"order":"1"}' },
        new AbortController().signal,
      ),
    ).toBe('[1,2]');
    expect(
      await runServerTool(
        tool,
        async () => undefined,
        { ...call, argumentsText: '{"order":"1"}' },
        new AbortController().signal,
      ),
    ).toBe('null');
  });

  it('logs why a handler failed, but the model gets no internals', async () => {
    const logged: Record<string, unknown>[] = [];
    const output = await runServerTool(
      tool,
      async () => {
        throw new Error('connection to db.internal:5432 refused');
      },
      { ...call, argumentsText: '{"order":"1"}' },
      new AbortController().signal,
      (_event, fields) => logged.push(fields),
    );
    expect(output).toBe('{"error":"the tool failed"}');
    expect(logged[0]).toMatchObject({
      tool: 'lookup_order',
      error: 'connection to db.internal:5432 refused',
    });
  });
});
