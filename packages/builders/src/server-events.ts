import type { ServerEventOf as E, RealtimeConversationItem } from '@rtwire/types';
import { checkedBuilders } from './checked-builders.ts';
import { setOptional } from './optional-fields.ts';

type ItemLifecycleType =
  | 'conversation.item.created'
  | 'conversation.item.added'
  | 'conversation.item.done';

/** The three item lifecycle events share one shape: `previous_item_id` and `item`. */
function itemLifecycleEvent<T extends ItemLifecycleType>(
  type: T,
  eventId: string,
  previousItemId: string | null | undefined,
  item: RealtimeConversationItem,
): E<T> {
  const event = { type, event_id: eventId, item } as E<T>;
  setOptional(event, 'previous_item_id', previousItemId);
  return event;
}

/**
 * One-shot constructors for the 29 server events that are not response-scoped (the terminal
 * methods of the Rust `openai_protocol` crate's `ServerEventBuilder`). Each takes the event's `event_id` first and
 * returns exactly its member of `RealtimeServerEvent`.
 *
 * Optional parameters follow one rule everywhere: `null` is written as `null` (as the live
 * API does), `undefined` leaves the field out.
 *
 * Response-scoped events (deltas, parts, output items) are built from a reusable context:
 * see {@link ResponseEventBuilder}.
 *
 * @example
 * ```ts
 * import { ServerEvents, createEventIds } from '@rtwire/builders';
 *
 * const nextId = createEventIds();
 * socket.send(JSON.stringify(ServerEvents.inputAudioBufferCommitted(nextId(), 'item_1', null)));
 * ```
 */
export const ServerEvents = checkedBuilders(
  'ServerEvents',
  {
    /** `session.created`: the first event of every session. */
    sessionCreated(
      eventId: string,
      session: E<'session.created'>['session'],
    ): E<'session.created'> {
      return { type: 'session.created', event_id: eventId, session };
    },

    /** `session.updated`: the whole effective session after a `session.update`. */
    sessionUpdated(
      eventId: string,
      session: E<'session.updated'>['session'],
    ): E<'session.updated'> {
      return { type: 'session.updated', event_id: eventId, session };
    },

    /** `conversation.created`. */
    conversationCreated(
      eventId: string,
      conversation: E<'conversation.created'>['conversation'],
    ): E<'conversation.created'> {
      return { type: 'conversation.created', event_id: eventId, conversation };
    },

    /** `conversation.item.created` (the beta lifecycle event; GA servers send `added`/`done`). */
    conversationItemCreated(
      eventId: string,
      previousItemId: string | null | undefined,
      item: RealtimeConversationItem,
    ): E<'conversation.item.created'> {
      return itemLifecycleEvent('conversation.item.created', eventId, previousItemId, item);
    },

    /** `conversation.item.added`: an item entered the conversation (content may still stream). */
    conversationItemAdded(
      eventId: string,
      previousItemId: string | null | undefined,
      item: RealtimeConversationItem,
    ): E<'conversation.item.added'> {
      return itemLifecycleEvent('conversation.item.added', eventId, previousItemId, item);
    },

    /** `conversation.item.done`: an item is complete. */
    conversationItemDone(
      eventId: string,
      previousItemId: string | null | undefined,
      item: RealtimeConversationItem,
    ): E<'conversation.item.done'> {
      return itemLifecycleEvent('conversation.item.done', eventId, previousItemId, item);
    },

    /** `conversation.item.deleted`. */
    conversationItemDeleted(eventId: string, itemId: string): E<'conversation.item.deleted'> {
      return { type: 'conversation.item.deleted', event_id: eventId, item_id: itemId };
    },

    /** `conversation.item.retrieved`: the answer to `conversation.item.retrieve`. */
    conversationItemRetrieved(
      eventId: string,
      item: E<'conversation.item.retrieved'>['item'],
    ): E<'conversation.item.retrieved'> {
      return { type: 'conversation.item.retrieved', event_id: eventId, item };
    },

    /** `conversation.item.truncated`: assistant audio cut at `audioEndMs`. */
    conversationItemTruncated(
      eventId: string,
      itemId: string,
      contentIndex: number,
      audioEndMs: number,
    ): E<'conversation.item.truncated'> {
      return {
        type: 'conversation.item.truncated',
        event_id: eventId,
        item_id: itemId,
        content_index: contentIndex,
        audio_end_ms: audioEndMs,
      };
    },

    /** `conversation.item.input_audio_transcription.completed` without logprobs. */
    inputAudioTranscriptionCompleted(
      eventId: string,
      itemId: string,
      contentIndex: number,
      transcript: string,
      usage: E<'conversation.item.input_audio_transcription.completed'>['usage'],
    ): E<'conversation.item.input_audio_transcription.completed'> {
      return {
        type: 'conversation.item.input_audio_transcription.completed',
        event_id: eventId,
        item_id: itemId,
        content_index: contentIndex,
        transcript,
        usage,
      };
    },

    /** `conversation.item.input_audio_transcription.completed` with logprobs. */
    inputAudioTranscriptionCompletedWithLogprobs(
      eventId: string,
      itemId: string,
      contentIndex: number,
      transcript: string,
      usage: E<'conversation.item.input_audio_transcription.completed'>['usage'],
      logprobs: NonNullable<E<'conversation.item.input_audio_transcription.completed'>['logprobs']>,
    ): E<'conversation.item.input_audio_transcription.completed'> {
      return {
        type: 'conversation.item.input_audio_transcription.completed',
        event_id: eventId,
        item_id: itemId,
        content_index: contentIndex,
        transcript,
        logprobs,
        usage,
      };
    },

    /**
     * `conversation.item.input_audio_transcription.delta`. `obfuscation` (not in the Rust crate) is
     * the padding the live API adds to deltas against length side channels.
     */
    inputAudioTranscriptionDelta(
      eventId: string,
      itemId: string,
      contentIndex?: number | null,
      delta?: string | null,
      logprobs?: E<'conversation.item.input_audio_transcription.delta'>['logprobs'],
      obfuscation?: string | null,
    ): E<'conversation.item.input_audio_transcription.delta'> {
      const event: E<'conversation.item.input_audio_transcription.delta'> = {
        type: 'conversation.item.input_audio_transcription.delta',
        event_id: eventId,
        item_id: itemId,
      };
      setOptional(event, 'content_index', contentIndex);
      setOptional(event, 'delta', delta);
      setOptional(event, 'logprobs', logprobs);
      setOptional(event, 'obfuscation', obfuscation);
      return event;
    },

    /** `conversation.item.input_audio_transcription.failed`. */
    inputAudioTranscriptionFailed(
      eventId: string,
      itemId: string,
      contentIndex: number,
      error: E<'conversation.item.input_audio_transcription.failed'>['error'],
    ): E<'conversation.item.input_audio_transcription.failed'> {
      return {
        type: 'conversation.item.input_audio_transcription.failed',
        event_id: eventId,
        item_id: itemId,
        content_index: contentIndex,
        error,
      };
    },

    /** `conversation.item.input_audio_transcription.segment` (diarized transcription). */
    inputAudioTranscriptionSegment(
      eventId: string,
      itemId: string,
      contentIndex: number,
      text: string,
      id: string,
      speaker: string,
      start: number,
      end: number,
    ): E<'conversation.item.input_audio_transcription.segment'> {
      return {
        type: 'conversation.item.input_audio_transcription.segment',
        event_id: eventId,
        item_id: itemId,
        content_index: contentIndex,
        text,
        id,
        speaker,
        start,
        end,
      };
    },

    /** `input_audio_buffer.cleared`. */
    inputAudioBufferCleared(eventId: string): E<'input_audio_buffer.cleared'> {
      return { type: 'input_audio_buffer.cleared', event_id: eventId };
    },

    /** `input_audio_buffer.committed`: the buffer became the user item `itemId`. */
    inputAudioBufferCommitted(
      eventId: string,
      itemId: string,
      previousItemId?: string | null,
    ): E<'input_audio_buffer.committed'> {
      const event: E<'input_audio_buffer.committed'> = {
        type: 'input_audio_buffer.committed',
        event_id: eventId,
        item_id: itemId,
      };
      setOptional(event, 'previous_item_id', previousItemId);
      return event;
    },

    /** `input_audio_buffer.speech_started` (server VAD). */
    inputAudioBufferSpeechStarted(
      eventId: string,
      audioStartMs: number,
      itemId: string,
    ): E<'input_audio_buffer.speech_started'> {
      return {
        type: 'input_audio_buffer.speech_started',
        event_id: eventId,
        audio_start_ms: audioStartMs,
        item_id: itemId,
      };
    },

    /** `input_audio_buffer.speech_stopped` (server VAD). */
    inputAudioBufferSpeechStopped(
      eventId: string,
      audioEndMs: number,
      itemId: string,
    ): E<'input_audio_buffer.speech_stopped'> {
      return {
        type: 'input_audio_buffer.speech_stopped',
        event_id: eventId,
        audio_end_ms: audioEndMs,
        item_id: itemId,
      };
    },

    /** `input_audio_buffer.timeout_triggered` (VAD idle timeout). */
    inputAudioBufferTimeoutTriggered(
      eventId: string,
      audioStartMs: number,
      audioEndMs: number,
      itemId: string,
    ): E<'input_audio_buffer.timeout_triggered'> {
      return {
        type: 'input_audio_buffer.timeout_triggered',
        event_id: eventId,
        audio_start_ms: audioStartMs,
        audio_end_ms: audioEndMs,
        item_id: itemId,
      };
    },

    /**
     * `input_audio_buffer.dtmf_event_received` (SIP). The spec gives this event no
     * `event_id`, so unlike every other constructor it takes none.
     *
     * @param event - The key pressed (`0`–`9`, `*`, `#`, `A`–`D`).
     * @param receivedAt - Unix time in seconds.
     */
    dtmfEventReceived(
      event: string,
      receivedAt: number,
    ): E<'input_audio_buffer.dtmf_event_received'> {
      return { type: 'input_audio_buffer.dtmf_event_received', event, received_at: receivedAt };
    },

    /** `mcp_list_tools.in_progress`. */
    mcpListToolsInProgress(eventId: string, itemId: string): E<'mcp_list_tools.in_progress'> {
      return { type: 'mcp_list_tools.in_progress', event_id: eventId, item_id: itemId };
    },

    /** `mcp_list_tools.completed`. */
    mcpListToolsCompleted(eventId: string, itemId: string): E<'mcp_list_tools.completed'> {
      return { type: 'mcp_list_tools.completed', event_id: eventId, item_id: itemId };
    },

    /** `mcp_list_tools.failed`. */
    mcpListToolsFailed(eventId: string, itemId: string): E<'mcp_list_tools.failed'> {
      return { type: 'mcp_list_tools.failed', event_id: eventId, item_id: itemId };
    },

    /** `response.mcp_call.in_progress` (carries no `response_id`, per the spec). */
    mcpCallInProgress(
      eventId: string,
      itemId: string,
      outputIndex: number,
    ): E<'response.mcp_call.in_progress'> {
      return {
        type: 'response.mcp_call.in_progress',
        event_id: eventId,
        item_id: itemId,
        output_index: outputIndex,
      };
    },

    /** `response.mcp_call.completed`. */
    mcpCallCompleted(
      eventId: string,
      itemId: string,
      outputIndex: number,
    ): E<'response.mcp_call.completed'> {
      return {
        type: 'response.mcp_call.completed',
        event_id: eventId,
        item_id: itemId,
        output_index: outputIndex,
      };
    },

    /** `response.mcp_call.failed`. */
    mcpCallFailed(
      eventId: string,
      itemId: string,
      outputIndex: number,
    ): E<'response.mcp_call.failed'> {
      return {
        type: 'response.mcp_call.failed',
        event_id: eventId,
        item_id: itemId,
        output_index: outputIndex,
      };
    },

    /** `rate_limits.updated`. */
    rateLimitsUpdated(
      eventId: string,
      rateLimits: E<'rate_limits.updated'>['rate_limits'],
    ): E<'rate_limits.updated'> {
      return { type: 'rate_limits.updated', event_id: eventId, rate_limits: rateLimits };
    },

    /** `response.created`; build the response with {@link RealtimeResponseBuilder}. */
    responseCreated(
      eventId: string,
      response: E<'response.created'>['response'],
    ): E<'response.created'> {
      return { type: 'response.created', event_id: eventId, response };
    },

    /** `response.done`: the finished response with its output items and usage. */
    responseDone(eventId: string, response: E<'response.done'>['response']): E<'response.done'> {
      return { type: 'response.done', event_id: eventId, response };
    },

    /**
     * `error`. Never put client input (audio, transcripts, keys) in `error.message`: the event
     * reaches clients and logs.
     */
    errorEvent(eventId: string, error: E<'error'>['error']): E<'error'> {
      return { type: 'error', event_id: eventId, error };
    },
  },
  {
    sessionCreated: ['eventId: string', 'session: object'],
    sessionUpdated: ['eventId: string', 'session: object'],
    conversationCreated: ['eventId: string', 'conversation: object'],
    conversationItemCreated: ['eventId: string', 'previousItemId: string?', 'item: object'],
    conversationItemAdded: ['eventId: string', 'previousItemId: string?', 'item: object'],
    conversationItemDone: ['eventId: string', 'previousItemId: string?', 'item: object'],
    conversationItemDeleted: ['eventId: string', 'itemId: string'],
    conversationItemRetrieved: ['eventId: string', 'item: object'],
    conversationItemTruncated: [
      'eventId: string',
      'itemId: string',
      'contentIndex: number',
      'audioEndMs: number',
    ],
    inputAudioTranscriptionCompleted: [
      'eventId: string',
      'itemId: string',
      'contentIndex: number',
      'transcript: string',
      'usage: object',
    ],
    inputAudioTranscriptionCompletedWithLogprobs: [
      'eventId: string',
      'itemId: string',
      'contentIndex: number',
      'transcript: string',
      'usage: object',
      'logprobs: array',
    ],
    inputAudioTranscriptionDelta: ['eventId: string', 'itemId: string'],
    inputAudioTranscriptionFailed: [
      'eventId: string',
      'itemId: string',
      'contentIndex: number',
      'error: object',
    ],
    inputAudioTranscriptionSegment: [
      'eventId: string',
      'itemId: string',
      'contentIndex: number',
      'text: string',
      'id: string',
      'speaker: string',
      'start: number',
      'end: number',
    ],
    inputAudioBufferCleared: ['eventId: string'],
    inputAudioBufferCommitted: ['eventId: string', 'itemId: string', 'previousItemId: string?'],
    inputAudioBufferSpeechStarted: ['eventId: string', 'audioStartMs: number', 'itemId: string'],
    inputAudioBufferSpeechStopped: ['eventId: string', 'audioEndMs: number', 'itemId: string'],
    inputAudioBufferTimeoutTriggered: [
      'eventId: string',
      'audioStartMs: number',
      'audioEndMs: number',
      'itemId: string',
    ],
    dtmfEventReceived: ['event: string', 'receivedAt: number'],
    mcpListToolsInProgress: ['eventId: string', 'itemId: string'],
    mcpListToolsCompleted: ['eventId: string', 'itemId: string'],
    mcpListToolsFailed: ['eventId: string', 'itemId: string'],
    mcpCallInProgress: ['eventId: string', 'itemId: string', 'outputIndex: number'],
    mcpCallCompleted: ['eventId: string', 'itemId: string', 'outputIndex: number'],
    mcpCallFailed: ['eventId: string', 'itemId: string', 'outputIndex: number'],
    rateLimitsUpdated: ['eventId: string', 'rateLimits: array'],
    responseCreated: ['eventId: string', 'response: object'],
    responseDone: ['eventId: string', 'response: object'],
    errorEvent: ['eventId: string', 'error: object'],
  },
);
