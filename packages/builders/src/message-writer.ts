import type { RealtimeConversationItemMessageAssistant } from '@rtwire/types';
import type { ContentEventBuilder, ItemEventBuilder } from './generated/context-builders.ts';
import type { ItemHost } from './item-host.ts';
import { ResponseWriterError } from './response-writer-error.ts';
import { ServerEvents } from './server-events.ts';

/** The output modality of one assistant message. */
export type MessageModality = 'text' | 'audio';

type ItemStatus = 'completed' | 'incomplete';

/**
 * Streams one assistant message of a response. Made by {@link ResponseWriter.message}, which
 * has already emitted `response.output_item.added`, `conversation.item.added` and
 * `response.content_part.added`. Deltas are emitted as they are written; {@link done}
 * closes the message with the accumulated text or transcript.
 *
 * @example
 * ```ts
 * const message = writer.message({ itemId: 'item_1', modality: 'audio' });
 * message.transcript('Hello');
 * message.audio(base64Chunk);
 * message.done();
 * ```
 */
export class MessageWriter {
  /** The message's item id. */
  readonly itemId: string;
  /** The message's position in `response.output`. */
  readonly outputIndex: number;
  /** `text` (text deltas) or `audio` (audio and transcript deltas). */
  readonly modality: MessageModality;
  readonly #host: ItemHost;
  readonly #item: ItemEventBuilder;
  readonly #content: ContentEventBuilder;
  readonly #previousItemId: string | null;
  #text = '';
  #finished = false;

  /** @internal Use {@link ResponseWriter.message}. */
  constructor(
    host: ItemHost,
    item: ItemEventBuilder,
    modality: MessageModality,
    previousItemId: string | null,
  ) {
    this.#host = host;
    this.#item = item;
    this.#content = item.forContent(0);
    this.itemId = item.itemId;
    this.outputIndex = item.outputIndex;
    this.modality = modality;
    this.#previousItemId = previousItemId;
    const added = this.#snapshot('in_progress', false);
    host.emit(item.outputItemAdded(host.nextEventId(), added));
    if (host.inConversation) {
      host.emit(
        ServerEvents.conversationItemAdded(
          host.nextEventId(),
          previousItemId,
          this.#snapshot('in_progress', false),
        ),
      );
    }
    host.emit(
      this.#content.contentPartAdded(
        host.nextEventId(),
        modality === 'text' ? { type: 'text', text: '' } : { type: 'audio', transcript: '' },
      ),
    );
  }

  /** The text (or, for audio, the transcript) written so far. */
  get written(): string {
    return this.#text;
  }

  /**
   * The context of the message's content part (part 0), which its delta events carry. A server
   * that encodes deltas itself binds an encoder to it once (`encoderFor(message.content)` of
   * `@rtwire/serializer`), sends each delta's frame, and tells the writer with {@link record},
   * so no event object is built for a delta; the done events still carry the whole text.
   *
   * @example
   * ```ts
   * const encoder = encoderFor(message.content);
   * send(encoder.outputTextDeltaBytes(nextEventId(), 'Hel'));
   * message.record('Hel');
   * ```
   */
  get content(): ContentEventBuilder {
    return this.#content;
  }

  /** Whether {@link done} (or a cancel) closed this message. */
  get finished(): boolean {
    return this.#finished;
  }

  /**
   * Counts a text delta (transcript delta in an audio message) the caller sent itself, from
   * {@link content}: the done events carry it. Emits nothing.
   *
   * @example
   * ```ts
   * send(encoder.outputAudioTranscriptDeltaBytes(nextEventId(), 'Hi'));
   * message.record('Hi');
   * ```
   */
  record(delta: string): void {
    this.#check(this.modality, 'record');
    this.#text += delta;
  }

  /** Emits a `response.output_text.delta` (text messages). */
  text(delta: string): void {
    this.#check('text', 'text');
    this.#text += delta;
    this.#host.emit(this.#content.outputTextDelta(this.#host.nextEventId(), delta));
  }

  /** Emits a `response.output_audio.delta` of base64 audio (audio messages). */
  audio(base64: string): void {
    this.#check('audio', 'audio');
    this.#host.emit(this.#content.outputAudioDelta(this.#host.nextEventId(), base64));
  }

  /** Emits a `response.output_audio_transcript.delta` (audio messages). */
  transcript(delta: string): void {
    this.#check('audio', 'transcript');
    this.#text += delta;
    this.#host.emit(this.#content.outputAudioTranscriptDelta(this.#host.nextEventId(), delta));
  }

  /**
   * Finishes the message: the text (or audio and transcript) done events,
   * `response.content_part.done`, `response.output_item.done` and `conversation.item.done`.
   */
  done(): void {
    this.#check(this.modality, 'done');
    this.#finish('completed');
  }

  /** @internal Closes the message as `incomplete` when its response is cancelled. */
  interrupt(): void {
    if (!this.#finished) this.#finish('incomplete');
  }

  #finish(status: ItemStatus): void {
    this.#finished = true;
    const host = this.#host;
    const content = this.#content;
    if (this.modality === 'text') {
      host.emit(content.outputTextDone(host.nextEventId(), this.#text));
      host.emit(content.contentPartDone(host.nextEventId(), { type: 'text', text: this.#text }));
    } else {
      host.emit(content.outputAudioDone(host.nextEventId()));
      host.emit(content.outputAudioTranscriptDone(host.nextEventId(), this.#text));
      host.emit(
        content.contentPartDone(host.nextEventId(), { type: 'audio', transcript: this.#text }),
      );
    }
    host.emit(this.#item.outputItemDone(host.nextEventId(), this.#snapshot(status, true)));
    if (host.inConversation) {
      host.emit(
        ServerEvents.conversationItemDone(
          host.nextEventId(),
          this.#previousItemId,
          this.#snapshot(status, true),
        ),
      );
    }
    host.finishItem(this.#snapshot(status, true));
  }

  /** A fresh item object per event, so no emitted event shares state with a later one. */
  #snapshot(
    status: 'in_progress' | ItemStatus,
    withContent: boolean,
  ): RealtimeConversationItemMessageAssistant {
    return {
      id: this.itemId,
      object: 'realtime.item',
      type: 'message',
      status,
      role: 'assistant',
      content: withContent
        ? [
            this.modality === 'text'
              ? { type: 'output_text', text: this.#text }
              : { type: 'output_audio', transcript: this.#text },
          ]
        : [],
    };
  }

  #check(modality: MessageModality, operation: string): void {
    if (this.#finished) {
      throw new ResponseWriterError(
        'item_finished',
        `MessageWriter.${operation}: message ${this.itemId} is already finished`,
      );
    }
    if (modality !== this.modality) {
      throw new ResponseWriterError(
        'wrong_modality',
        `MessageWriter.${operation}: message ${this.itemId} is a ${this.modality} message`,
      );
    }
  }
}
