import { createDecodeError, type DecodeError } from './decode-error.ts';
import type { ClientEventType, ServerEventType, UnknownEvent } from './event-of.ts';
import {
  CLIENT_EVENT_CHECKS,
  CLIENT_EVENT_SHAPES,
  SERVER_EVENT_CHECKS,
  SERVER_EVENT_SHAPES,
} from './generated/event-shapes.ts';
import {
  LEGACY_EVENT_NAMES,
  type RealtimeClientEvent,
  type RealtimeServerEvent,
} from './generated/event-types.ts';
import { exceedsNesting, MAX_NESTING_DEPTH, nestingOverflowPath } from './nesting.ts';
import { eventIdOf, type FrameInput, type FrameObject, readFrame, readType } from './read-frame.ts';
import type { EventCheck, Shape } from './shape.ts';
import { describeKinds, toJsonPointer, validateShape } from './validate-shape.ts';

/** Options of {@link decodeServerEvent} and {@link decodeClientEvent}. */
export interface DecodeOptions {
  /**
   * What to do with beta-era event names (`response.text.delta`, `response.audio.*`,
   * `response.audio_transcript.*`): `'keep'` (default) returns them as unknown events, as
   * they came; `'normalize'` renames them to their GA names and validates them as such.
   */
  readonly legacyNames?: 'keep' | 'normalize';
  /**
   * The deepest nesting accepted, the frame object being level 1. A deeper frame is refused as
   * `too_deep`, known type or not, so no recursive walk downstream (a merge, a copy, an
   * encoder) ever meets one. Frames given as text or bytes (what a socket delivers) are always
   * checked, against {@link MAX_NESTING_DEPTH} (128) by default; a value the caller parsed is
   * checked only when this is set, since the check reads every field and so would run the
   * traps of a hostile value that the decoder otherwise never touches.
   */
  readonly maxNesting?: number;
}

/**
 * The outcome of decoding a frame: a known event that passed validation, an event of a type
 * this version does not know (all fields kept), or an error saying which field was wrong.
 */
export type DecodeResult<E> =
  | { readonly ok: true; readonly known: true; readonly event: E }
  | { readonly ok: true; readonly known: false; readonly event: UnknownEvent }
  | { readonly ok: false; readonly error: DecodeError };

/**
 * Decodes and validates a frame the server sent. Never throws, whatever the input: a value
 * that throws when read (a getter, a proxy trap, a revoked proxy) is refused as
 * `invalid_input`, and nothing it threw reaches the error.
 *
 * Required fields and their JSON types are checked for every known event, nested objects
 * where the spec fixes their shape; everything else, extra fields included, is kept as it
 * came, so the event deep-equals the input JSON. A refused JSON object's own `event_id` is
 * in `error.eventId`, ready to echo back (see {@link DecodeError}).
 *
 * @example
 * ```ts
 * const result = decodeServerEvent(frame);
 * if (result.ok && result.known && result.event.type === 'response.output_text.delta') {
 *   process.stdout.write(result.event.delta);
 * }
 * ```
 */
export function decodeServerEvent(
  input: FrameInput,
  options?: DecodeOptions,
): DecodeResult<RealtimeServerEvent> {
  return decodeWith(input, SERVER_EVENTS, options);
}

/**
 * Decodes and validates a frame a client sent. Never throws. See {@link decodeServerEvent}.
 *
 * @example
 * ```ts
 * const result = decodeClientEvent('{"type":"response.create"}');
 * // { ok: true, known: true, event: { type: 'response.create' } }
 * ```
 */
export function decodeClientEvent(
  input: FrameInput,
  options?: DecodeOptions,
): DecodeResult<RealtimeClientEvent> {
  return decodeWith(input, CLIENT_EVENTS, options);
}

/**
 * What a decoder knows of one union of events: the fast check and the shape of each `type`,
 * and the beta-era names it may rename (none outside the realtime protocol).
 */
export interface EventTable {
  readonly checks: ReadonlyMap<string, EventCheck>;
  readonly shapes: Readonly<Record<string, Shape>>;
  readonly legacyNames: Readonly<Record<string, string>>;
}

const SERVER_EVENTS: EventTable = {
  checks: SERVER_EVENT_CHECKS,
  shapes: SERVER_EVENT_SHAPES,
  legacyNames: LEGACY_EVENT_NAMES,
};
const CLIENT_EVENTS: EventTable = {
  checks: CLIENT_EVENT_CHECKS,
  shapes: CLIENT_EVENT_SHAPES,
  legacyNames: LEGACY_EVENT_NAMES,
};

/** Decodes a frame against one union's table; every decoder of the package is this. */
export function decodeWith<E>(
  input: FrameInput,
  table: EventTable,
  options: DecodeOptions | undefined,
): DecodeResult<E> {
  // The hot path: JSON.parse output is plain data, so reading it cannot throw or run code.
  // ArrayBuffer.isView reads an internal slot: unlike instanceof, it runs no proxy trap.
  if (typeof input === 'string' || ArrayBuffer.isView(input)) {
    const text = input as string | ArrayBufferView;
    return decodeFrame(readFrame(text), text, table, options);
  }
  return decodeValue(input, table, options);
}

/**
 * Values the caller parsed are where hostile ones arrive (getters, proxies, revoked proxies),
 * and any read may throw: one try around the whole path, which strings and bytes skip.
 */
function decodeValue<E>(
  input: unknown,
  table: EventTable,
  options: DecodeOptions | undefined,
): DecodeResult<E> {
  try {
    if (input instanceof ArrayBuffer) {
      return decodeFrame(readFrame(input), input, table, options);
    }
    const type = readType(input);
    if (typeof type !== 'string') return { ok: false, error: type };
    return decodeEvent(input as FrameObject, type, table, options, options?.maxNesting);
  } catch {
    // Whatever was thrown is input too: it is neither read nor kept.
    return {
      ok: false,
      error: createDecodeError(
        'invalid_input',
        '',
        'reading the frame threw (a getter or a proxy trap); expected plain JSON data',
      ),
    };
  }
}

function decodeFrame<E>(
  frame: FrameObject | DecodeError,
  source: string | ArrayBufferView | ArrayBuffer,
  table: EventTable,
  options: DecodeOptions | undefined,
): DecodeResult<E> {
  // A DecodeError never has a `type`; a parsed frame always has an own string `type`.
  const type = (frame as { type?: unknown }).type;
  if (typeof type !== 'string') return { ok: false, error: frame as DecodeError };
  const maxNesting = options?.maxNesting ?? MAX_NESTING_DEPTH;
  // Nesting past the limit needs more opening brackets than the limit in the text: counting
  // them (a native scan) clears nearly every frame without walking the parsed value.
  const check = hasMoreBrackets(source, maxNesting) ? maxNesting : undefined;
  return decodeEvent(frame as FrameObject, type, table, options, check);
}

/**
 * Validates a frame whose `type` was read once, as `type`, first walking it for nesting past
 * `maxNesting` when that is set.
 */
function decodeEvent<E>(
  frame: FrameObject,
  type: string,
  table: EventTable,
  options: DecodeOptions | undefined,
  maxNesting: number | undefined,
): DecodeResult<E> {
  const { checks, shapes, legacyNames } = table;
  if (maxNesting !== undefined && exceedsNesting(frame, maxNesting)) {
    const path = nestingOverflowPath(frame, maxNesting) ?? '';
    const known = checks.has(type) || Object.hasOwn(legacyNames, type);
    return {
      ok: false,
      error: createDecodeError(
        'too_deep',
        path,
        `${known ? type : 'frame'}: field ${path} nests deeper than ${maxNesting} levels`,
        { eventType: known ? type : undefined, eventId: eventIdOf(frame) },
      ),
    };
  }
  if (options?.legacyNames === 'normalize' && Object.hasOwn(legacyNames, type)) {
    type = legacyNames[type]!;
    // Never rename inside the caller's object: copy, then rename.
    frame = { ...frame, type } as FrameObject;
  }
  const check = checks.get(type);
  if (check === undefined) return { ok: true, known: false, event: frame };
  if (check(frame)) return { ok: true, known: true, event: frame as E };
  // The straight-line check said no; the shape interpreter says where and why.
  const failure = validateShape(frame, shapes[type]!);
  if (failure === undefined) return { ok: true, known: true, event: frame as E };
  const path = toJsonPointer(failure.segments);
  const expected = describeKinds(failure.expected);
  const message = failure.missing
    ? `${type}: required field ${path} is missing (expected ${expected})`
    : `${type}: field ${path || '(frame)'} must be ${expected}, got ${failure.actual}`;
  return {
    ok: false,
    error: createDecodeError(failure.missing ? 'missing_field' : 'invalid_field', path, message, {
      eventType: type,
      eventId: eventIdOf(frame),
    }),
  };
}

const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;

/** Whether the JSON text holds more than `limit` opening braces and brackets together. */
function hasMoreBrackets(source: string | ArrayBufferView | ArrayBuffer, limit: number): boolean {
  if (typeof source === 'string') {
    if (source.length <= limit * 2) return false;
    return countsPast(source, '{', '[', limit);
  }
  const bytes = ArrayBuffer.isView(source)
    ? new Uint8Array(source.buffer, source.byteOffset, source.byteLength)
    : new Uint8Array(source);
  if (bytes.length <= limit * 2) return false;
  return countsPast(bytes, OPEN_BRACE, OPEN_BRACKET, limit);
}

/** Counts two needles with the native `indexOf`, stopping once past `limit`. */
function countsPast<T extends string | number>(
  haystack: { indexOf(needle: T, from: number): number },
  first: T,
  second: T,
  limit: number,
): boolean {
  let count = 0;
  for (const needle of [first, second]) {
    for (let at = haystack.indexOf(needle, 0); at !== -1; at = haystack.indexOf(needle, at + 1)) {
      if (++count > limit) return true;
    }
  }
  return false;
}

export type { ClientEventType, ServerEventType };
