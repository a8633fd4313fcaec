import type { RealtimeResponseUsage, RealtimeServerEvent } from '@rtwire/types';
import type { EventIdSource } from './event-ids.ts';
import type { MessageModality } from './message-writer.ts';
import { ResponseWriter } from './response-writer.ts';
import { ResponseWriterError } from './response-writer-error.ts';

/** Input of {@link responseEvents}. */
export interface ResponseEventsOptions {
  readonly responseId: string;
  /** The id of the assistant message. */
  readonly itemId: string;
  /** `text`: `chunks` are text deltas. `audio`: `chunks` are transcript deltas. */
  readonly modality: MessageModality;
  /** Text (or transcript) deltas, in order. */
  readonly chunks: readonly string[];
  /** Base64 audio deltas (audio modality), interleaved with the transcript deltas. */
  readonly audio?: readonly string[];
  /** Event ids (default: a fresh `createEventIds()` generator). */
  readonly eventIds?: EventIdSource;
  /** The item the message follows in the conversation (default `null`). */
  readonly previousItemId?: string | null;
  /** Token usage reported in `response.done`. */
  readonly usage?: RealtimeResponseUsage | null;
  /** The conversation id reported in the response (default `null`). */
  readonly conversationId?: string | null;
}

/**
 * Every event of a one-message response, in the live API's order, built by a
 * {@link ResponseWriter} over arrays. For audio, transcript and audio deltas alternate, the
 * transcript first, as the live API streams them.
 *
 * @example
 * ```ts
 * const events = responseEvents({
 *   responseId: 'resp_1',
 *   itemId: 'item_1',
 *   modality: 'text',
 *   chunks: ['Hel', 'lo'],
 * });
 * events.at(-1)?.type; // 'response.done'
 * ```
 */
export function responseEvents(options: ResponseEventsOptions): RealtimeServerEvent[] {
  if (options.modality === 'text' && options.audio !== undefined && options.audio.length > 0) {
    throw new ResponseWriterError(
      'wrong_modality',
      'responseEvents: audio chunks were given for a text response',
    );
  }
  const events: RealtimeServerEvent[] = [];
  const writer = new ResponseWriter({
    responseId: options.responseId,
    emit: (event) => events.push(event),
    outputModalities: [options.modality],
    ...(options.eventIds === undefined ? {} : { eventIds: options.eventIds }),
    ...(options.previousItemId === undefined ? {} : { previousItemId: options.previousItemId }),
    ...(options.conversationId === undefined ? {} : { conversationId: options.conversationId }),
  });
  const message = writer.message({ itemId: options.itemId, modality: options.modality });
  if (options.modality === 'text') {
    for (const chunk of options.chunks) message.text(chunk);
  } else {
    const audio = options.audio ?? [];
    const length = Math.max(options.chunks.length, audio.length);
    for (let i = 0; i < length; i++) {
      const transcript = options.chunks[i];
      const samples = audio[i];
      if (transcript !== undefined) message.transcript(transcript);
      if (samples !== undefined) message.audio(samples);
    }
  }
  message.done();
  writer.done(options.usage === undefined ? {} : { usage: options.usage });
  return events;
}
