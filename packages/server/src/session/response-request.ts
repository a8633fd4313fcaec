import type {
  ClientEventOf,
  RealtimeConversationItem,
  RealtimeSessionCreateResponseGA,
} from '@rtwire/types';
import { frozenCopy } from '../frozen.ts';
import type { ResponseRequest } from '../model.ts';
import { type Refusal, refusals } from './refusals.ts';
import type { ResponsePlan } from './response-stream.ts';
import { audioFormatOf } from './session-config.ts';

/**
 * The `response` of `response.create`: what a client may set for one response.
 *
 * @example
 * ```ts
 * const params: ResponseParams = event.response ?? {};
 * ```
 */
export type ResponseParams = NonNullable<ClientEventOf<'response.create'>['response']>;

/**
 * What a response is made of before it starts: its plan, and what its model is asked.
 *
 * @example
 * ```ts
 * const { plan, request } = setup;
 * const stream = new ResponseStream(plan, host);
 * ```
 */
export interface ResponseSetup {
  readonly plan: ResponsePlan;
  /** The request but for what the session looks up as the response runs. */
  readonly request: Omit<ResponseRequest, 'audioDurationMs' | 'transcript'>;
}

/**
 * Where the response sits: its ids, the conversation it belongs to (if it does).
 *
 * @example
 * ```ts
 * const place = (): ResponsePlace => ({
 *   responseId: context.id('resp'),
 *   conversationId: 'conv_1',
 *   items: items.items,
 *   lastItemId: items.lastItemId,
 * });
 * ```
 */
export interface ResponsePlace {
  readonly responseId: string;
  readonly conversationId: string;
  /** The conversation's items now, and its last item's id. */
  readonly items: readonly RealtimeConversationItem[];
  readonly lastItemId: string | null;
}

/**
 * The session's settings overridden by `response.create`'s, as the live API merges them, or
 * the refusal when they cannot make a response (more than one output modality).
 *
 * @example
 * ```ts
 * const setup = responseSetup(event.response ?? {}, settings.realtime, place);
 * if ('code' in setup) context.refuse(setup, event.event_id);
 * else start(setup);
 * ```
 */
export function responseSetup(
  params: ResponseParams,
  session: RealtimeSessionCreateResponseGA,
  place: () => ResponsePlace,
): ResponseSetup | Refusal {
  const modalities = params.output_modalities ?? session.output_modalities ?? ['audio'];
  if (modalities.length !== 1) return refusals.badModalities('response.output_modalities');
  const modality = modalities.includes('audio') ? 'audio' : 'text';
  const outOfBand = params.conversation === 'none';
  const { responseId, conversationId, items, lastItemId } = place();
  const outputVoice = params.audio?.output?.voice ?? session.audio?.output?.voice;
  const voice = typeof outputVoice === 'string' ? outputVoice : 'marin';
  const outputFormat = audioFormatOf(session, 'output');
  const maxOutputTokens = params.max_output_tokens ?? session.max_output_tokens ?? 'inf';
  const metadata = params.metadata ?? null;
  return {
    plan: {
      responseId,
      modality,
      outputFormat,
      voice,
      conversationId: outOfBand ? null : conversationId,
      previousItemId: outOfBand ? null : lastItemId,
      maxOutputTokens,
      metadata,
    },
    request: {
      responseId,
      items:
        params.input === undefined
          ? items
          : (frozenCopy(params.input) as readonly RealtimeConversationItem[]),
      outOfBand,
      instructions: params.instructions ?? session.instructions ?? undefined,
      tools: frozenCopy(params.tools) ?? session.tools ?? [],
      toolChoice: frozenCopy(params.tool_choice) ?? session.tool_choice ?? 'auto',
      modality,
      voice,
      inputAudioFormat: audioFormatOf(session, 'input'),
      outputAudioFormat: outputFormat,
      maxOutputTokens,
      metadata,
    },
  };
}
