import { createParser, type EventSourceMessage } from 'eventsource-parser';
import type { ModelUsage } from '../model.ts';
import type { BackendCall } from './backend-call.ts';
import { backendCodeOf } from './backend-error.ts';

/** One piece of a streamed Chat Completions answer, in the order it came. */
export type ChatStreamPart =
  | { readonly type: 'text'; readonly delta: string }
  | {
      readonly type: 'tool-call';
      /** The call's position in `tool_calls`: what later pieces of the same call name. */
      readonly index: number;
      readonly id: string | undefined;
      readonly name: string | undefined;
      readonly arguments: string;
    }
  | { readonly type: 'usage'; readonly usage: ModelUsage }
  | { readonly type: 'finish'; readonly reason: string };

/**
 * The largest single SSE event accepted by default, in characters (a whole tool call's
 * arguments can come in one); the cascade passes one sized to its output bounds.
 */
const MAX_EVENT_CHARS = 4 * 1024 * 1024;

/**
 * Reads a `stream: true` Chat Completions body (`data:` lines of `chat.completion.chunk`
 * JSON, then `data: [DONE]`) into {@link ChatStreamPart}s. The SSE framing is parsed by
 * `eventsource-parser`; a chunk that is not JSON, an `error` object in the stream, or a body
 * that ends before `[DONE]` or a `finish_reason` rejects with a `CascadeBackendError`, as does
 * an event longer than `maxEventChars` (what the parser holds of one event is bounded by it).
 */
export async function* readChatStream(
  call: BackendCall,
  response: Response,
  maxEventChars: number = MAX_EVENT_CHARS,
): AsyncGenerator<ChatStreamPart> {
  const decoder = new TextDecoder();
  let parts: ChatStreamPart[] = [];
  let done = false;
  let finished = false;
  let problem: Error | undefined;
  const parser = createParser({
    maxBufferSize: maxEventChars,
    onEvent: (message: EventSourceMessage) => {
      if (done || problem !== undefined) return;
      if (message.data === '[DONE]') {
        done = true;
        return;
      }
      let chunk: unknown;
      try {
        chunk = JSON.parse(message.data);
      } catch {
        problem = call.error({ failure: 'malformed' });
        return;
      }
      const error = (chunk as { error?: unknown } | null)?.error;
      if (typeof error === 'object' && error !== null) {
        problem = call.error({ failure: 'http_error', backendCode: backendCodeOf(error) });
        return;
      }
      for (const part of partsOf(chunk)) {
        if (part.type === 'finish') finished = true;
        parts.push(part);
      }
    },
    onError: () => {
      problem ??= call.error({ failure: 'malformed' });
    },
  });
  for await (const bytes of call.chunks(response)) {
    parser.feed(decoder.decode(bytes, { stream: true }));
    if (parts.length > 0) {
      const ready = parts;
      parts = [];
      yield* ready;
    }
    if (problem !== undefined) throw problem;
    if (done) {
      call.release();
      return;
    }
  }
  parser.feed(decoder.decode());
  parser.reset({ consume: true });
  yield* parts;
  if (problem !== undefined) throw problem;
  // Some servers close after the last `finish_reason` without `[DONE]`; that is an answer.
  if (!done && !finished) throw call.error({ failure: 'stream_cut' });
}

/** The parts in one `chat.completion.chunk`; what it does not carry is skipped. */
export function partsOf(chunk: unknown): ChatStreamPart[] {
  if (typeof chunk !== 'object' || chunk === null) return [];
  const { choices, usage } = chunk as { choices?: unknown; usage?: unknown };
  const parts: ChatStreamPart[] = [];
  const choice = Array.isArray(choices) ? (choices[0] as Record<string, unknown>) : undefined;
  const delta = choice?.delta as Record<string, unknown> | undefined;
  if (typeof delta?.content === 'string' && delta.content !== '') {
    parts.push({ type: 'text', delta: delta.content });
  }
  if (Array.isArray(delta?.tool_calls)) {
    for (const [position, raw] of (delta.tool_calls as unknown[]).entries()) {
      if (typeof raw !== 'object' || raw === null) continue;
      const call = raw as { index?: unknown; id?: unknown; function?: unknown };
      const fn = (call.function ?? {}) as { name?: unknown; arguments?: unknown };
      parts.push({
        type: 'tool-call',
        index: typeof call.index === 'number' ? call.index : position,
        id: typeof call.id === 'string' && call.id !== '' ? call.id : undefined,
        name: typeof fn.name === 'string' && fn.name !== '' ? fn.name : undefined,
        arguments: typeof fn.arguments === 'string' ? fn.arguments : '',
      });
    }
  }
  const usageParts = usageOf(usage);
  if (usageParts !== undefined) parts.push({ type: 'usage', usage: usageParts });
  if (typeof choice?.finish_reason === 'string') {
    parts.push({ type: 'finish', reason: choice.finish_reason });
  }
  return parts;
}

/** Chat Completions `usage` as the Realtime response reports it. */
function usageOf(usage: unknown): ModelUsage | undefined {
  if (typeof usage !== 'object' || usage === null) return undefined;
  const { prompt_tokens, completion_tokens, prompt_tokens_details } = usage as Record<
    string,
    unknown
  >;
  const input = count(prompt_tokens);
  const output = count(completion_tokens);
  if (input === undefined && output === undefined) return undefined;
  const cached = count((prompt_tokens_details as { cached_tokens?: unknown })?.cached_tokens) ?? 0;
  return {
    input_tokens: input ?? 0,
    output_tokens: output ?? 0,
    input_token_details: {
      text_tokens: input ?? 0,
      audio_tokens: 0,
      image_tokens: 0,
      cached_tokens: cached,
      cached_tokens_details: { text_tokens: cached, audio_tokens: 0, image_tokens: 0 },
    },
    output_token_details: { text_tokens: output ?? 0, audio_tokens: 0 },
  };
}

function count(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : undefined;
}
