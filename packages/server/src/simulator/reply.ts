import type { RealtimeConversationItem } from '@rtwire/types';
import { argumentsFromSchema } from './arguments-from-schema.ts';

/** What the simulated model answers: words, or a call of one of the session's tools. */
export type SimulatedReply =
  | { readonly kind: 'message'; readonly text: string }
  | { readonly kind: 'function_call'; readonly name: string; readonly arguments: string };

interface Tool {
  readonly type?: string;
  readonly name?: string;
  readonly parameters?: unknown;
}

const MAX_ECHO = 200;

/** The question that makes the simulator recall the user's earlier words. */
const RECALL = /^what did i say before\??$/i;

/**
 * The deterministic reply to a conversation: the simulator echoes the last user input (text,
 * or the length of the audio), reports a tool's output, calls a function tool when the user's
 * text names it, with arguments its `parameters` schema accepts, and, asked "what did I say
 * before?", repeats the user's text before that and counts the conversation's items (so a
 * test can tell the whole history is there). Same conversation, same reply: tests can assert
 * on it.
 *
 * @example
 * ```ts
 * deriveReply([userMessage('hello')], [], () => 0); // { kind: 'message', text: 'You said: hello' }
 * ```
 */
export function deriveReply(
  items: readonly RealtimeConversationItem[],
  tools: readonly unknown[],
  audioMsOf: (itemId: string) => number,
): SimulatedReply {
  const last = [...items].reverse().find((item) => {
    if (item.type === 'function_call_output') return true;
    return item.type === 'message' && item.role === 'user';
  });
  if (last === undefined) return { kind: 'message', text: 'Hello! This is the rtwire simulator.' };
  if (last.type === 'function_call_output') {
    return { kind: 'message', text: `The tool returned: ${clip(last.output)}` };
  }
  if (last.type !== 'message' || last.role !== 'user') {
    return { kind: 'message', text: 'Hello! This is the rtwire simulator.' };
  }
  const text = textOf(last);
  if (RECALL.test(text)) {
    const earlier = [...items]
      .reverse()
      .filter((item) => item.type === 'message' && item.role === 'user' && item !== last)
      .map((item) =>
        textOf(item as Extract<RealtimeConversationItem, { type: 'message'; role: 'user' }>),
      )
      .find((words) => words.length > 0);
    return {
      kind: 'message',
      text:
        earlier === undefined
          ? `You said nothing before; the conversation has ${items.length} items.`
          : `Before, you said: ${clip(earlier)} (the conversation has ${items.length} items).`,
    };
  }
  if (text.length > 0) {
    const tool = (tools as readonly Tool[]).find(
      (candidate) =>
        candidate.type === 'function' &&
        typeof candidate.name === 'string' &&
        candidate.name.length > 0 &&
        text.includes(candidate.name),
    );
    if (tool?.name !== undefined) {
      return {
        kind: 'function_call',
        name: tool.name,
        arguments: JSON.stringify(argumentsFromSchema(tool.parameters, clip(text))),
      };
    }
    return { kind: 'message', text: `You said: ${clip(text)}` };
  }
  if (last.content.some((part) => part.type === 'input_audio')) {
    return { kind: 'message', text: `I heard ${audioMsOf(last.id ?? '')} ms of audio.` };
  }
  return { kind: 'message', text: 'I received your message.' };
}

/** The typed words of a user message (transcribed audio is not words here). */
function textOf(
  message: Extract<RealtimeConversationItem, { type: 'message'; role: 'user' }>,
): string {
  return message.content
    .map((part) => (part.type === 'input_text' ? (part.text ?? '') : ''))
    .join(' ')
    .trim();
}

function clip(text: string): string {
  return text.length <= MAX_ECHO ? text : `${text.slice(0, MAX_ECHO)}…`;
}

/**
 * Splits a reply into word-sized deltas, spaces kept, as a model streams tokens.
 *
 * @example
 * ```ts
 * toDeltas('Hello there'); // ['Hello ', 'there']
 * ```
 */
export function toDeltas(text: string): string[] {
  return text.match(/\S+\s*|\s+/g) ?? [];
}
