import {
  OpenAIRealtimeWebSocket,
  RealtimeAgent,
  RealtimeSession,
  tool,
} from '@openai/agents-realtime';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { holdAgentsTurn } from '../../../test-support/agents-conversation.ts';
import { holdToolsConversation } from '../../../test-support/agents-tools-conversation.ts';
import { scenarioPolicy } from '../../../test-support/policy-scenarios.ts';
import { specErrors } from '../../../test-support/spec-validator.ts';
import { startToolServer } from '../../../test-support/tool-server.ts';
import { cascadeEnv, connectClient, fakeBackendPerTest, startRelay } from './helpers.ts';
import { runSdkClient } from './sdk-client.ts';
import { selfSignedCertificate } from './tls-cert.ts';

const TOKEN = 'relay-test-token';
const MODEL_KEY = 'sk-model-server-key';

const backend = fakeBackendPerTest();

/** The relay in cascade mode over the fake model server. */
const cascadeRelayEnv = (): Record<string, string> => ({
  ...cascadeEnv(backend(), MODEL_KEY),
  RELAY_TOKENS: TOKEN,
});

describe('the relay serving an OpenAI-compatible model server (cascade mode)', () => {
  it('a raw client: every event validates, the session names the chat model, the key stays with the relay', async () => {
    const relay = await startRelay(cascadeRelayEnv());
    const client = await connectClient(relay.wsUrl, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    const created = await client.waitFor((event) => event.type === 'session.created');
    expect((created as unknown as { session: { model: string } }).session.model).toBe('llama3.2');
    client.send({
      type: 'session.update',
      session: { type: 'realtime', output_modalities: ['text'] },
    });
    client.send({
      type: 'conversation.item.create',
      item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'hi' }] },
    });
    client.send({ type: 'response.create' });
    await client.waitFor((event) => event.type === 'response.done');
    const text = client.events
      .filter((event) => event.type === 'response.output_text.delta')
      .map((event) => (event as unknown as { delta: string }).delta)
      .join('');
    expect(text).toBe('You said: hi. Anything else?');
    for (const event of client.events) expect(specErrors(event), event.type).toBeUndefined();
    expect(client.raw.join('')).not.toContain(MODEL_KEY);
    expect(backend().requestsTo('chat/completions')[0]?.headers.authorization).toBe(
      `Bearer ${MODEL_KEY}`,
    );
    expect(relay.logs.join('\n')).not.toContain(MODEL_KEY);
  });

  it("openai's OpenAIRealtimeWS holds a text turn, an audio turn and a tool call round trip", async () => {
    const { certPath, keyPath } = selfSignedCertificate();
    const relay = await startRelay({ ...cascadeRelayEnv(), TLS_CERT: certPath, TLS_KEY: keyPath });
    const text = await runSdkClient(`${relay.url}/v1`, certPath, TOKEN);
    expect(text).toMatchObject({ ok: true, text: 'You said: Say hello.. Anything else?' });

    const audio = await runSdkClient(`${relay.url}/v1`, certPath, TOKEN, 'audio');
    expect(audio).toMatchObject({ ok: true, text: 'You said: hello there. Anything else?' });
    // Two sentences spoken, each 20 ms of PCM16 24 kHz per character (the fake's tone).
    expect(audio.audioBytes).toBe(
      ('You said: hello there.'.length + 'Anything else?'.length) * 960,
    );
    expect(audio.types).toContain('conversation.item.input_audio_transcription.completed');

    const tools = await runSdkClient(`${relay.url}/v1`, certPath, TOKEN, 'tools');
    expect(tools).toMatchObject({
      ok: true,
      text: 'The tool returned: Sunny in Oslo',
      toolCalls: [{ name: 'get_weather', arguments: { city: 'what is get_weather in Oslo' } }],
    });
    expect(tools.types).not.toContain('error');
    const [, , toolTurn, afterTool] = backend()
      .requestsTo('chat/completions')
      .map((request) => request.json);
    expect(toolTurn?.tools).toEqual([
      {
        type: 'function',
        function: {
          name: 'get_weather',
          description: 'The weather in a city.',
          parameters: {
            type: 'object',
            properties: { city: { type: 'string' } },
            required: ['city'],
          },
        },
      },
    ]);
    expect(((afterTool?.messages ?? []) as unknown[]).slice(-2)).toEqual([
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          {
            id: expect.stringMatching(/^call_get_weather_/),
            type: 'function',
            function: { name: 'get_weather', arguments: '{"city":"what is get_weather in Oslo"}' },
          },
        ],
      },
      {
        role: 'tool',
        tool_call_id: expect.stringMatching(/^call_get_weather_/),
        content: 'Sunny in Oslo',
      },
    ]);
  });

  it("@openai/agents-realtime holds a turn, and a conversation with the relay's server tool and a zod client tool", async () => {
    const tools = await startToolServer();
    try {
      const relay = await startRelay({
        ...cascadeRelayEnv(),
        RELAY_TOKENS: 'acme:tok_acme',
        RELAY_POLICY: JSON.stringify(scenarioPolicy(tools.url)),
      });
      // The policy allows gpt-realtime: the name the client asks for; CHAT_MODEL answers.
      const transport = new OpenAIRealtimeWebSocket({ url: `${relay.wsUrl}?model=gpt-realtime` });
      const turn = await holdAgentsTurn(transport, 'tok_acme', 'Say hello.');
      expect(turn.text).toBe('You said: Say hello.. Anything else?');
      expect(turn.errors).toEqual([]);

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
    } finally {
      await tools.close();
    }
  });
});
