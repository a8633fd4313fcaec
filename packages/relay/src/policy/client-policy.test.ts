import { describe, expect, it } from 'vitest';
import {
  applyClientPolicy,
  type ClientPolicyState,
  clientViewOfSession,
  initialSessionUpdate,
} from './client-policy.ts';
import { parseRelayPolicy, type TenantPolicy } from './relay-policy.ts';

const SERVER_TOOL = {
  name: 'lookup_order',
  description: 'Look up an order.',
  parameters: { type: 'object', properties: { order: { type: 'string' } } },
  url: 'https://tools.example/lookup',
};

function rules(tenant: Record<string, unknown>): TenantPolicy {
  const result = parseRelayPolicy({ default: tenant });
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.policy.default as TenantPolicy;
}
const fresh = (): ClientPolicyState => ({ clientInstructions: undefined });
const update = (session: Record<string, unknown>) => ({
  type: 'session.update',
  event_id: 'c1',
  session: { type: 'realtime', ...session },
});

const strict = rules({
  instructions: 'Operator text.',
  models: ['gpt-realtime'],
  voices: ['marin', 'cedar'],
  outputModalities: ['audio'],
  maxOutputTokens: 512,
  turnDetection: 'locked',
  toolChoice: ['auto', 'none'],
  clientTools: ['get_weather'],
  serverTools: [SERVER_TOOL],
});
const clamping = rules({ ...strictSource(), onViolation: 'clamp' });
function strictSource() {
  return {
    instructions: 'Operator text.',
    models: ['gpt-realtime'],
    voices: ['marin', 'cedar'],
    outputModalities: ['audio'],
    maxOutputTokens: 512,
    turnDetection: 'locked',
    toolChoice: ['auto', 'none'],
    clientTools: ['get_weather'],
    serverTools: [SERVER_TOOL],
  };
}

describe('applyClientPolicy: reject', () => {
  const refusals: [string, Record<string, unknown>, string][] = [
    ['a voice', { audio: { output: { voice: 'ash' } } }, '/session/audio/output/voice'],
    [
      'a custom voice',
      { audio: { output: { voice: { id: 'voice_1' } } } },
      '/session/audio/output/voice',
    ],
    ['a model', { model: 'gpt-4o-realtime-preview' }, '/session/model'],
    ['a modality', { output_modalities: ['text'] }, '/session/output_modalities'],
    ['more tokens', { max_output_tokens: 4096 }, '/session/max_output_tokens'],
    ['unlimited tokens', { max_output_tokens: 'inf' }, '/session/max_output_tokens'],
    [
      'turn detection',
      { audio: { input: { turn_detection: null } } },
      '/session/audio/input/turn_detection',
    ],
    ['a tool choice', { tool_choice: 'required' }, '/session/tool_choice'],
    [
      'a tool',
      {
        tools: [
          { type: 'function', name: 'get_weather' },
          { type: 'function', name: 'rm_rf' },
        ],
      },
      '/session/tools/1',
    ],
    [
      'the server tool by name',
      { tools: [{ type: 'function', name: 'lookup_order' }] },
      '/session/tools/0',
    ],
    ['an MCP tool', { tools: [{ type: 'mcp', server_label: 'x' }] }, '/session/tools/0'],
    ['a stored prompt', { prompt: { id: 'pmpt_1' } }, '/session/prompt'],
  ];
  for (const [what, session, param] of refusals) {
    it(`refuses ${what} at ${param}`, () => {
      const verdict = applyClientPolicy(strict, update(session), fresh());
      expect(verdict).toEqual({
        action: 'refuse',
        param,
        message: expect.stringMatching(/; event not forwarded$/),
      });
      expect(JSON.stringify(verdict)).not.toContain('rm_rf');
    });
  }

  it('refuses the same fields in response.create', () => {
    const verdict = applyClientPolicy(
      strict,
      { type: 'response.create', response: { max_output_tokens: 600 } },
      fresh(),
    );
    expect(verdict).toMatchObject({ action: 'refuse', param: '/response/max_output_tokens' });
    expect(
      applyClientPolicy(
        strict,
        { type: 'response.create', response: { audio: { output: { voice: 'ash' } } } },
        fresh(),
      ),
    ).toMatchObject({ action: 'refuse', param: '/response/audio/output/voice' });
  });

  it('leaves MCP tools alone when no client tool list is set', () => {
    const open = rules({ serverTools: [SERVER_TOOL] });
    const verdict = applyClientPolicy(
      open,
      update({ tools: [{ type: 'mcp', server_label: 'docs' }] }),
      fresh(),
    );
    expect(verdict).toMatchObject({
      action: 'rewrite',
      event: {
        session: { tools: [{ type: 'mcp', server_label: 'docs' }, { name: 'lookup_order' }] },
      },
    });
  });

  it('forwards what policy allows untouched, and events it does not read', () => {
    expect(
      applyClientPolicy(
        strict,
        update({ audio: { output: { voice: 'cedar' } }, max_output_tokens: 100 }),
        fresh(),
      ),
    ).toEqual({ action: 'forward' });
    expect(
      applyClientPolicy(strict, { type: 'input_audio_buffer.append', audio: 'AAAA' }, fresh()),
    ).toEqual({ action: 'forward' });
    expect(applyClientPolicy(strict, { type: 'response.create' }, fresh())).toEqual({
      action: 'forward',
    });
    expect(
      applyClientPolicy(strict, update({ type: 'transcription', audio: {} }), fresh()),
    ).toEqual({ action: 'forward' });
  });

  it("replaces the client's instructions with the operator's and remembers the client's", () => {
    const state = fresh();
    const verdict = applyClientPolicy(strict, update({ instructions: 'Be a pirate.' }), state);
    expect(verdict).toEqual({
      action: 'rewrite',
      event: update({ instructions: 'Operator text.' }),
    });
    expect(state.clientInstructions).toBe('Be a pirate.');
  });

  it('prefixes when the policy says prefix', () => {
    const prefixed = rules({ instructions: { prefix: 'Never reveal prices.' } });
    expect(applyClientPolicy(prefixed, update({ instructions: 'Be brief.' }), fresh())).toEqual({
      action: 'rewrite',
      event: update({ instructions: 'Never reveal prices.\n\nBe brief.' }),
    });
  });

  it('adds the server tools to a tool list the client sends', () => {
    const verdict = applyClientPolicy(
      strict,
      update({ tools: [{ type: 'function', name: 'get_weather' }] }),
      fresh(),
    );
    expect(verdict).toMatchObject({
      action: 'rewrite',
      event: {
        session: {
          tools: [
            { name: 'get_weather' },
            { type: 'function', name: 'lookup_order', parameters: SERVER_TOOL.parameters },
          ],
        },
      },
    });
  });
});

describe('applyClientPolicy: clamp', () => {
  it('rewrites every forbidden field to what is allowed, in one event', () => {
    const verdict = applyClientPolicy(
      clamping,
      update({
        model: 'other',
        audio: {
          output: { voice: 'ash' },
          input: {
            turn_detection: { type: 'server_vad' },
            format: { type: 'audio/pcm', rate: 24000 },
          },
        },
        output_modalities: ['text', 'audio'],
        max_output_tokens: 'inf',
        tool_choice: 'required',
        tools: [
          { type: 'function', name: 'rm_rf' },
          { type: 'function', name: 'get_weather' },
        ],
      }),
      fresh(),
    );
    expect(verdict).toEqual({
      action: 'rewrite',
      event: update({
        audio: {
          output: { voice: 'marin' },
          input: { format: { type: 'audio/pcm', rate: 24000 } },
        },
        output_modalities: ['audio'],
        max_output_tokens: 512,
        tool_choice: 'auto',
        tools: [
          { type: 'function', name: 'get_weather' },
          {
            type: 'function',
            name: 'lookup_order',
            description: 'Look up an order.',
            parameters: SERVER_TOOL.parameters,
          },
        ],
      }),
    });
  });

  it('never changes the event it was given', () => {
    const event = update({ audio: { output: { voice: 'ash' } } });
    const copy = structuredClone(event);
    applyClientPolicy(clamping, event, fresh());
    expect(event).toEqual(copy);
  });
});

describe('the session the relay sends and shows', () => {
  it('sends the operator instructions and server tools upstream first, or nothing', () => {
    expect(initialSessionUpdate(strict)).toEqual({
      type: 'session.update',
      event_id: 'event_relay_policy',
      session: {
        type: 'realtime',
        instructions: 'Operator text.',
        tools: [
          {
            type: 'function',
            name: 'lookup_order',
            description: 'Look up an order.',
            parameters: SERVER_TOOL.parameters,
          },
        ],
      },
    });
    expect(initialSessionUpdate(rules({ voices: ['marin'] }))).toBeUndefined();
  });

  it('shows the client its own instructions (or none) and no hidden server tool', () => {
    const event = {
      type: 'session.updated',
      event_id: 'e',
      session: {
        type: 'realtime',
        instructions: 'Operator text.',
        tools: [
          { type: 'function', name: 'get_weather' },
          { type: 'function', name: 'lookup_order' },
        ],
      },
    };
    expect(clientViewOfSession(strict, event, fresh())).toEqual({
      ...event,
      session: { type: 'realtime', tools: [{ type: 'function', name: 'get_weather' }] },
    });
    expect(
      clientViewOfSession(strict, event, { clientInstructions: 'Be a pirate.' })?.session,
    ).toMatchObject({ instructions: 'Be a pirate.' });
    expect(clientViewOfSession(rules({ voices: ['marin'] }), event, fresh())).toBeUndefined();
  });
});
