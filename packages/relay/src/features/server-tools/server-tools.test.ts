import { ResponseWriter } from '@rtwire/builders';
import { encodeServerEvent } from '@rtwire/serializer';
import { decodeServerEvent, type RealtimeServerEvent } from '@rtwire/types';
import { describe, expect, it } from 'vitest';
import { scenarioPolicy } from '../../../../../test-support/policy-scenarios.ts';
import { MemorySocket } from '../../../test/memory-socket.ts';
import { tick, until } from '../../../test/wait.ts';
import { parseRelayPolicy, type TenantPolicy } from '../../policy/relay-policy.ts';
import type { ServerToolCall, ServerToolHandler } from '../../policy/server-tools.ts';
import { type RelaySessionLimits, startRelaySession } from '../../relay-session.ts';

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

/** Polls `condition` until it holds; a guard against a hang only, far above the normal time. */
async function eventually(condition: () => boolean, what: string): Promise<void> {
  for (let round = 0; round < 2000; round++) {
    if (condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`never saw ${what}`);
}

/** A completed response in which the model calls `lookup_order` `count` times. */
function manyCalls(responseId: string, count: number, args = '{"order":"1"}') {
  const events: RealtimeServerEvent[] = [];
  const writer = new ResponseWriter({ responseId, emit: (event) => events.push(event) });
  writer.start();
  for (let index = 0; index < count; index++) {
    const call = writer.functionCall({
      itemId: `item_${responseId}_${index}`,
      callId: `call_${responseId}_${index}`,
      name: 'lookup_order',
    });
    call.arguments(args);
    call.done();
  }
  writer.done();
  return events;
}

const outputsSent = (upstream: MemorySocket) =>
  upstream.events().filter((e) => e.type === 'conversation.item.create') as unknown as {
    item: { id: string; call_id: string; output: string };
  }[];

describe('the session only shows the client what it asked for', () => {
  it("withholds the upstream's answer to the relay's own session.update: one session.updated per client update", async () => {
    const { client, play } = await open(tenant(), async () => 'ok');
    const session = { type: 'realtime', object: 'realtime.session', id: 'sess_1' } as never;
    play([{ type: 'session.created', event_id: 'u0', session }]);
    // The answer to the relay's opening update (instructions and server tools).
    play([{ type: 'session.updated', event_id: 'u1', session }]);
    client.deliver(
      JSON.stringify({ type: 'session.update', event_id: 'c1', session: { type: 'realtime' } }),
    );
    await tick();
    play([{ type: 'session.updated', event_id: 'u2', session }]);
    expect(client.events().map((e) => [e.type, e.event_id])).toEqual([
      ['session.created', 'u0'],
      ['session.updated', 'u2'],
    ]);
  });

  it('shows the next session.updated when the upstream refused the opening update', async () => {
    const { client, play } = await open(tenant(), async () => 'ok');
    const session = { type: 'realtime', object: 'realtime.session', id: 'sess_1' } as never;
    play([
      { type: 'session.created', event_id: 'u0', session },
      {
        type: 'error',
        event_id: 'u1',
        error: {
          type: 'invalid_request_error',
          code: 'invalid_value',
          message: 'no',
          param: null,
          event_id: 'event_relay_policy',
        },
      },
      { type: 'session.updated', event_id: 'u2', session },
    ]);
    expect(client.events().map((e) => e.event_id)).toEqual(['u0', 'u2']);
  });
});

describe('hidden server tools stay hidden from conversation.item.retrieve', () => {
  it("answers a client's retrieve, delete or truncate of a hidden item as an unknown item, and sends nothing upstream", async () => {
    const { client, upstream, play } = await open(tenant(), async () => ({ status: 'shipped' }));
    play(callThenMessage('resp_1', 'lookup_order', '{"order":"A-17"}', 'Let me check.'));
    await eventually(() => outputsSent(upstream).length === 1, 'the output');
    const outputId = outputsSent(upstream)[0]?.item.id as string;
    const before = upstream.sent.length;
    const asks = [
      ['r1', 'conversation.item.retrieve', 'item_call_resp_1'],
      ['r2', 'conversation.item.retrieve', outputId],
      ['r3', 'conversation.item.delete', 'item_call_resp_1'],
      ['r4', 'conversation.item.truncate', outputId],
    ] as const;
    for (const [eventId, type, itemId] of asks) {
      client.deliver(
        JSON.stringify({
          type,
          event_id: eventId,
          item_id: itemId,
          content_index: 0,
          audio_end_ms: 0,
        }),
      );
    }
    await tick();
    const errors = client.events().filter((e) => e.type === 'error') as unknown as {
      error: Record<string, unknown>;
    }[];
    expect(errors.map((e) => e.error)).toEqual(
      asks.map(([eventId]) => ({
        type: 'invalid_request_error',
        code: 'item_not_found',
        message: 'No conversation item with this id.',
        param: 'item_id',
        event_id: eventId,
      })),
    );
    expect(upstream.sent.length).toBe(before);
    expect(JSON.stringify(client.events())).not.toContain('shipped');
  });

  it("turns the upstream's conversation.item.retrieved of a hidden item into item_not_found, and withholds its deletion", async () => {
    const { client, upstream, play } = await open(tenant(), async () => ({ status: 'shipped' }));
    play(callThenMessage('resp_1', 'lookup_order', '{"order":"A-17"}'));
    await eventually(() => outputsSent(upstream).length === 1, 'the output');
    const output = outputsSent(upstream)[0]?.item as never;
    const call = {
      id: 'item_call_resp_1',
      type: 'function_call',
      object: 'realtime.item',
      status: 'completed',
      call_id: 'call_resp_1',
      name: 'lookup_order',
      arguments: '{"order":"A-17"}',
    } as never;
    // A call the relay has forgotten is still known by its tool's name.
    const forgotten = { ...(call as object), id: 'item_old', call_id: 'call_old' } as never;
    const shownBefore = client.sent.length;
    play([
      { type: 'conversation.item.retrieved', event_id: 'u1', item: output },
      { type: 'conversation.item.retrieved', event_id: 'u2', item: call },
      { type: 'conversation.item.retrieved', event_id: 'u3', item: forgotten },
      { type: 'conversation.item.deleted', event_id: 'u4', item_id: 'item_call_resp_1' },
    ]);
    const shown = client.events().slice(shownBefore);
    expect(shown.map((e) => [e.type, (e.error as { code?: string } | undefined)?.code])).toEqual([
      ['error', 'item_not_found'],
      ['error', 'item_not_found'],
      ['error', 'item_not_found'],
    ]);
    expect(JSON.stringify(shown)).not.toMatch(/shipped|A-17|lookup_order/);
  });

  it("names the relay's own items unpredictably", async () => {
    const ids: string[] = [];
    for (let round = 0; round < 2; round++) {
      const { upstream, play } = await open(tenant(), async () => 'ok');
      play(manyCalls('resp_1', 2));
      await eventually(() => outputsSent(upstream).length === 2, 'the outputs');
      ids.push(...outputsSent(upstream).map((event) => event.item.id));
    }
    for (const id of ids) expect(id).toMatch(/^item_relay_[0-9a-f]{16}$/);
    expect(new Set(ids).size).toBe(4);
  });
});

describe('what the upstream can make a session run', () => {
  it('2,000 calls in one response: at most 4 handlers at once, 16 queued, the rest answered as refused', async () => {
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.name);
    process.on('warning', onWarning);
    let running = 0;
    let most = 0;
    let ran = 0;
    // A timeout far above the handler's tick: a slow machine must not time a call out (a call
    // timed out frees its slot while its handler still runs, and more would overlap).
    const { upstream, play } = await open(tenant({}, { timeoutMs: 60_000 }), async () => {
      running++;
      ran++;
      most = Math.max(most, running);
      await tick();
      running--;
      return 'ok';
    });
    try {
      play(manyCalls('resp_1', 2000));
      await eventually(() => outputsSent(upstream).length === 2000, 'every output');
      await tick();
    } finally {
      process.off('warning', onWarning);
    }
    expect(most).toBe(4);
    expect(ran).toBe(20);
    const outputs = outputsSent(upstream).map((event) => event.item.output);
    expect(outputs.filter((output) => output === 'ok')).toHaveLength(20);
    expect(outputs.filter((output) => output.includes('too many tool calls at once'))).toHaveLength(
      1980,
    );
    // Every call is answered once, in order, and the model gets its turn back.
    expect(outputsSent(upstream).map((event) => event.item.call_id)).toEqual(
      Array.from({ length: 2000 }, (_, index) => `call_resp_1_${index}`),
    );
    expect(upstream.events().filter((e) => e.type === 'response.create')).toHaveLength(1);
    expect(warnings).not.toContain('MaxListenersExceededWarning');
  });

  it('forgets the calls of an upstream that dropped mid-response: handlers aborted, their bytes released', async () => {
    const upstreams: MemorySocket[] = [];
    const handler = untilAborted();
    const client = new MemorySocket();
    const session = startRelaySession({
      client,
      connectUpstream: async () => {
        const socket = new MemorySocket();
        upstreams.push(socket);
        return socket;
      },
      model: 'gpt-realtime',
      limits: { ...limits, resumeAttempts: 3, resumeWindowMs: 60_000 },
      policy: {
        rules: tenant({}, { timeoutMs: 60_000 }),
        handlers: new Map([['lookup_order', handler.run]]),
      },
    });
    await tick();
    const idle = session.bufferedBytes;
    // The call's item is done, the response is not: the upstream drops before response.done.
    const events: RealtimeServerEvent[] = [];
    const writer = new ResponseWriter({ responseId: 'resp_1', emit: (e) => events.push(e) });
    writer.start();
    const call = writer.functionCall({
      itemId: 'item_call_1',
      callId: 'call_1',
      name: 'lookup_order',
    });
    call.arguments(JSON.stringify({ order: 'x'.repeat(40_000) }));
    call.done();
    for (const event of events) upstreams[0]?.deliver(encodeServerEvent(event));
    await tick();
    expect(session.bufferedBytes - idle).toBeGreaterThanOrEqual(40_000);
    upstreams[0]?.peerClose(1006);
    await eventually(() => upstreams.length === 2, 'a fresh upstream');
    await eventually(() => handler.aborted(), 'the handler aborted');
    // Nothing of the hidden call reached the client on the drop.
    expect(frames(client).join('')).not.toContain('x'.repeat(100));
    // What remains is the conversation kept for the replay (the call's item, once); before, the
    // call's 40 KB of arguments stayed on top of it for the rest of the session.
    expect(session.bufferedBytes - idle).toBeLessThan(60_000);
    session.close(1000, 'done');
  });

  it("counts a running call's arguments in what the session holds, until its output went upstream", async () => {
    let release: () => void = () => {};
    const { session, upstream, play } = await open(
      tenant({}, { timeoutMs: 10_000 }),
      () => new Promise((resolve) => (release = () => resolve('ok'))),
    );
    const args = JSON.stringify({ order: 'x'.repeat(40_000) });
    const idle = session.bufferedBytes;
    play(manyCalls('resp_1', 1, args));
    await tick();
    expect(session.bufferedBytes - idle).toBeGreaterThanOrEqual(40_000);
    release();
    await eventually(() => outputsSent(upstream).length === 1, 'the output');
    expect(session.bufferedBytes).toBe(idle);
  });
});
