import { RealtimeAgent, RealtimeSession, tool } from '@openai/agents-realtime';
import type { UpstreamConnector } from '@rtwire/relay';
import { createSimulatorConnector } from '@rtwire/relay/engine';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { holdToolsConversation } from '../../../test-support/agents-tools-conversation.ts';
import {
  OPERATOR_INSTRUCTIONS,
  scenarioPolicy,
  serverToolTurn,
  TOOL_SECRET,
  tracesOfServerTools,
} from '../../../test-support/policy-scenarios.ts';
import { specErrors } from '../../../test-support/spec-validator.ts';
import { startToolServer } from '../../../test-support/tool-server.ts';
import {
  connectClient,
  eventually,
  startFakeUpstream,
  startRelay,
  stopAll,
  upgradeStatus,
} from './helpers.ts';
import { relayWithPolicy, scenarioClient } from './policy-relay.ts';

afterEach(stopAll);

describe('policy against an upstream that records what it receives', () => {
  it('locked instructions reach the upstream and never the client', async () => {
    const upstream = await startFakeUpstream((socket) => {
      socket.on('message', (data) => {
        const event = JSON.parse(data.toString());
        if (event.type === 'session.update') {
          socket.send(
            JSON.stringify({
              type: 'session.updated',
              event_id: 'up_u',
              session: { type: 'realtime', ...event.session },
            }),
          );
        }
      });
    });
    const { relay, tools } = await relayWithPolicy({ UPSTREAM_URL: upstream.url });
    const client = await connectClient(`${relay.wsUrl}?model=gpt-realtime`, {
      headers: { authorization: 'Bearer tok_acme' },
    });
    await client.waitFor((event) => event.type === 'session.created');
    client.send({
      type: 'session.update',
      event_id: 'c1',
      session: { type: 'realtime', instructions: 'Talk like a pirate.' },
    });
    // One session.updated, for the client's one update: the relay's own is not shown.
    await eventually(
      () => client.events.filter((event) => event.type === 'session.updated').length === 1,
    );
    const received = (upstream.received[0] ?? []).map((text) => JSON.parse(text));
    expect(received.map((event) => event.session?.instructions)).toEqual([
      OPERATOR_INSTRUCTIONS,
      OPERATOR_INSTRUCTIONS,
    ]);
    const updated = client.events.filter(
      (event) => event.type === 'session.updated',
    ) as unknown as {
      session: Record<string, unknown>;
    }[];
    // Each session.updated shows the client what it set itself, never the operator's text.
    expect(updated.at(-1)?.session.instructions).toBe('Talk like a pirate.');
    expect(client.raw.some((frame) => frame.includes('OP-7731'))).toBe(false);
    expect(tracesOfServerTools(scenarioClient(client))).toEqual([]);
    await tools.close();
  });

  it('refuses a forbidden voice, model or tool with policy_violation and forwards nothing; the default tenant clamps max_output_tokens', async () => {
    const upstream = await startFakeUpstream();
    const { relay, tools } = await relayWithPolicy({ UPSTREAM_URL: upstream.url });
    const acme = await connectClient(relay.wsUrl, {
      headers: { authorization: 'Bearer tok_acme' },
    });
    await acme.waitFor((event) => event.type === 'session.created');
    const forbidden = [
      ['v', { audio: { output: { voice: 'ash' } } }, 'session.audio.output.voice'],
      ['m', { model: 'gpt-4o-realtime-preview' }, 'session.model'],
      [
        't',
        { tools: [{ type: 'function', name: 'delete_account', parameters: { type: 'object' } }] },
        'session.tools[0]',
      ],
    ] as const;
    for (const [id, session] of forbidden) {
      acme.send({
        type: 'session.update',
        event_id: id,
        session: { type: 'realtime', ...session },
      });
    }
    await eventually(() => acme.events.filter((event) => event.type === 'error').length === 3);
    const errors = acme.events.filter((event) => event.type === 'error') as unknown as {
      error: Record<string, unknown>;
    }[];
    expect(
      errors.map((event) => [event.error.code, event.error.param, event.error.event_id]),
    ).toEqual(forbidden.map(([id, , param]) => ['policy_violation', param, id]));
    expect(errors.every((event) => event.error.type === 'invalid_request_error')).toBe(true);

    const plain = await connectClient(relay.wsUrl, {
      headers: { authorization: 'Bearer tok_plain' },
    });
    await plain.waitFor((event) => event.type === 'session.created');
    plain.send({ type: 'response.create', event_id: 'r1', response: { max_output_tokens: 4096 } });
    await eventually(() => (upstream.received[1] ?? []).some((text) => text.includes('"r1"')));
    const acmeReceived = (upstream.received[0] ?? []).map((text) => JSON.parse(text));
    expect(acmeReceived.map((event) => event.type)).toEqual(['session.update']);
    const clamped = (upstream.received[1] ?? [])
      .map((text) => JSON.parse(text))
      .find((event) => event.event_id === 'r1');
    expect(clamped).toEqual({
      type: 'response.create',
      event_id: 'r1',
      response: { max_output_tokens: 512 },
    });
    await tools.close();
  });

  it('refuses a model the tenant may not use at the handshake (403)', async () => {
    const { relay, tools } = await relayWithPolicy();
    expect(
      (
        await upgradeStatus(`${relay.wsUrl}?model=gpt-4o-realtime-preview`, {
          headers: { authorization: 'Bearer tok_acme' },
        })
      ).status,
    ).toBe(403);
    const client = await connectClient(`${relay.wsUrl}?model=gpt-realtime`, {
      headers: { authorization: 'Bearer tok_acme' },
    });
    await client.waitFor((event) => event.type === 'session.created');
    await tools.close();
  });

  it('ends the session at maxSessionSeconds with an error event and a 1000 close', async () => {
    const { relay, tools } = await relayWithPolicy({}, { maxSessionSeconds: 1 });
    const client = await connectClient(relay.wsUrl, {
      headers: { authorization: 'Bearer tok_acme' },
    });
    const closed = await client.closed;
    expect(closed.code).toBe(1000);
    expect(client.events.find((event) => event.type === 'error')).toMatchObject({
      error: { code: 'session_time_limit' },
    });
    await tools.close();
  });
});

describe('policy against the simulator', () => {
  it('locked instructions reach the engine and never the client; a forbidden voice is refused; a clamp is rewritten', async () => {
    // The embedded simulator, with what the relay sends it recorded on the way in.
    const received: string[] = [];
    const simulator = createSimulatorConnector({ pace: 'fast', frames: 'bytes' });
    const recording: UpstreamConnector = async (request) => {
      const socket = await simulator(request);
      return {
        ...socket,
        get bufferedAmount() {
          return socket.bufferedAmount;
        },
        send(data, binary) {
          received.push(typeof data === 'string' ? data : new TextDecoder().decode(data));
          socket.send(data, binary);
        },
        listen: (handlers) => socket.listen(handlers),
        close: (code, reason) => socket.close(code, reason),
      };
    };
    const tools = await startToolServer();
    const relay = await startRelay(
      {
        RELAY_TOKENS: 'acme:tok_acme,tok_plain',
        RELAY_POLICY: JSON.stringify(scenarioPolicy(tools.url)),
      },
      recording,
    );
    const acme = await connectClient(relay.wsUrl, {
      headers: { authorization: 'Bearer tok_acme' },
    });
    await acme.waitFor((event) => event.type === 'session.created');
    acme.send({
      type: 'session.update',
      event_id: 'i1',
      session: { type: 'realtime', instructions: 'Talk like a pirate.' },
    });
    acme.send({
      type: 'session.update',
      event_id: 'v1',
      session: { type: 'realtime', audio: { output: { voice: 'ash' } } },
    });
    await acme.waitFor((event) => event.type === 'error');
    await eventually(
      () => acme.events.filter((event) => event.type === 'session.updated').length === 1,
    );
    const sent = received.map((text) => JSON.parse(text));
    expect(sent.map((event) => [event.type, event.session?.instructions])).toEqual([
      ['session.update', OPERATOR_INSTRUCTIONS],
      ['session.update', OPERATOR_INSTRUCTIONS],
    ]);
    expect(acme.events.find((event) => event.type === 'error')).toMatchObject({
      error: { code: 'policy_violation', param: 'session.audio.output.voice', event_id: 'v1' },
    });
    expect(acme.raw.some((frame) => frame.includes('OP-7731'))).toBe(false);

    const plain = await connectClient(relay.wsUrl, {
      headers: { authorization: 'Bearer tok_plain' },
    });
    await plain.waitFor((event) => event.type === 'session.created');
    plain.send({
      type: 'session.update',
      event_id: 'c1',
      session: { type: 'realtime', max_output_tokens: 'inf', audio: { output: { voice: 'ash' } } },
    });
    await eventually(() => plain.events.filter((e) => e.type === 'session.updated').length === 1);
    const updated = plain.events.filter((e) => e.type === 'session.updated').at(-1);
    expect(updated).toMatchObject({
      session: { max_output_tokens: 512, audio: { output: { voice: 'marin' } } },
    });
    await tools.close();
  });
});

describe('server tools on the simulator', () => {
  it('a round trip runs the handler once with validated arguments; the client stream validates and shows no trace of the tool', async () => {
    const { relay, tools } = await relayWithPolicy();
    const client = await connectClient(`${relay.wsUrl}?model=gpt-realtime`, {
      headers: { authorization: 'Bearer tok_acme' },
    });
    await client.waitFor((event) => event.type === 'session.created');
    const text = await serverToolTurn(scenarioClient(client), 'A-17');
    expect(text).toBe('The tool returned: {"status":"shipped"}');
    expect(tools.requests).toHaveLength(1);
    expect(tools.requests[0]?.headers['x-tool-secret']).toBe(TOOL_SECRET);
    expect(tools.requests[0]?.body).toMatchObject({
      name: 'lookup_order',
      arguments: { order: 'please lookup_order A-17' },
      call_id: expect.any(String),
      session: expect.any(String),
      tenant: 'acme',
    });
    expect(client.events.map((event) => specErrors(event)).filter(Boolean)).toEqual([]);
    expect(tracesOfServerTools(scenarioClient(client))).toEqual([]);
    expect(client.events.map((event) => event.type)).not.toContain('error');
  });

  it('a timeout, a 500 and an invalid JSON reply each end as an output the model reads, and the session goes on', async () => {
    const { relay, tools } = await relayWithPolicy();
    const client = await connectClient(relay.wsUrl, {
      headers: { authorization: 'Bearer tok_acme' },
    });
    await client.waitFor((event) => event.type === 'session.created');
    const scenario = scenarioClient(client);
    expect(await serverToolTurn(scenario, 'SLOW')).toBe(
      'The tool returned: {"error":"the tool timed out"}',
    );
    expect(await serverToolTurn(scenario, 'FAIL')).toBe(
      'The tool returned: {"error":"the tool failed (HTTP 500)"}',
    );
    expect(await serverToolTurn(scenario, 'GARBAGE')).toBe(
      'The tool returned: {"error":"the tool answered with invalid JSON"}',
    );
    expect(await serverToolTurn(scenario, 'A-18')).toBe('The tool returned: {"status":"shipped"}');
    expect(tools.requests).toHaveLength(4);
    expect(tracesOfServerTools(scenario)).toEqual([]);
    expect(client.events.map((event) => specErrors(event)).filter(Boolean)).toEqual([]);
  });

  it('invalid arguments from the model are reported to it and no handler runs', async () => {
    // The upstream calls the tool with a number for `order`, then reads what it got back.
    const upstream = await startFakeUpstream((socket) => {
      socket.on('message', (data) => {
        const event = JSON.parse(data.toString());
        if (event.type === 'response.create' && event.event_id === 'go') {
          const item = {
            id: 'item_c',
            type: 'function_call',
            object: 'realtime.item',
            status: 'completed',
            call_id: 'call_c',
            name: 'lookup_order',
            arguments: '{"order":17}',
          };
          for (const frame of [
            {
              type: 'response.created',
              event_id: 'u1',
              response: {
                id: 'resp_c',
                object: 'realtime.response',
                status: 'in_progress',
                output: [],
              },
            },
            {
              type: 'response.output_item.added',
              event_id: 'u2',
              response_id: 'resp_c',
              output_index: 0,
              item: { ...item, status: 'in_progress', arguments: '' },
            },
            {
              type: 'response.function_call_arguments.done',
              event_id: 'u3',
              response_id: 'resp_c',
              item_id: 'item_c',
              output_index: 0,
              call_id: 'call_c',
              name: 'lookup_order',
              arguments: '{"order":17}',
            },
            {
              type: 'response.output_item.done',
              event_id: 'u4',
              response_id: 'resp_c',
              output_index: 0,
              item,
            },
            {
              type: 'response.done',
              event_id: 'u5',
              response: {
                id: 'resp_c',
                object: 'realtime.response',
                status: 'completed',
                output: [item],
              },
            },
          ]) {
            socket.send(JSON.stringify(frame));
          }
        }
      });
    });
    const { relay, tools } = await relayWithPolicy({ UPSTREAM_URL: upstream.url });
    const client = await connectClient(relay.wsUrl, {
      headers: { authorization: 'Bearer tok_acme' },
    });
    await client.waitFor((event) => event.type === 'session.created');
    client.send({ type: 'response.create', event_id: 'go' });
    await eventually(() =>
      (upstream.received[0] ?? []).some((text) => text.includes('function_call_output')),
    );
    const output = (upstream.received[0] ?? [])
      .map((text) => JSON.parse(text))
      .find((event) => event.type === 'conversation.item.create');
    expect(JSON.parse(output.item.output)).toEqual({
      error: 'invalid arguments: /order: expected a string',
    });
    expect(tools.requests).toHaveLength(0);
    await client.waitFor((event) => event.type === 'response.done');
    expect(client.events.map((event) => event.type)).toEqual([
      'session.created',
      'response.created',
      'response.done',
    ]);
    expect(tracesOfServerTools(scenarioClient(client))).toEqual([]);
  });

  it('@openai/agents-realtime holds a conversation in which a server tool answers and its zod client tool runs client-side', async () => {
    const { relay, tools } = await relayWithPolicy();
    const conversation = await holdToolsConversation(
      { RealtimeAgent, RealtimeSession, tool, z },
      `${relay.wsUrl}?model=gpt-realtime`,
      'tok_acme',
    );
    expect(conversation.answers).toEqual([
      'The tool returned: {"status":"shipped"}',
      'The tool returned: Sunny in what is get_weather in Oslo',
    ]);
    expect(tools.requests).toHaveLength(1);
    expect(conversation.clientToolCalls).toEqual([{ city: 'what is get_weather in Oslo' }]);
    expect(conversation.errors).toEqual([]);
    expect(
      conversation.transportEvents.filter(
        (event) => event.includes(TOOL_SECRET) || event.includes('OP-7731'),
      ),
    ).toEqual([]);
  });
});
