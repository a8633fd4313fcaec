import { ResponseWriter } from '@rtwire/builders';
import { encodeServerEvent } from '@rtwire/serializer';
import { decodeServerEvent, type RealtimeServerEvent } from '@rtwire/types';
import { describe, expect, it } from 'vitest';
import { scenarioPolicy } from '../../../../test-support/policy-scenarios.ts';
import { MemorySocket } from '../../test/memory-socket.ts';
import { tick, until } from '../../test/wait.ts';
import { parseRelayPolicy, type TenantPolicy } from '../policy/relay-policy.ts';
import type { ServerToolCall, ServerToolHandler } from '../policy/server-tools.ts';
import { type RelaySessionLimits, startRelaySession } from './relay-session.ts';

const limits: RelaySessionLimits = {
  maxFrameBytes: 1 << 20,
  rateLimitPerSecond: 0,
  rateLimitBurst: 1,
  highWaterBytes: 1 << 20,
  hardLimitBytes: 1 << 22,
};

const LOOKUP = {
  ...scenarioPolicy('https://internal.example/tools/lookup_order').default.serverTools[0],
  timeoutMs: 200,
};

function tenant(
  extra: Record<string, unknown> = {},
  tool: Record<string, unknown> = {},
): TenantPolicy {
  const result = parseRelayPolicy({
    default: {
      instructions: "You are Acme's support agent.",
      serverTools: [{ ...LOOKUP, ...tool }],
      ...extra,
    },
  });
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.policy.default as TenantPolicy;
}

async function open(rules: TenantPolicy, handler: ServerToolHandler) {
  const client = new MemorySocket();
  const upstream = new MemorySocket();
  const session = startRelaySession({
    client,
    connectUpstream: async () => upstream,
    model: 'gpt-realtime',
    limits,
    policy: { rules, tenant: 'acme', handlers: new Map([['lookup_order', handler]]) },
  });
  await tick();
  /** The upstream sends these events (encoded as the live API would). */
  const play = (events: RealtimeServerEvent[]) => {
    for (const event of events) upstream.deliver(encodeServerEvent(event));
  };
  return { client, upstream, session, play };
}

/** A response in which the model calls `name` (output 0), then says `text` (output 1). */
function callThenMessage(responseId: string, name: string, args: string, text?: string) {
  const events: RealtimeServerEvent[] = [];
  const writer = new ResponseWriter({ responseId, emit: (event) => events.push(event) });
  writer.start();
  const call = writer.functionCall({
    itemId: `item_call_${responseId}`,
    callId: `call_${responseId}`,
    name,
  });
  call.arguments(args.slice(0, 3));
  call.arguments(args.slice(3));
  call.done();
  if (text !== undefined) {
    const message = writer.message({ itemId: `item_msg_${responseId}`, modality: 'text' });
    message.text(text);
    message.done();
  }
  writer.done();
  return events;
}

function answer(responseId: string, text: string) {
  const events: RealtimeServerEvent[] = [];
  const writer = new ResponseWriter({ responseId, emit: (event) => events.push(event) });
  writer.start();
  const message = writer.message({ itemId: `item_${responseId}`, modality: 'text' });
  message.text(text);
  message.done();
  writer.done();
  return events;
}

/** A handler that runs until its signal aborts, and says whether it did. */
function untilAborted() {
  let aborted = false;
  const run: ServerToolHandler = (_call, signal) =>
    new Promise((_, reject) =>
      signal.addEventListener('abort', () => {
        aborted = true;
        reject(new Error('aborted'));
      }),
    );
  return { run, aborted: () => aborted };
}

const frames = (socket: MemorySocket) =>
  socket.sent.map(({ data }) => (typeof data === 'string' ? data : new TextDecoder().decode(data)));

describe('server tools through a session', () => {
  it('runs the handler once with validated arguments, answers upstream, and the client sees no trace of the tool', async () => {
    const calls: ServerToolCall[] = [];
    const { client, upstream, play } = await open(tenant(), async (call) => {
      calls.push(call);
      return { status: 'shipped' };
    });
    // The operator's instructions and the server tool went upstream first.
    expect(upstream.events()[0]).toMatchObject({
      type: 'session.update',
      session: { instructions: "You are Acme's support agent.", tools: [{ name: 'lookup_order' }] },
    });
    play(callThenMessage('resp_1', 'lookup_order', '{"order":"A-17"}', 'Let me check.'));
    await until(() => upstream.events().some((e) => e.type === 'response.create'), 'the follow-up');
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({
      name: 'lookup_order',
      arguments: { order: 'A-17' },
      callId: 'call_resp_1',
      tenant: 'acme',
    });
    const sent = upstream.events().slice(1);
    expect(sent).toEqual([
      {
        type: 'conversation.item.create',
        event_id: expect.stringMatching(/^event_relay_/),
        item: {
          id: expect.stringMatching(/^item_relay_/),
          type: 'function_call_output',
          call_id: 'call_resp_1',
          output: '{"status":"shipped"}',
        },
      },
      { type: 'response.create', event_id: expect.stringMatching(/^event_relay_/) },
    ]);
    // The upstream echoes the output item, then the model's follow-up response.
    const outputItem = sent[0]?.item as never;
    play([
      { type: 'conversation.item.added', event_id: 'e1', previous_item_id: null, item: outputItem },
      { type: 'conversation.item.done', event_id: 'e2', previous_item_id: null, item: outputItem },
      ...answer('resp_2', 'Order A-17 has shipped.'),
    ]);
    const seen = frames(client);
    for (const frame of seen) {
      expect(frame).not.toContain('lookup_order');
      expect(frame, frame).not.toContain('call_resp_1');
      expect(decodeServerEvent(frame)).toMatchObject({ ok: true, known: true });
    }
    const events = client.events();
    // The message that followed the call in resp_1 is output 0 to the client.
    const added = events.filter((e) => e.type === 'response.output_item.added');
    expect(added.map((e) => [e.response_id, e.output_index])).toEqual([
      ['resp_1', 0],
      ['resp_2', 0],
    ]);
    expect(
      events.filter((e) => e.type === 'response.output_text.delta').map((e) => e.output_index),
    ).toEqual([0, 0]);
    const done = events.filter((e) => e.type === 'response.done') as unknown as {
      response: { output: { id: string }[] };
    }[];
    expect(done.map((e) => e.response.output.map((item) => item.id))).toEqual([
      ['item_msg_resp_1'],
      ['item_resp_2'],
    ]);
    expect(
      events.some(
        (e) => e.type === 'response.done' && JSON.stringify(e).includes('Order A-17 has shipped.'),
      ),
    ).toBe(true);
  });

  it('turns a failing, slow, or garbage-answering handler and bad arguments into an error output the model reads', async () => {
    const cases: [string, string, ServerToolHandler, RegExp][] = [
      [
        '500',
        '{"order":"1"}',
        async () => Promise.reject(new Error('db password wrong')),
        /"error":"the tool failed"/,
      ],
      [
        'timeout',
        '{"order":"1"}',
        (_call, signal) =>
          new Promise((_, reject) =>
            signal.addEventListener('abort', () => reject(new Error('x'))),
          ),
        /"error":"the tool timed out"/,
      ],
      [
        'bad arguments',
        '{"order":17}',
        async () => 'never',
        /invalid arguments: \/order: expected a string/,
      ],
      ['not JSON', '{"order":', async () => 'never', /invalid arguments: expected a JSON object/],
    ];
    for (const [name, args, handler, expected] of cases) {
      let ran = 0;
      const { client, upstream, play } = await open(tenant(), async (call, signal) => {
        ran++;
        return handler(call, signal);
      });
      play(callThenMessage('resp_1', 'lookup_order', args));
      await until(
        () => upstream.events().some((e) => e.type === 'response.create'),
        `the follow-up (${name})`,
      );
      const output = upstream
        .events()
        .find((e) => e.type === 'conversation.item.create') as unknown as {
        item: { output: string };
      };
      expect(output.item.output, name).toMatch(expected);
      expect(output.item.output, name).not.toContain('password');
      expect(ran, name).toBe(name.includes('arguments') || name === 'not JSON' ? 0 : 1);
      expect(client.closedWith, name).toBeUndefined();
    }
  });

  it('a client cancel aborts a running handler: the output says so and no response follows', async () => {
    const handler = untilAborted();
    const { client, upstream, play } = await open(tenant({}, { timeoutMs: 10_000 }), handler.run);
    play(callThenMessage('resp_1', 'lookup_order', '{"order":"1"}'));
    await tick();
    client.deliver('{"type":"response.cancel"}');
    await until(
      () => upstream.events().some((e) => e.type === 'conversation.item.create'),
      'the output',
    );
    expect(handler.aborted()).toBe(true);
    const output = upstream
      .events()
      .find((e) => e.type === 'conversation.item.create') as unknown as {
      item: { output: string };
    };
    expect(output.item.output).toBe('{"error":"the call was cancelled"}');
    await tick();
    expect(upstream.events().filter((e) => e.type === 'response.create')).toHaveLength(0);
  });

  it('a response that did not complete gets its outputs but no follow-up response', async () => {
    const { upstream, play } = await open(tenant(), async () => 'ok');
    const events: RealtimeServerEvent[] = [];
    const writer = new ResponseWriter({
      responseId: 'resp_1',
      emit: (event) => events.push(event),
    });
    writer.start();
    const call = writer.functionCall({ itemId: 'item_a', callId: 'call_a', name: 'lookup_order' });
    call.arguments('{"order":"1"}');
    call.done();
    writer.done({
      status: 'incomplete',
      statusDetails: { type: 'incomplete', reason: 'max_output_tokens' },
    });
    play(events);
    await until(
      () => upstream.events().some((e) => e.type === 'conversation.item.create'),
      'the output',
    );
    await tick();
    expect(upstream.events().filter((e) => e.type === 'response.create')).toHaveLength(0);
  });

  it('the client disconnecting aborts the handler and sends nothing more upstream', async () => {
    const handler = untilAborted();
    const { client, upstream, play } = await open(tenant({}, { timeoutMs: 10_000 }), handler.run);
    play(callThenMessage('resp_1', 'lookup_order', '{"order":"1"}'));
    const before = upstream.sent.length;
    client.peerClose(1000);
    await tick();
    await tick();
    expect(handler.aborted()).toBe(true);
    expect(upstream.sent.length).toBe(before);
  });

  it('visibility visible forwards the call as it came, and still runs it', async () => {
    const { client, upstream, play } = await open(
      tenant({}, { visibility: 'visible' }),
      async () => 'ok',
    );
    const events = callThenMessage('resp_1', 'lookup_order', '{"order":"1"}');
    play(events);
    await until(() => upstream.events().some((e) => e.type === 'response.create'), 'the follow-up');
    expect(frames(client).slice(-events.length)).toEqual(
      events.map((event) => encodeServerEvent(event)),
    );
  });

  it('a client tool call in the same response is left to the client: no response.create from the relay', async () => {
    const { client, upstream, play } = await open(tenant(), async () => 'ok');
    const events: RealtimeServerEvent[] = [];
    const writer = new ResponseWriter({
      responseId: 'resp_1',
      emit: (event) => events.push(event),
    });
    writer.start();
    const server = writer.functionCall({
      itemId: 'item_a',
      callId: 'call_a',
      name: 'lookup_order',
    });
    server.arguments('{"order":"1"}');
    server.done();
    const own = writer.functionCall({ itemId: 'item_b', callId: 'call_b', name: 'get_weather' });
    own.arguments('{}');
    own.done();
    writer.done();
    play(events);
    await until(
      () => upstream.events().some((e) => e.type === 'conversation.item.create'),
      'the output',
    );
    await tick();
    expect(upstream.events().filter((e) => e.type === 'response.create')).toHaveLength(0);
    const shown = client.events().filter((e) => e.type === 'response.output_item.added');
    expect(shown).toEqual([
      expect.objectContaining({
        output_index: 0,
        item: expect.objectContaining({ name: 'get_weather' }),
      }),
    ]);
  });
});
