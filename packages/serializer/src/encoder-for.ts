import type {
  ContentEncoderContext,
  ContentEventEncoder,
  EncoderContext,
  EncoderOf,
  IntoTwins,
  ItemEncoderContext,
  ItemEventEncoder,
  ResponseEncoderContext,
  ResponseEventEncoder,
} from './encoder-context.ts';
import { numberToJson } from './engine/encode-number.ts';
import { quoteJsonString } from './engine/escape-json-string.ts';
import { copyFrameInto } from './engine/frame-into.ts';
import { fragment, pcmFrameBytes } from './engine/frame-writer.ts';
import type { EventId } from './event-id-sequence.ts';
import { head, methodsOf } from './event-methods.ts';
import {
  assembleContentEncoder,
  assembleItemEncoder,
  assembleResponseEncoder,
  type BoundMethods,
  CONTENT_EVENTS,
  type ContextEvent,
  ITEM_EVENTS,
  RESPONSE_EVENTS,
} from './generated/context-events.ts';

/**
 * An encoder bound to a builder context: the same terminal methods as the builder (same
 * arguments), returning the encoded frame instead of the event object. The JSON prefix of the
 * fixed context is computed here, once; each call writes only what varies. Every method `m`
 * has a twin `mBytes` returning UTF-8 bytes (never reused later, safe to queue by reference)
 * and a twin `mInto(...args, target, offset)` writing them into the caller's buffer (see
 * {@link IntoTwins}).
 *
 * Parsed, every frame deep-equals `JSON.stringify` of the event the builder twin returns.
 *
 * @example
 * ```ts
 * const content = new ResponseEventBuilder('resp_1').forItem('item_1', 0).forContent(0);
 * const encoder = encoderFor(content);
 * // Node `ws`: bytes as a text frame (Realtime frames are always text).
 * ws.send(encoder.outputTextDeltaBytes('event_7', 'Hel'), { binary: false });
 * ws.send(encoder.outputAudioDeltaFromPcm('event_8', pcm16Chunk), { binary: false });
 *
 * // A web-standard WebSocket sends a Uint8Array as binary: give it the string.
 * webSocket.send(encoder.outputTextDelta('event_9', 'Hel'));
 *
 * // Where send copies before it returns (uWebSockets.js): one reused buffer.
 * const length = encoder.outputAudioDeltaFromPcmInto('event_10', pcm16Chunk, scratch, 0);
 * uwsSocket.send(scratch.subarray(0, length), false);
 * ```
 */
export function encoderFor<C extends EncoderContext>(context: C): EncoderOf<C> {
  switch (context.level) {
    case 'response':
      return responseEncoder(context) as EncoderOf<C>;
    case 'item':
      return itemEncoder(context) as EncoderOf<C>;
    case 'content':
      return contentEncoder(context) as EncoderOf<C>;
    default: {
      const unknown: never = context;
      throw new TypeError(
        `encoderFor: context.level must be 'response', 'item' or 'content', got ${JSON.stringify(
          String((unknown as { level?: unknown }).level),
        )}`,
      );
    }
  }
}

function stringField(value: unknown, name: string): string {
  if (typeof value !== 'string')
    throw new TypeError(`encoderFor: context.${name} must be a string`);
  return quoteJsonString(value);
}

function numberField(value: unknown, name: string): string {
  if (typeof value !== 'number')
    throw new TypeError(`encoderFor: context.${name} must be a number`);
  return numberToJson(value);
}

/** A context's values by spec field name, JSON-encoded once per context. */
function contextJson(context: EncoderContext): Readonly<Record<string, string>> {
  const json: Record<string, string> = {
    response_id: stringField(context.responseId, 'responseId'),
  };
  if (context.level !== 'response') {
    json.item_id = stringField(context.itemId, 'itemId');
    json.output_index = numberField(context.outputIndex, 'outputIndex');
  }
  if (context.level === 'content') {
    json.content_index = numberField(context.contentIndex, 'contentIndex');
  }
  return json;
}

/** For each event of a table, which of the table's distinct context lists it carries. */
interface TableScopes {
  readonly lists: readonly (readonly string[])[];
  readonly indexOf: readonly number[];
}

const tableScopes = new WeakMap<readonly ContextEvent[], TableScopes>();

function scopesOf(events: readonly ContextEvent[]): TableScopes {
  let found = tableScopes.get(events);
  if (found === undefined) {
    const keys: string[] = [];
    const lists: (readonly string[])[] = [];
    const indexOf = events.map((event) => {
      const key = event.context.join();
      let index = keys.indexOf(key);
      if (index < 0) index = keys.push(key) - 1;
      lists[index] = event.context;
      return index;
    });
    found = { lists, indexOf };
    tableScopes.set(events, found);
  }
  return found;
}

/** The JSON of a context list (`,"response_id":"r","item_id":"i",…`) for a context's values. */
function scopeJson(list: readonly string[], values: Readonly<Record<string, string>>): string {
  let scope = '';
  for (const key of list) scope += `,"${key}":${values[key]}`;
  return scope;
}

/** The context JSON each event of a table carries, made once per distinct context list. */
function eventScopes(
  events: readonly ContextEvent[],
  values: Readonly<Record<string, string>>,
): string[] {
  const { lists, indexOf } = scopesOf(events);
  const scopes = lists.map((list) => scopeJson(list, values));
  return indexOf.map((index) => scopes[index] as string);
}

/** The methods of every event of a context's table, in table order. */
function bind(events: readonly ContextEvent[], scopes: readonly string[]): BoundMethods[] {
  return events.map((event, index) => methodsOf(event, scopes[index] as string));
}

function responseEncoder(context: ResponseEncoderContext): ResponseEventEncoder {
  const scopes = eventScopes(RESPONSE_EVENTS, contextJson(context));
  return assembleResponseEncoder(bind(RESPONSE_EVENTS, scopes)) as unknown as ResponseEventEncoder;
}

function itemEncoder(context: ItemEncoderContext): ItemEventEncoder {
  const scopes = eventScopes(ITEM_EVENTS, contextJson(context));
  return assembleItemEncoder(bind(ITEM_EVENTS, scopes)) as unknown as ItemEventEncoder;
}

/** The table entry whose frame `outputAudioDeltaFromPcm` writes from raw PCM. */
const AUDIO_DELTA = CONTENT_EVENTS.findIndex(
  (event) => event.type === 'response.output_audio.delta',
);

function contentEncoder(context: ContentEncoderContext): ContentEventEncoder {
  const scopes = eventScopes(CONTENT_EVENTS, contextJson(context));
  const pcmHead = head('response.output_audio.delta');
  // The audio delta's own scope: the PCM frame is that event, its payload written in place.
  const pcmMiddle = fragment(`${scopes[AUDIO_DELTA] as string},"delta":"`);
  const fromPcm = (eventId: EventId, pcm: Uint8Array) =>
    pcmFrameBytes(pcmHead, eventId, pcmMiddle, pcm);
  return assembleContentEncoder(bind(CONTENT_EVENTS, scopes), {
    outputAudioDeltaFromPcm: fromPcm,
    outputAudioDeltaFromPcmInto: (
      eventId: EventId,
      pcm: Uint8Array,
      target: Uint8Array,
      offset = 0,
    ) => copyFrameInto(fromPcm(eventId, pcm), target, offset),
  }) as unknown as ContentEventEncoder;
}
