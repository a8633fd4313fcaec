// Test-only and runtime-neutral: what a fake OpenAI-compatible model server answers, shared by
// the Node backend (fake-openai-backend.ts) and the Deno tests, which serve it with Deno.serve.

/** How the chat endpoint answers one request. */
export type ChatReply =
  | {
      readonly kind: 'stream';
      /** `openai` (role chunk, `\n\n`, usage chunk with `choices: []`) or `vllm` (`usage: null` on every chunk, `\r\n` lines, writes split mid-line). */
      readonly style?: 'openai' | 'vllm';
      readonly tokens?: readonly string[];
      readonly toolCalls?: readonly {
        readonly id: string;
        readonly name: string;
        /** The arguments as the pieces they stream in. */
        readonly arguments: readonly string[];
      }[];
      readonly finishReason?: string;
      readonly usage?: { readonly prompt_tokens: number; readonly completion_tokens: number };
      /** Wait between chunks (default 0). */
      readonly delayMs?: number;
      /** Send `data: [DONE]` (default true). */
      readonly done?: boolean;
      /** Destroy the socket after this many chunks (a stream cut mid-way). */
      readonly cutAfter?: number;
      /** Hold the stream open after this many chunks, sending nothing more. */
      readonly stallAfter?: number;
    }
  | {
      readonly kind: 'status';
      readonly status: number;
      readonly body: string;
      readonly headers?: Record<string, string>;
    }
  | { readonly kind: 'raw'; readonly chunks: readonly string[] }
  | { readonly kind: 'hang' };

/** PCM16 24 kHz of a soft tone: 20 ms per character of `text`, at least 100 ms. */
export function toneFor(text: string): Uint8Array {
  const samples = Math.max(2400, text.length * 480);
  const bytes = new Uint8Array(samples * 2);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < samples; i++) view.setInt16(i * 2, Math.round(2000 * Math.sin(i / 10)), true);
  return bytes;
}

/** The echo reply of the default chat script: "You said: <last user text>." in tokens. */
export function echoTokens(body: Record<string, unknown>): string[] {
  const messages = body.messages as { role: string; content: unknown }[];
  const lastUser = [...messages].reverse().find((message) => message.role === 'user');
  const said = typeof lastUser?.content === 'string' ? lastUser.content : '';
  return `You said: ${said}. Anything else?`.split(/(?<= )/);
}

/**
 * A chat script that behaves as the simulator does with tools: a user message naming one of
 * the request's tools calls it (every required string argument set to the message), a tool
 * result is answered with "The tool returned: <output>", anything else is echoed.
 */
export function toolAwareChat(body: Record<string, unknown>): ChatReply {
  const messages = body.messages as { role: string; content: unknown }[];
  const last = messages[messages.length - 1];
  if (last?.role === 'tool') {
    return { kind: 'stream', tokens: `The tool returned: ${String(last.content)}`.split(/(?<= )/) };
  }
  const said = typeof last?.content === 'string' ? last.content : '';
  const tools = (body.tools ?? []) as {
    function: { name: string; parameters?: { required?: string[] } };
  }[];
  const named = tools.find((tool) => said.includes(tool.function.name));
  if (last?.role === 'user' && named !== undefined) {
    const args = Object.fromEntries(
      (named.function.parameters?.required ?? []).map((key) => [key, said]),
    );
    const json = JSON.stringify(args);
    return {
      kind: 'stream',
      toolCalls: [
        {
          id: `call_${named.function.name}_${messages.length}`,
          name: named.function.name,
          arguments: [json.slice(0, 3), json.slice(3)],
        },
      ],
    };
  }
  return { kind: 'stream', tokens: echoTokens(body) };
}

/**
 * The `data:` payloads of a streamed chat answer, in order, as OpenAI or vLLM sends them;
 * `token` marks the ones that carry model output (for first/last token timing).
 */
export function chatEvents(
  reply: ChatReply & { kind: 'stream' },
): { data: string; token?: boolean }[] {
  const style = reply.style ?? 'openai';
  const base = {
    id: 'chatcmpl-1',
    object: 'chat.completion.chunk',
    created: 1_700_000_000,
    model: 'fake',
  };
  const chunk = (delta: Record<string, unknown>, finish: string | null = null) =>
    JSON.stringify({
      ...base,
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
      ...(style === 'vllm' ? { usage: null } : {}),
    });
  const events: { data: string; token?: boolean }[] = [];
  events.push({
    data: chunk(
      style === 'openai'
        ? { role: 'assistant', content: '', refusal: null }
        : { role: 'assistant', content: '' },
    ),
  });
  for (const token of reply.tokens ?? [])
    events.push({ data: chunk({ content: token }), token: true });
  for (const [index, call] of (reply.toolCalls ?? []).entries()) {
    events.push({
      data: chunk({
        ...(style === 'openai' && index === 0 && !reply.tokens?.length
          ? { role: 'assistant', content: null }
          : {}),
        tool_calls: [
          {
            index,
            id: call.id,
            type: 'function',
            function: style === 'openai' ? { name: call.name, arguments: '' } : { name: call.name },
          },
        ],
      }),
      token: true,
    });
    for (const piece of call.arguments) {
      events.push({
        data: chunk({ tool_calls: [{ index, function: { arguments: piece } }] }),
        token: true,
      });
    }
  }
  events.push({
    data: chunk({}, reply.finishReason ?? (reply.toolCalls?.length ? 'tool_calls' : 'stop')),
  });
  const usage = reply.usage ?? {
    prompt_tokens: 21,
    completion_tokens: (reply.tokens ?? []).length,
  };
  events.push({
    data: JSON.stringify({
      ...base,
      choices: [],
      usage: {
        ...usage,
        total_tokens: usage.prompt_tokens + usage.completion_tokens,
        prompt_tokens_details: { cached_tokens: 0 },
      },
    }),
  });
  if (reply.done !== false) events.push({ data: '[DONE]' });
  return events;
}
