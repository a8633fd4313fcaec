// Test-only: client events the live API takes that the spec has no example of, and the
// builders the tests of client events write theirs with.

/** A marker no spec value contains: if it shows up in a problem, the client's value was echoed. */
export const SECRET = 'sk-SECRETPAYLOAD';

export type Event = { readonly type: string } & Record<string, unknown>;

export const session = (fields: Record<string, unknown>): Event => ({
  type: 'session.update',
  event_id: 'evt_1',
  session: { type: 'realtime', ...fields },
});
export const itemCreate = (item: Record<string, unknown>): Event => ({
  type: 'conversation.item.create',
  item,
});
export const responseCreate = (response: Record<string, unknown>): Event => ({
  type: 'response.create',
  response,
});
export const userMessage = (fields: Record<string, unknown> = {}) => ({
  type: 'message',
  role: 'user',
  content: [{ type: 'input_text', text: SECRET }],
  ...fields,
});

/** Valid client events beyond the spec's examples: what the official SDKs send, and edge cases. */
export const validClientEvents: readonly { readonly name: string; readonly event: Event }[] = [
  {
    name: 'the session @openai/agents-realtime sends',
    event: session({
      instructions: 'Be brief.',
      model: 'gpt-realtime',
      output_modalities: ['audio'],
      audio: {
        input: {
          format: { type: 'audio/pcm', rate: 24000 },
          noise_reduction: null,
          transcription: { model: 'gpt-4o-mini-transcribe' },
          turn_detection: { type: 'semantic_vad' },
        },
        output: { format: { type: 'audio/pcm', rate: 24000 }, voice: 'marin', speed: 1 },
      },
      tool_choice: 'auto',
      tools: [
        {
          type: 'function',
          name: 'lookup',
          description: 'Looks up an order.',
          parameters: { type: 'object', properties: { id: { type: 'string' } } },
        },
        {
          type: 'mcp',
          server_label: 'docs',
          server_url: 'https://example.com/mcp',
          headers: { Authorization: 'Bearer x' },
          allowed_tools: ['search'],
          require_approval: 'never',
        },
      ],
      tracing: { workflow_name: 'demo', group_id: 'g', metadata: { any: { thing: 1 } } },
    }),
  },
  {
    name: 'a server_vad turn detection with every field',
    event: session({
      audio: {
        input: {
          turn_detection: {
            type: 'server_vad',
            threshold: 0.5,
            prefix_padding_ms: 300,
            silence_duration_ms: 500,
            idle_timeout_ms: 6000,
            create_response: true,
            interrupt_response: false,
          },
        },
      },
    }),
  },
  {
    name: 'a transcription session',
    event: {
      type: 'session.update',
      session: {
        type: 'transcription',
        audio: { input: { format: { type: 'audio/pcmu' }, transcription: { model: 'whisper-1' } } },
        include: ['item.input_audio_transcription.logprobs'],
      },
    },
  },
  {
    name: 'a response with every parameter',
    event: responseCreate({
      conversation: 'none',
      output_modalities: ['text'],
      instructions: 'Say hi.',
      max_output_tokens: 'inf',
      metadata: { topic: 'greeting' },
      tool_choice: { type: 'function', name: 'lookup' },
      tools: [{ type: 'function', name: 'lookup', parameters: {} }],
      audio: { output: { voice: { id: 'voice_1234' }, format: { type: 'audio/pcma' } } },
      input: [
        userMessage(),
        { type: 'function_call', name: 'lookup', arguments: '{}', call_id: 'call_1' },
        { type: 'function_call_output', call_id: 'call_1', output: '{}' },
      ],
      prompt: { id: 'pmpt_1', version: null, variables: { city: 'Paris' } },
      reasoning: { effort: 'low' },
      parallel_tool_calls: true,
    }),
  },
  {
    // Any string names a conversation in the spec (`oneOf: [string, 'auto' | 'none']`).
    name: 'response.create with conversation "other"',
    event: responseCreate({ conversation: 'other' }),
  },
  {
    // The spec's function tool requires nothing, not even `name`.
    name: 'a function tool with only its type',
    event: session({ tools: [{ type: 'function' }] }),
  },
  {
    name: 'a history message as @openai/agents-realtime re-creates it',
    event: {
      type: 'conversation.item.create',
      previous_item_id: 'root',
      item: {
        type: 'message',
        role: 'assistant',
        id: 'item_1',
        status: 'completed',
        content: [
          { type: 'output_text', text: 'Hello' },
          { type: 'output_audio', transcript: 'Hello', audio: null },
        ],
      },
    },
  },
  {
    name: 'a user image and audio',
    event: itemCreate({
      type: 'message',
      role: 'user',
      content: [
        { type: 'input_image', image_url: 'data:image/png;base64,AAAA', detail: 'low' },
        { type: 'input_audio', audio: 'AAAA', transcript: 'hi' },
      ],
    }),
  },
  {
    name: 'a system message',
    event: itemCreate({
      type: 'message',
      role: 'system',
      content: [{ type: 'input_text', text: 'Be brief.' }],
    }),
  },
  {
    // The spec requires `id` (it shares the schema with the server's items); the SDK sends none.
    name: 'an MCP approval response as @openai/agents-realtime sends it',
    event: {
      type: 'conversation.item.create',
      previous_item_id: 'item_1',
      item: { type: 'mcp_approval_response', approval_request_id: 'item_1', approve: false },
    },
  },
  {
    name: 'an MCP approval response with its id and a null reason',
    event: itemCreate({
      type: 'mcp_approval_response',
      id: 'item_2',
      approval_request_id: 'item_1',
      approve: true,
      reason: null,
    }),
  },
  {
    // `null` for an optional field, also where it tells a union's members apart.
    name: 'a format whose optional type is null',
    event: session({ audio: { input: { format: { type: null, rate: 24000 } } } }),
  },
  {
    name: 'an item whose optional object is null',
    event: itemCreate({ ...userMessage(), object: null }),
  },
  {
    // The spec counts characters, as JSON Schema does: 512 of them, 1,024 UTF-16 code units.
    name: 'an event_id of 512 characters outside the Basic Multilingual Plane',
    event: { type: 'input_audio_buffer.commit', event_id: '\u{1F600}'.repeat(512) },
  },
];
