import type { ServerEventOf as E } from '@rtwire/types';

/**
 * The context of one content part: `response_id`, `item_id`, `output_index` and
 * `content_index`. This is the streaming hot path: build the context once per part and call
 * a terminal method per delta, passing only the event's own `event_id` and payload.
 *
 * Each terminal method returns a fresh plain object with the keys in wire order (`type`,
 * `event_id`, context, payload), the order `@rtwire/serializer`'s precomputed prefixes write.
 *
 * @example
 * ```ts
 * const content = new ResponseEventBuilder('resp_1').forItem('item_1', 0).forContent(0);
 * for await (const token of model.stream()) {
 *   socket.send(JSON.stringify(content.outputTextDelta(nextEventId(), token)));
 * }
 * ```
 */
export class ContentEventBuilder {
  /** The context depth, read by `encoderFor` in `@rtwire/serializer`. */
  readonly level = 'content' as const;
  /** The `response_id` of every event this builder builds. */
  readonly responseId: string;
  /** The `item_id` of the item this part belongs to. */
  readonly itemId: string;
  /** The item's position in `response.output`. */
  readonly outputIndex: number;
  /** The part's position in the item's `content`. */
  readonly contentIndex: number;

  constructor(responseId: string, itemId: string, outputIndex: number, contentIndex: number) {
    this.responseId = responseId;
    this.itemId = itemId;
    this.outputIndex = outputIndex;
    this.contentIndex = contentIndex;
  }

  /**
   * `response.content_part.added`. Parts here are typed `text` / `audio`, unlike the item
   * content they become (`output_text` / `output_audio`).
   */
  contentPartAdded(
    eventId: string,
    part: E<'response.content_part.added'>['part'],
  ): E<'response.content_part.added'> {
    return {
      type: 'response.content_part.added',
      event_id: eventId,
      response_id: this.responseId,
      item_id: this.itemId,
      output_index: this.outputIndex,
      content_index: this.contentIndex,
      part,
    };
  }

  /** `response.content_part.done` with the finished part. */
  contentPartDone(
    eventId: string,
    part: E<'response.content_part.done'>['part'],
  ): E<'response.content_part.done'> {
    return {
      type: 'response.content_part.done',
      event_id: eventId,
      response_id: this.responseId,
      item_id: this.itemId,
      output_index: this.outputIndex,
      content_index: this.contentIndex,
      part,
    };
  }

  /** `response.output_text.delta`. */
  outputTextDelta(eventId: string, delta: string): E<'response.output_text.delta'> {
    return {
      type: 'response.output_text.delta',
      event_id: eventId,
      response_id: this.responseId,
      item_id: this.itemId,
      output_index: this.outputIndex,
      content_index: this.contentIndex,
      delta,
    };
  }

  /** `response.output_text.done` with the whole text. */
  outputTextDone(eventId: string, text: string): E<'response.output_text.done'> {
    return {
      type: 'response.output_text.done',
      event_id: eventId,
      response_id: this.responseId,
      item_id: this.itemId,
      output_index: this.outputIndex,
      content_index: this.contentIndex,
      text,
    };
  }

  /** `response.output_audio.delta`; `delta` is base64 audio in the session's output format. */
  outputAudioDelta(eventId: string, delta: string): E<'response.output_audio.delta'> {
    return {
      type: 'response.output_audio.delta',
      event_id: eventId,
      response_id: this.responseId,
      item_id: this.itemId,
      output_index: this.outputIndex,
      content_index: this.contentIndex,
      delta,
    };
  }

  /** `response.output_audio.done` (carries no audio: clients keep what they played). */
  outputAudioDone(eventId: string): E<'response.output_audio.done'> {
    return {
      type: 'response.output_audio.done',
      event_id: eventId,
      response_id: this.responseId,
      item_id: this.itemId,
      output_index: this.outputIndex,
      content_index: this.contentIndex,
    };
  }

  /** `response.output_audio_transcript.delta`. */
  outputAudioTranscriptDelta(
    eventId: string,
    delta: string,
  ): E<'response.output_audio_transcript.delta'> {
    return {
      type: 'response.output_audio_transcript.delta',
      event_id: eventId,
      response_id: this.responseId,
      item_id: this.itemId,
      output_index: this.outputIndex,
      content_index: this.contentIndex,
      delta,
    };
  }

  /** `response.output_audio_transcript.done` with the whole transcript. */
  outputAudioTranscriptDone(
    eventId: string,
    transcript: string,
  ): E<'response.output_audio_transcript.done'> {
    return {
      type: 'response.output_audio_transcript.done',
      event_id: eventId,
      response_id: this.responseId,
      item_id: this.itemId,
      output_index: this.outputIndex,
      content_index: this.contentIndex,
      transcript,
    };
  }
}
