import type { ClientEventOf as E } from '@rtwire/types';
import { checkedBuilders } from './checked-builders.ts';
import { setOptional } from './optional-fields.ts';

/**
 * Constructors for the 11 client events. A client's `event_id` is optional in the protocol:
 * pass `undefined` to leave it out (the server then reports errors without it).
 *
 * @example
 * ```ts
 * import { ClientEvents } from '@rtwire/builders';
 *
 * ws.send(JSON.stringify(ClientEvents.conversationItemCreate('evt_1', undefined, {
 *   type: 'message',
 *   role: 'user',
 *   content: [{ type: 'input_text', text: 'Hello' }],
 * })));
 * ws.send(JSON.stringify(ClientEvents.responseCreate('evt_2')));
 * ```
 */
export const ClientEvents = checkedBuilders(
  'ClientEvents',
  {
    /** `session.update`: change the session configuration. */
    sessionUpdate(
      eventId: string | undefined,
      session: E<'session.update'>['session'],
    ): E<'session.update'> {
      const event: E<'session.update'> = { type: 'session.update', session };
      setOptional(event, 'event_id', eventId);
      return event;
    },

    /** `input_audio_buffer.append`: base64 audio in the session's input format. */
    inputAudioBufferAppend(
      eventId: string | undefined,
      audio: string,
    ): E<'input_audio_buffer.append'> {
      const event: E<'input_audio_buffer.append'> = { type: 'input_audio_buffer.append', audio };
      setOptional(event, 'event_id', eventId);
      return event;
    },

    /** `input_audio_buffer.commit`: turn the buffered audio into a user message. */
    inputAudioBufferCommit(eventId?: string): E<'input_audio_buffer.commit'> {
      const event: E<'input_audio_buffer.commit'> = { type: 'input_audio_buffer.commit' };
      setOptional(event, 'event_id', eventId);
      return event;
    },

    /** `input_audio_buffer.clear`. */
    inputAudioBufferClear(eventId?: string): E<'input_audio_buffer.clear'> {
      const event: E<'input_audio_buffer.clear'> = { type: 'input_audio_buffer.clear' };
      setOptional(event, 'event_id', eventId);
      return event;
    },

    /** `conversation.item.create`: insert an item after `previousItemId` (or at the end). */
    conversationItemCreate(
      eventId: string | undefined,
      previousItemId: string | null | undefined,
      item: E<'conversation.item.create'>['item'],
    ): E<'conversation.item.create'> {
      const event: E<'conversation.item.create'> = { type: 'conversation.item.create', item };
      setOptional(event, 'event_id', eventId);
      setOptional(event, 'previous_item_id', previousItemId);
      return event;
    },

    /** `conversation.item.retrieve`. */
    conversationItemRetrieve(
      eventId: string | undefined,
      itemId: string,
    ): E<'conversation.item.retrieve'> {
      const event: E<'conversation.item.retrieve'> = {
        type: 'conversation.item.retrieve',
        item_id: itemId,
      };
      setOptional(event, 'event_id', eventId);
      return event;
    },

    /** `conversation.item.truncate`: cut assistant audio the user did not hear. */
    conversationItemTruncate(
      eventId: string | undefined,
      itemId: string,
      contentIndex: number,
      audioEndMs: number,
    ): E<'conversation.item.truncate'> {
      const event: E<'conversation.item.truncate'> = {
        type: 'conversation.item.truncate',
        item_id: itemId,
        content_index: contentIndex,
        audio_end_ms: audioEndMs,
      };
      setOptional(event, 'event_id', eventId);
      return event;
    },

    /** `conversation.item.delete`. */
    conversationItemDelete(
      eventId: string | undefined,
      itemId: string,
    ): E<'conversation.item.delete'> {
      const event: E<'conversation.item.delete'> = {
        type: 'conversation.item.delete',
        item_id: itemId,
      };
      setOptional(event, 'event_id', eventId);
      return event;
    },

    /** `response.create`: ask for a response, optionally overriding the session's settings. */
    responseCreate(
      eventId?: string,
      response?: E<'response.create'>['response'],
    ): E<'response.create'> {
      const event: E<'response.create'> = { type: 'response.create' };
      setOptional(event, 'event_id', eventId);
      setOptional(event, 'response', response);
      return event;
    },

    /** `response.cancel`: cancel the active response (or the one named). */
    responseCancel(eventId?: string, responseId?: string | null): E<'response.cancel'> {
      const event: E<'response.cancel'> = { type: 'response.cancel' };
      setOptional(event, 'event_id', eventId);
      setOptional(event, 'response_id', responseId);
      return event;
    },

    /** `output_audio_buffer.clear` (WebRTC/SIP): stop playing the buffered output audio. */
    outputAudioBufferClear(eventId?: string): E<'output_audio_buffer.clear'> {
      const event: E<'output_audio_buffer.clear'> = { type: 'output_audio_buffer.clear' };
      setOptional(event, 'event_id', eventId);
      return event;
    },
  },
  {
    sessionUpdate: ['eventId: string?', 'session: object'],
    inputAudioBufferAppend: ['eventId: string?', 'audio: string'],
    inputAudioBufferCommit: ['eventId: string?'],
    inputAudioBufferClear: ['eventId: string?'],
    conversationItemCreate: ['eventId: string?', 'previousItemId: string?', 'item: object'],
    conversationItemRetrieve: ['eventId: string?', 'itemId: string'],
    conversationItemTruncate: [
      'eventId: string?',
      'itemId: string',
      'contentIndex: number',
      'audioEndMs: number',
    ],
    conversationItemDelete: ['eventId: string?', 'itemId: string'],
    responseCreate: ['eventId: string?', 'response: optional'],
    responseCancel: ['eventId: string?', 'responseId: string?'],
    outputAudioBufferClear: ['eventId: string?'],
  },
);
