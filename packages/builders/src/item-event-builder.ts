import type { ServerEventOf as E } from '@rtwire/types';
import { ContentEventBuilder } from './content-event-builder.ts';
import { setOptional } from './optional-fields.ts';

/**
 * The context of one output item of a response: `response_id`, `item_id`, `output_index`.
 * Builds the item-level events (output item, function-call and MCP arguments). Immutable
 * and reusable; {@link ItemEventBuilder.forContent} returns a new builder.
 *
 * @example
 * ```ts
 * const call = new ItemEventBuilder('resp_1', 'item_2', 1);
 * call.functionCallArgumentsDelta('evt_9', 'call_1', '{"city":');
 * ```
 */
export class ItemEventBuilder {
  /** The context depth, read by `encoderFor` in `@rtwire/serializer`. */
  readonly level = 'item' as const;
  /** The `response_id` of every event this builder builds. */
  readonly responseId: string;
  /** The `item_id` of the output item. */
  readonly itemId: string;
  /** The item's position in `response.output`. */
  readonly outputIndex: number;

  constructor(responseId: string, itemId: string, outputIndex: number) {
    this.responseId = responseId;
    this.itemId = itemId;
    this.outputIndex = outputIndex;
  }

  /** Descends to one content part of this item. */
  forContent(contentIndex: number): ContentEventBuilder {
    return new ContentEventBuilder(this.responseId, this.itemId, this.outputIndex, contentIndex);
  }

  /**
   * `response.output_item.added`. The spec gives this event no `item_id` field: the id
   * travels inside `item`, so pass an item whose `id` is this builder's `itemId`.
   */
  outputItemAdded(
    eventId: string,
    item: E<'response.output_item.added'>['item'],
  ): E<'response.output_item.added'> {
    return {
      type: 'response.output_item.added',
      event_id: eventId,
      response_id: this.responseId,
      output_index: this.outputIndex,
      item,
    };
  }

  /** `response.output_item.done`: the finished item (see {@link outputItemAdded} on ids). */
  outputItemDone(
    eventId: string,
    item: E<'response.output_item.done'>['item'],
  ): E<'response.output_item.done'> {
    return {
      type: 'response.output_item.done',
      event_id: eventId,
      response_id: this.responseId,
      output_index: this.outputIndex,
      item,
    };
  }

  /** `response.function_call_arguments.delta`. */
  functionCallArgumentsDelta(
    eventId: string,
    callId: string,
    delta: string,
  ): E<'response.function_call_arguments.delta'> {
    return {
      type: 'response.function_call_arguments.delta',
      event_id: eventId,
      response_id: this.responseId,
      item_id: this.itemId,
      output_index: this.outputIndex,
      call_id: callId,
      delta,
    };
  }

  /** `response.function_call_arguments.done` with the complete arguments JSON text. */
  functionCallArgumentsDone(
    eventId: string,
    callId: string,
    name: string,
    args: string,
  ): E<'response.function_call_arguments.done'> {
    return {
      type: 'response.function_call_arguments.done',
      event_id: eventId,
      response_id: this.responseId,
      item_id: this.itemId,
      output_index: this.outputIndex,
      call_id: callId,
      name,
      arguments: args,
    };
  }

  /** `response.mcp_call_arguments.delta`; `obfuscation` `null` is written, `undefined` omitted. */
  mcpCallArgumentsDelta(
    eventId: string,
    delta: string,
    obfuscation?: string | null,
  ): E<'response.mcp_call_arguments.delta'> {
    const event: E<'response.mcp_call_arguments.delta'> = {
      type: 'response.mcp_call_arguments.delta',
      event_id: eventId,
      response_id: this.responseId,
      item_id: this.itemId,
      output_index: this.outputIndex,
      delta,
    };
    setOptional(event, 'obfuscation', obfuscation);
    return event;
  }

  /** `response.mcp_call_arguments.done`. */
  mcpCallArgumentsDone(eventId: string, args: string): E<'response.mcp_call_arguments.done'> {
    return {
      type: 'response.mcp_call_arguments.done',
      event_id: eventId,
      response_id: this.responseId,
      item_id: this.itemId,
      output_index: this.outputIndex,
      arguments: args,
    };
  }
}
