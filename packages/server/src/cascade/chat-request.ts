import type { RealtimeConversationItem } from '@rtwire/types';
import { RealtimeModelError, type ResponseRequest } from '../model.ts';
import { type ImageUrlFilter, imageUrlFilter } from './image-urls.ts';

/** A Chat Completions message as the cascade sends it. */
export type ChatMessage =
  | { readonly role: 'system'; readonly content: string }
  | { readonly role: 'user'; readonly content: string | readonly ChatContentPart[] }
  | {
      readonly role: 'assistant';
      readonly content: string | null;
      readonly tool_calls?: readonly ChatToolCall[];
    }
  | { readonly role: 'tool'; readonly tool_call_id: string; readonly content: string };

/** A part of a user message with an image in it. */
export type ChatContentPart =
  | { readonly type: 'text'; readonly text: string }
  | { readonly type: 'image_url'; readonly image_url: { url: string; detail?: string } };

/** A function call an assistant message made. */
export interface ChatToolCall {
  readonly id: string;
  readonly type: 'function';
  readonly function: { readonly name: string; readonly arguments: string };
}

/**
 * What a user audio part said: its transcript, or `undefined` when there is none to be had.
 * Given the item and the part's index, so a cascade can transcribe audio a client put in
 * `conversation.item.create`.
 */
export type HeardText = (
  item: RealtimeConversationItem & { type: 'message' },
  partIndex: number,
) => Promise<string | undefined>;

/**
 * The conversation as Chat Completions messages: the instructions as the system message,
 * user text and what user audio said, assistant text and transcripts, function calls as
 * `tool_calls` on an assistant message and their outputs as `tool` messages. Audio with
 * nothing heard is left out (the caller decides whether that fails the response), as are
 * items a text model cannot read (MCP). An image whose URL `imageAllowed` refuses fails the
 * whole request with a `RealtimeModelError` (`image_url_not_allowed`) that names no URL.
 * The work is linear in the items, however many calls one assistant turn holds.
 *
 * @example
 * ```ts
 * const messages = await chatMessages(request, async (item) => undefined);
 * // [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'hello' }]
 * ```
 */
export async function chatMessages(
  request: Pick<ResponseRequest, 'items' | 'instructions'>,
  heard: HeardText,
  imageAllowed: ImageUrlFilter = imageUrlFilter(),
): Promise<ChatMessage[]> {
  const messages: ChatMessage[] = [];
  /** The `tool_calls` of the last message, while it is an assistant turn calls join. */
  let openCalls: ChatToolCall[] | undefined;
  const push = (message: ChatMessage) => {
    messages.push(message);
    openCalls = undefined;
  };
  if (request.instructions !== undefined && request.instructions !== '') {
    push({ role: 'system', content: request.instructions });
  }
  for (const item of request.items) {
    switch (item.type) {
      case 'message': {
        const message = await messageOf(item, heard, imageAllowed);
        if (message !== undefined) push(message);
        break;
      }
      case 'function_call': {
        const call: ChatToolCall = {
          id: item.call_id ?? item.id ?? '',
          type: 'function',
          function: { name: item.name, arguments: item.arguments },
        };
        // Parallel calls are one assistant turn with several tool_calls, and a call made right
        // after the assistant spoke belongs to that turn. The turn's list grows in place: a
        // copy per call made 20,000 calls a quadratic stall.
        if (openCalls === undefined) {
          const last = messages[messages.length - 1];
          openCalls = [];
          if (last?.role === 'assistant') {
            messages[messages.length - 1] = { ...last, tool_calls: openCalls };
          } else {
            messages.push({ role: 'assistant', content: null, tool_calls: openCalls });
          }
        }
        openCalls.push(call);
        break;
      }
      case 'function_call_output':
        push({ role: 'tool', tool_call_id: item.call_id, content: item.output });
        break;
      default:
        break;
    }
  }
  return messages;
}

async function messageOf(
  item: RealtimeConversationItem & { type: 'message' },
  heard: HeardText,
  imageAllowed: ImageUrlFilter,
): Promise<ChatMessage | undefined> {
  const parts: ChatContentPart[] = [];
  for (const [index, part] of item.content.entries()) {
    const said = await textOf(item, part, index, heard);
    if (said !== undefined && said !== '') parts.push({ type: 'text', text: said });
    else if (part.type === 'input_image' && typeof part.image_url === 'string') {
      if (!imageAllowed(part.image_url)) throw imageRefused();
      const detail = 'detail' in part && typeof part.detail === 'string' ? part.detail : undefined;
      parts.push({
        type: 'image_url',
        image_url: detail === undefined ? { url: part.image_url } : { url: part.image_url, detail },
      });
    }
  }
  if (parts.length === 0) return undefined;
  const text = parts.every((part) => part.type === 'text')
    ? parts.map((part) => part.text).join('\n')
    : undefined;
  switch (item.role) {
    case 'system':
      return text === undefined ? undefined : { role: 'system', content: text };
    case 'assistant':
      return text === undefined ? undefined : { role: 'assistant', content: text };
    case 'user':
      return { role: 'user', content: text ?? parts };
  }
}

/** The URL is the client's: it stays out of the message (it can be long, or a secret). */
function imageRefused(): RealtimeModelError {
  return new RealtimeModelError(
    'input_image: this server does not forward that kind of image_url to its model (data: URLs are forwarded; others only as its imageUrls setting allows)',
    { code: 'image_url_not_allowed', expose: true },
  );
}

async function textOf(
  item: RealtimeConversationItem & { type: 'message' },
  part: (RealtimeConversationItem & { type: 'message' })['content'][number],
  index: number,
  heard: HeardText,
): Promise<string | undefined> {
  switch (part.type) {
    case 'input_text':
    case 'output_text':
      return typeof part.text === 'string' ? part.text : undefined;
    case 'output_audio':
      return typeof part.transcript === 'string' ? part.transcript : undefined;
    case 'input_audio':
      return heard(item, index);
    default:
      return undefined;
  }
}

/** Session tools as Chat Completions `tools`: function tools only (a text model runs no MCP). */
export function chatTools(tools: readonly unknown[]): object[] {
  const chat: object[] = [];
  for (const tool of tools) {
    if (typeof tool !== 'object' || tool === null) continue;
    const { type, name, description, parameters } = tool as Record<string, unknown>;
    if (type !== 'function' || typeof name !== 'string') continue;
    chat.push({
      type: 'function',
      function: {
        name,
        ...(typeof description === 'string' ? { description } : {}),
        parameters:
          typeof parameters === 'object' && parameters !== null
            ? parameters
            : { type: 'object', properties: {} },
      },
    });
  }
  return chat;
}

/** A Realtime `tool_choice` as Chat Completions takes it; `undefined` to leave it out. */
export function chatToolChoice(choice: unknown): unknown {
  if (choice === 'auto' || choice === 'none' || choice === 'required') return choice;
  if (typeof choice === 'object' && choice !== null) {
    const { type, name } = choice as Record<string, unknown>;
    if (type === 'function' && typeof name === 'string') {
      return { type: 'function', function: { name } };
    }
  }
  return undefined;
}
