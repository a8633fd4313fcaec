import type { RealtimeConversationItemFunctionCall } from '@rtwire/types';
import type { ItemEventBuilder } from './generated/context-builders.ts';
import type { ItemHost } from './item-host.ts';
import { ResponseWriterError } from './response-writer-error.ts';
import { ServerEvents } from './server-events.ts';

/**
 * Streams one function-call item of a response. Made by {@link ResponseWriter.functionCall},
 * which has already emitted `response.output_item.added` and `conversation.item.added`.
 *
 * @example
 * ```ts
 * const call = writer.functionCall({ itemId: 'item_2', callId: 'call_1', name: 'get_weather' });
 * call.arguments('{"city":"Paris"}');
 * call.done();
 * ```
 */
export class FunctionCallWriter {
  /** The call item's id. */
  readonly itemId: string;
  /** The item's position in `response.output`. */
  readonly outputIndex: number;
  /** The `call_id` the client answers with a `function_call_output` item. */
  readonly callId: string;
  /** The function's name. */
  readonly name: string;
  readonly #host: ItemHost;
  readonly #item: ItemEventBuilder;
  readonly #previousItemId: string | null;
  #arguments = '';
  #finished = false;

  /** @internal Use {@link ResponseWriter.functionCall}. */
  constructor(
    host: ItemHost,
    item: ItemEventBuilder,
    callId: string,
    name: string,
    previousItemId: string | null,
  ) {
    this.#host = host;
    this.#item = item;
    this.itemId = item.itemId;
    this.outputIndex = item.outputIndex;
    this.callId = callId;
    this.name = name;
    this.#previousItemId = previousItemId;
    host.emit(item.outputItemAdded(host.nextEventId(), this.#snapshot('in_progress')));
    if (host.inConversation) {
      host.emit(
        ServerEvents.conversationItemAdded(
          host.nextEventId(),
          previousItemId,
          this.#snapshot('in_progress'),
        ),
      );
    }
  }

  /** The arguments JSON text written so far. */
  get written(): string {
    return this.#arguments;
  }

  /**
   * The context of the call's item, which its arguments deltas carry. A server that encodes
   * deltas itself binds an encoder to it once (`encoderFor(call.item)` of
   * `@rtwire/serializer`), sends each delta's frame, and tells the writer with {@link record}.
   *
   * @example
   * ```ts
   * const encoder = encoderFor(call.item);
   * send(encoder.functionCallArgumentsDeltaBytes(nextEventId(), call.callId, '{"city":'));
   * call.record('{"city":');
   * ```
   */
  get item(): ItemEventBuilder {
    return this.#item;
  }

  /**
   * Counts an arguments delta the caller sent itself, from {@link item}: the done events
   * carry it. Emits nothing.
   *
   * @example
   * ```ts
   * call.record('"Paris"}');
   * ```
   */
  record(delta: string): void {
    this.#check('record');
    this.#arguments += delta;
  }

  /** Whether {@link done} (or a cancel) closed this call. */
  get finished(): boolean {
    return this.#finished;
  }

  /** Emits a `response.function_call_arguments.delta`. */
  arguments(delta: string): void {
    this.#check('arguments');
    this.#arguments += delta;
    this.#host.emit(
      this.#item.functionCallArgumentsDelta(this.#host.nextEventId(), this.callId, delta),
    );
  }

  /**
   * Finishes the call: `response.function_call_arguments.done` with the whole arguments text,
   * `response.output_item.done` and `conversation.item.done`.
   */
  done(): void {
    this.#check('done');
    this.#finish('completed');
  }

  /** @internal Closes the call as `incomplete` when its response is cancelled. */
  interrupt(): void {
    if (!this.#finished) this.#finish('incomplete');
  }

  #finish(status: 'completed' | 'incomplete'): void {
    this.#finished = true;
    const host = this.#host;
    host.emit(
      this.#item.functionCallArgumentsDone(
        host.nextEventId(),
        this.callId,
        this.name,
        this.#arguments,
      ),
    );
    host.emit(this.#item.outputItemDone(host.nextEventId(), this.#snapshot(status)));
    if (host.inConversation) {
      host.emit(
        ServerEvents.conversationItemDone(
          host.nextEventId(),
          this.#previousItemId,
          this.#snapshot(status),
        ),
      );
    }
    host.finishItem(this.#snapshot(status));
  }

  #snapshot(
    status: 'in_progress' | 'completed' | 'incomplete',
  ): RealtimeConversationItemFunctionCall {
    return {
      id: this.itemId,
      object: 'realtime.item',
      type: 'function_call',
      status,
      name: this.name,
      call_id: this.callId,
      arguments: this.#arguments,
    };
  }

  #check(operation: string): void {
    if (this.#finished) {
      throw new ResponseWriterError(
        'item_finished',
        `FunctionCallWriter.${operation}: call ${this.itemId} is already finished`,
      );
    }
  }
}
