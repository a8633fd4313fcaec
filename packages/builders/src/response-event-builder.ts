import type { ServerEventOf as E } from '@rtwire/types';
import { ItemEventBuilder } from './item-event-builder.ts';

/**
 * The context of one response: holds its `response_id` and builds the response-level events.
 * Immutable and reusable: descend with {@link ResponseEventBuilder.forItem}, which returns a
 * new builder and leaves this one unchanged.
 *
 * @example
 * ```ts
 * const response = new ResponseEventBuilder('resp_1');
 * const content = response.forItem('item_1', 0).forContent(0);
 * for (const [i, delta] of ['Hel', 'lo'].entries()) {
 *   socket.send(JSON.stringify(content.outputTextDelta(`evt_${i}`, delta)));
 * }
 * ```
 */
export class ResponseEventBuilder {
  /** The context depth, read by `encoderFor` in `@rtwire/serializer`. */
  readonly level = 'response' as const;
  /** The `response_id` of every event this builder builds. */
  readonly responseId: string;

  /** @param responseId - The response these events belong to. */
  constructor(responseId: string) {
    this.responseId = responseId;
  }

  /** Descends to one output item of this response. */
  forItem(itemId: string, outputIndex: number): ItemEventBuilder {
    return new ItemEventBuilder(this.responseId, itemId, outputIndex);
  }

  /** `output_audio_buffer.started` (WebRTC/SIP): the client began playing this response. */
  outputAudioBufferStarted(eventId: string): E<'output_audio_buffer.started'> {
    return { type: 'output_audio_buffer.started', event_id: eventId, response_id: this.responseId };
  }

  /** `output_audio_buffer.stopped` (WebRTC/SIP): playback of this response finished. */
  outputAudioBufferStopped(eventId: string): E<'output_audio_buffer.stopped'> {
    return { type: 'output_audio_buffer.stopped', event_id: eventId, response_id: this.responseId };
  }

  /** `output_audio_buffer.cleared` (WebRTC/SIP): the buffered audio was dropped. */
  outputAudioBufferCleared(eventId: string): E<'output_audio_buffer.cleared'> {
    return { type: 'output_audio_buffer.cleared', event_id: eventId, response_id: this.responseId };
  }
}
