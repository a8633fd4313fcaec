import fc from 'fast-check';
import {
  CONTENT_EVENTS,
  type ContextEvent,
  type ContextEventField,
  type ContextEventMethod,
  ITEM_EVENTS,
  RESPONSE_EVENTS,
} from '../src/generated/context-events.ts';
import { anyString, anyValue } from './arbitraries.ts';

/**
 * Object literals of the events `@rtwire/builders` builds, in its key order (type, event_id,
 * context fields, payload), made from the event catalogue the types generator derives from
 * the spec. The encoder's frames must equal JSON.stringify of these; `real-builders.test.ts`
 * holds the builders to the same, and the builders' own tests hold their events to the spec.
 */
export interface Context {
  level: 'content';
  responseId: string;
  itemId: string;
  outputIndex: number;
  contentIndex: number;
}

type Twin = (context: Context, eventId: string, ...payload: unknown[]) => object;
type Level = 'response' | 'item' | 'content';

const LEVELS: readonly (readonly [Level, readonly ContextEvent[]])[] = [
  ['response', RESPONSE_EVENTS],
  ['item', ITEM_EVENTS],
  ['content', CONTENT_EVENTS],
];

const contextValue = (context: Context, key: string): unknown =>
  ({
    response_id: context.responseId,
    item_id: context.itemId,
    output_index: context.outputIndex,
    content_index: context.contentIndex,
  })[key];

function twinOf(event: ContextEvent): Twin {
  return (context, eventId, ...payload) => {
    const twin: Record<string, unknown> = { type: event.type, event_id: eventId };
    for (const key of event.context) twin[key] = contextValue(context, key);
    event.payload.forEach((field, index) => {
      const value = payload[index];
      if (!(field.optional && value === undefined)) twin[field.key] = value;
    });
    return twin;
  };
}

/** Arbitrary arguments of an optional field: left out, `undefined`, `null`, or a value. */
function argumentsFor(payload: readonly ContextEventField[]): fc.Arbitrary<unknown[]> {
  const required = payload.filter((field) => !field.optional);
  const optional = payload.filter((field) => field.optional);
  const arbitraryOf = (field: ContextEventField) =>
    field.kind === 'string' ? anyString : anyValue;
  // A required argument left undefined is a caller's error the builder refuses (a TypeError),
  // so required values are anything but that.
  const base = fc.tuple(
    anyString,
    ...required.map((field) => arbitraryOf(field).filter((value) => value !== undefined)),
  );
  if (optional.length === 0) return base;
  const present = fc.tuple(
    ...optional.map((field) => fc.oneof(fc.constantFrom(null, undefined), arbitraryOf(field))),
  );
  return fc.oneof(
    base,
    fc.tuple(base, present).map(([head, tail]) => [...head, ...tail]),
  );
}

const entries = LEVELS.flatMap(([level, events]) => events.map((event) => ({ level, event })));

/** The twin of every context method, by method name. */
export const twins = Object.fromEntries(
  entries.map(({ event }) => [event.method, twinOf(event)]),
) as Readonly<Record<ContextEventMethod, Twin>>;

/** The context level of every method. */
export const levelOf = Object.fromEntries(
  entries.map(({ level, event }) => [event.method, level]),
) as Readonly<Record<ContextEventMethod, Level>>;

/** Arbitrary arguments (after the context) of each twin's encoder method. */
export const argumentsOf = Object.fromEntries(
  entries.map(({ event }) => [event.method, argumentsFor(event.payload)]),
) as Readonly<Record<ContextEventMethod, fc.Arbitrary<unknown[]>>>;
