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
import {
  eventIdFrameBytes,
  type Fragment,
  fragment,
  frameBytes,
  pcmFrameBytes,
  quoteArgument,
  quoteEventId,
  sharedFragment,
  startFrame,
} from './engine/frame-writer.ts';
import { isOmitted, toJsonValue } from './engine/json-value.ts';
import type { EventId } from './event-id-sequence.ts';
import {
  assembleContentEncoder,
  assembleItemEncoder,
  assembleResponseEncoder,
  type BoundMethods,
  CONTENT_EVENTS,
  type ContextEvent,
  type ContextEventField,
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

const heads = new Map<string, Fragment>();
/** `{"type":"…","event_id":`, one per event type (keyed by the type literal, whose hash is kept). */
function head(type: string): Fragment {
  let found = heads.get(type);
  if (found === undefined) {
    found = sharedFragment(`{"type":"${type}","event_id":`);
    heads.set(type, found);
  }
  return found;
}

/** A method whose only variable field is the event id. */
function eventIdOnly(type: string, rest: string) {
  const first = head(type);
  const tail = fragment(`${rest}}`);
  return {
    text: (eventId: EventId): string => first.text + quoteEventId(eventId) + tail.text,
    bytes: (eventId: EventId): Uint8Array => eventIdFrameBytes(first, eventId, tail),
    into: (eventId: EventId, target: Uint8Array, offset = 0): number =>
      copyFrameInto(eventIdFrameBytes(first, eventId, tail), target, offset),
  };
}

/** A method with the event id and one string payload field, last in the event. */
function withString(type: string, scope: string, key: string) {
  const first = head(type);
  const middle = fragment(`${scope},"${key}":`);
  return {
    text: (eventId: EventId, value: string): string =>
      `${first.text}${quoteEventId(eventId)}${middle.text}${quoteArgument(value, key)}}`,
    bytes: (eventId: EventId, value: string): Uint8Array =>
      frameBytes(first, eventId, middle, value),
    into: (eventId: EventId, value: string, target: Uint8Array, offset = 0): number =>
      copyFrameInto(frameBytes(first, eventId, middle, value), target, offset),
  };
}

/** A method with the event id and one JSON value (an item, a part), last in the event. */
function withValue<T>(type: string, scope: string, key: string) {
  const first = head(type);
  const middle = fragment(scope);
  const member = sharedFragment(`,"${key}":`);
  const close = sharedFragment('}');
  function bytes(eventId: EventId, value: T): Uint8Array {
    const frame = startFrame(first).eventId(eventId).fragment(middle);
    const resolved = toJsonValue(value, key);
    if (!isOmitted(resolved)) frame.fragment(member).value(resolved, key);
    return frame.fragment(close).end();
  }
  return {
    text: (eventId: EventId, value: T): string => {
      const json = valueJson(value, key);
      const rest = json === undefined ? '}' : `${member.text}${json}}`;
      return `${first.text}${quoteEventId(eventId)}${middle.text}${rest}`;
    },
    bytes,
    into: (eventId: EventId, value: T, target: Uint8Array, offset = 0): number =>
      copyFrameInto(bytes(eventId, value), target, offset),
  };
}

function valueJson(value: unknown, key: string): string | undefined {
  const resolved = toJsonValue(value, key);
  return isOmitted(resolved) ? undefined : JSON.stringify(resolved);
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

/** A method with several payload fields, or optional ones: each written in wire order. */
function withFields(type: string, scope: string, payload: readonly ContextEventField[]) {
  const first = head(type);
  // A first field that is always there and always a string shares a fragment with the scope.
  const joined = payload[0]?.kind === 'string' && !payload[0].optional;
  const lead = fragment(joined ? `${scope},"${payload[0]?.key}":` : scope);
  const keys = payload.map((field) => sharedFragment(`,"${field.key}":`));
  const close = sharedFragment('}');
  const bytes = (eventId: EventId, values: readonly unknown[]): Uint8Array => {
    const frame = startFrame(first).eventId(eventId).fragment(lead);
    for (let index = 0; index < payload.length; index++) {
      const field = payload[index] as ContextEventField;
      const value = values[index];
      if (field.optional && value === undefined) continue;
      if (field.kind === 'string' && value !== null) {
        if (!(joined && index === 0)) frame.fragment(keys[index] as Fragment);
        frame.string(value as string, field.name);
        continue;
      }
      const resolved = value === null && field.optional ? null : toJsonValue(value, field.name);
      if (isOmitted(resolved)) continue;
      frame.fragment(keys[index] as Fragment).value(resolved, field.name);
    }
    return frame.fragment(close).end();
  };
  const text = (eventId: EventId, values: readonly unknown[]): string => {
    let json = `${first.text}${quoteEventId(eventId)}${scope}`;
    for (let index = 0; index < payload.length; index++) {
      const field = payload[index] as ContextEventField;
      const value = values[index];
      if (field.optional && value === undefined) continue;
      const encoded =
        field.kind === 'string' && value !== null
          ? quoteArgument(value as string, field.name)
          : value === null && field.optional
            ? 'null'
            : valueJson(value, field.name);
      if (encoded !== undefined) json += `,"${field.key}":${encoded}`;
    }
    return `${json}}`;
  };
  return positional(payload.length, text, bytes);
}

type Writer<R> = (eventId: EventId, values: readonly unknown[]) => R;

/**
 * The methods of a multi-field writer with real parameters (so `length` is right and no rest
 * array is made per call); the `Into` twin takes the target and offset after them.
 */
function positional(count: number, text: Writer<string>, bytes: Writer<Uint8Array>) {
  const into = (eventId: EventId, values: readonly unknown[], target: Uint8Array, offset = 0) =>
    copyFrameInto(bytes(eventId, values), target, offset);
  switch (count) {
    case 2:
      return {
        text: (eventId: EventId, a: unknown, b: unknown) => text(eventId, [a, b]),
        bytes: (eventId: EventId, a: unknown, b: unknown) => bytes(eventId, [a, b]),
        into: (eventId: EventId, a: unknown, b: unknown, target: Uint8Array, offset?: number) =>
          into(eventId, [a, b], target, offset),
      };
    case 3:
      return {
        text: (eventId: EventId, a: unknown, b: unknown, c: unknown) => text(eventId, [a, b, c]),
        bytes: (eventId: EventId, a: unknown, b: unknown, c: unknown) => bytes(eventId, [a, b, c]),
        into: (
          eventId: EventId,
          a: unknown,
          b: unknown,
          c: unknown,
          target: Uint8Array,
          offset?: number,
        ) => into(eventId, [a, b, c], target, offset),
      };
    default: {
      // Any other count (no event of the spec has one yet): the same, through rest arrays.
      const withCount = <R>(method: (...args: never[]) => R): typeof method => {
        Object.defineProperty(method, 'length', { value: count + 1 });
        return method;
      };
      return {
        text: withCount((eventId: EventId, ...values: unknown[]) =>
          text(eventId, values.slice(0, count)),
        ),
        bytes: withCount((eventId: EventId, ...values: unknown[]) =>
          bytes(eventId, values.slice(0, count)),
        ),
        into: (eventId: EventId, ...rest: unknown[]) =>
          into(
            eventId,
            rest.slice(0, count),
            rest[count] as Uint8Array,
            rest[count + 1] as number | undefined,
          ),
      };
    }
  }
}

/** The text, bytes and `Into` methods of one event, by the shape of its payload. */
function methodsOf(event: ContextEvent, scope: string) {
  const [only, ...more] = event.payload;
  if (only === undefined) return eventIdOnly(event.type, scope);
  if (more.length === 0 && !only.optional) {
    return only.kind === 'string'
      ? withString(event.type, scope, only.key)
      : withValue<unknown>(event.type, scope, only.key);
  }
  return withFields(event.type, scope, event.payload);
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
