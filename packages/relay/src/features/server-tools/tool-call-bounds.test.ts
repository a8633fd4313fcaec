import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ServerToolPolicy } from '../../policy/relay-policy.ts';
import {
  createHttpToolHandler,
  MAX_TOOL_ARGUMENT_BYTES,
  MAX_TOOL_OUTPUT_BYTES,
  runServerTool,
  utf8LengthOver,
} from '../../policy/server-tools.ts';
import { createToolCallQueue } from './tool-call-queue.ts';

const tool: ServerToolPolicy = {
  name: 'lookup_order',
  description: '',
  parameters: { type: 'object' },
  url: 'https://tools.example/lookup',
  module: false,
  timeoutMs: 1000,
  secretHeader: undefined,
  visibility: 'hidden',
};
const call = { name: 'lookup_order', callId: 'call_1', session: 'sess_1', tenant: 'acme' };
const live = () => new AbortController().signal;

describe('what one server tool call may make the relay send or hold', () => {
  it('arguments over the limit are answered with an error output and never POSTed', async () => {
    let posted = 0;
    const handler = createHttpToolHandler(tool, (async () => {
      posted++;
      // What the handler reads of a Response, built from web streams: edge-runtime's Response
      // polyfill needs the Buffer global its test environment takes away.
      return {
        ok: true,
        status: 200,
        headers: new Headers({ 'content-type': 'application/json' }),
        body: new ReadableStream<Uint8Array>({
          start(controller) {
            controller.enqueue(new TextEncoder().encode('{}'));
            controller.close();
          },
        }),
      };
    }) as unknown as typeof fetch);
    const big = JSON.stringify({ order: 'x'.repeat(MAX_TOOL_ARGUMENT_BYTES) });
    expect(await runServerTool(tool, handler, { ...call, argumentsText: big }, live())).toBe(
      `{"error":"invalid arguments: more than ${MAX_TOOL_ARGUMENT_BYTES} bytes"}`,
    );
    // Counted in UTF-8: fewer characters than the limit, more bytes.
    const wide = JSON.stringify({ order: 'é'.repeat(MAX_TOOL_ARGUMENT_BYTES / 2) });
    expect(await runServerTool(tool, handler, { ...call, argumentsText: wide }, live())).toMatch(
      /more than/,
    );
    expect(posted).toBe(0);
    expect(await runServerTool(tool, handler, { ...call, argumentsText: '{"a":1}' }, live())).toBe(
      '{}',
    );
    expect(posted).toBe(1);
  });

  it('arguments nested past the limit are refused before any handler sees them', async () => {
    let ran = 0;
    const deep = `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`;
    const output = await runServerTool(
      tool,
      async () => {
        ran++;
        return 'ok';
      },
      { ...call, argumentsText: deep },
      live(),
    );
    expect(output).toMatch(/^\{"error":"invalid arguments: \/a\/a.*levels of nesting"\}$/);
    expect(ran).toBe(0);
  });

  it("an in-process handler's output is bounded as an HTTP one's", async () => {
    const output = await runServerTool(
      tool,
      async () => ({ text: 'x'.repeat(MAX_TOOL_OUTPUT_BYTES) }),
      { ...call, argumentsText: '{}' },
      live(),
    );
    expect(output).toBe('{"error":"the tool answered with too much output"}');
  });

  it('a call aborted before its turn never runs its handler', async () => {
    const abort = new AbortController();
    abort.abort();
    let ran = 0;
    const output = await runServerTool(
      tool,
      async () => {
        ran++;
        return 'ok';
      },
      { ...call, argumentsText: '{}' },
      abort.signal,
    );
    expect(output).toBe('{"error":"the call was cancelled"}');
    expect(ran).toBe(0);
  });

  it('utf8LengthOver agrees with TextEncoder', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', maxLength: 40 }),
        fc.nat({ max: 200 }),
        (text, limit) => {
          expect(utf8LengthOver(text, limit)).toBe(new TextEncoder().encode(text).length > limit);
        },
      ),
    );
  });
});

describe('createToolCallQueue', () => {
  it('runs at most `concurrent` at once, queues `queued` more, and refuses the rest', async () => {
    const queue = createToolCallQueue({ concurrent: 2, queued: 3 });
    let running = 0;
    let most = 0;
    const releases: (() => void)[] = [];
    const task = () =>
      new Promise<string>((resolve) => {
        running++;
        most = Math.max(most, running);
        releases.push(() => {
          running--;
          resolve('done');
        });
      });
    const scheduled = Array.from({ length: 2000 }, () => queue.schedule(task));
    expect(scheduled.filter((output) => output !== undefined)).toHaveLength(5);
    expect([queue.running, queue.waiting]).toEqual([2, 3]);
    // Each release lets the next waiting call start, never more than two at once.
    for (let round = 0; round < 5; round++) {
      await Promise.resolve();
      releases.shift()?.();
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
    expect(await Promise.all(scheduled.filter((output) => output !== undefined))).toEqual(
      Array(5).fill('done'),
    );
    expect(most).toBe(2);
    expect([queue.running, queue.waiting]).toEqual([0, 0]);
  });

  it('frees the slot of a task that throws or rejects', async () => {
    const queue = createToolCallQueue({ concurrent: 1, queued: 1 });
    const thrown = queue.schedule(() => {
      throw new Error('sync');
    });
    const queued = queue.schedule(() => Promise.reject(new Error('async')));
    await expect(thrown).rejects.toThrow('sync');
    await expect(queued).rejects.toThrow('async');
    expect(await queue.schedule(async () => 'next')).toBe('next');
  });
});
