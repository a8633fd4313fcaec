import { copyFrameInto } from './engine/frame-into.ts';
import {
  eventIdFrameBytes,
  type Fragment,
  fragment,
  quoteArgument,
  quoteEventId,
  StringFrameWriter,
  sharedFragment,
  startFrame,
} from './engine/frame-writer.ts';
import { isOmitted, toJsonValue } from './engine/json-value.ts';
import type { EventId } from './event-id-sequence.ts';
import type { BoundMethods, ContextEvent, ContextEventField } from './generated/context-events.ts';

// The writers of an event's text, bytes and `Into` methods by the shape of its payload, given
// the constant JSON (`scope`) written after its `event_id`: a context's ids for the context
// encoders, the audio layout for a translation audio delta.

const heads = new Map<string, Fragment>();
/** `{"type":"…","event_id":`, one per event type (keyed by the type literal, whose hash is kept). */
export function head(type: string): Fragment {
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
  const writer = new StringFrameWriter(first, middle);
  return {
    text: (eventId: EventId, value: string): string =>
      `${first.text}${quoteEventId(eventId)}${middle.text}${quoteArgument(value, key)}}`,
    bytes: (eventId: EventId, value: string): Uint8Array => writer.bytes(eventId, value),
    into: (eventId: EventId, value: string, target: Uint8Array, offset = 0): number =>
      copyFrameInto(writer.bytes(eventId, value), target, offset),
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
export function methodsOf(event: ContextEvent, scope: string): BoundMethods {
  const [only, ...more] = event.payload;
  if (only === undefined) return eventIdOnly(event.type, scope);
  if (more.length === 0 && !only.optional) {
    return only.kind === 'string'
      ? withString(event.type, scope, only.key)
      : withValue<unknown>(event.type, scope, only.key);
  }
  return withFields(event.type, scope, event.payload);
}
