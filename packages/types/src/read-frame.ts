import { createDecodeError, type DecodeError, MAX_EVENT_ID_LENGTH } from './decode-error.ts';

/** What the decoders accept: a JSON text frame, its UTF-8 bytes, or a value already parsed. */
export type FrameInput = string | Uint8Array | ArrayBuffer | ArrayBufferView | unknown;

/** A frame read down to a plain object with an own string `type`. */
export type FrameObject = { type: string } & Record<string, unknown>;

// `ignoreBOM` keeps a byte order mark in the text, so JSON.parse refuses it as it does in a
// string frame: one answer for both forms, and RFC 8259 §8.1 says senders must not add one.
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Reads a JSON text frame, or its UTF-8 bytes, to a plain object with an own string `type`,
 * or says why it cannot. Never throws: JSON.parse builds plain data, so reading it cannot run
 * code, and its errors are caught.
 *
 * @example
 * ```ts
 * readFrame('{"type":"response.create"}'); // { type: 'response.create' }
 * readFrame('[]'); // DecodeError { code: 'not_an_object', … }
 * ```
 */
export function readFrame(
  input: string | ArrayBuffer | ArrayBufferView,
): FrameObject | DecodeError {
  if (typeof input === 'string') return checkParsed(parseJson(input));
  let text: string;
  try {
    text = utf8.decode(input);
  } catch {
    return createDecodeError('invalid_utf8', '', 'expected the frame to be valid UTF-8');
  }
  return checkParsed(parseJson(text));
}

/**
 * Reads the `type` of a value the caller parsed, once: a getter could answer differently the
 * next time, so callers use the returned string, not the field. Values must be plain objects:
 * arrays, class instances and objects whose `type` is inherited (prototype tricks) are
 * rejected, so nothing downstream trusts a borrowed field.
 *
 * May throw on a hostile value (a getter, a proxy trap, a revoked proxy): callers catch.
 *
 * @example
 * ```ts
 * readType({ type: 'response.create' }); // 'response.create'
 * readType(Object.create({ type: 'error' })); // DecodeError { code: 'not_an_object', … }
 * ```
 */
export function readType(input: unknown): string | DecodeError {
  if (typeof input === 'function' || typeof input === 'symbol' || typeof input === 'bigint') {
    return createDecodeError(
      'invalid_input',
      '',
      'expected a string, bytes or a parsed JSON value',
    );
  }
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return notAnObject();
  const prototype = Object.getPrototypeOf(input);
  if (prototype !== Object.prototype && prototype !== null) {
    return createDecodeError('not_an_object', '', 'expected the frame to be a plain JSON object');
  }
  if (!Object.hasOwn(input, 'type')) return missingType(input);
  const type = (input as { type: unknown }).type;
  return typeof type === 'string' ? type : missingType(input);
}

/**
 * The frame's own string `event_id` when it has one of at most {@link MAX_EVENT_ID_LENGTH}
 * characters. For error paths only: it reads the frame again. Never throws.
 *
 * @example
 * ```ts
 * eventIdOf({ type: 'session.update', event_id: 'evt_1' }); // 'evt_1'
 * ```
 */
export function eventIdOf(frame: object): string | undefined {
  try {
    // Own only: an id inherited from a polluted Object.prototype is nobody's id.
    if (!Object.hasOwn(frame, 'event_id')) return undefined;
    const eventId = (frame as { event_id: unknown }).event_id;
    return typeof eventId === 'string' && eventId.length <= MAX_EVENT_ID_LENGTH
      ? eventId
      : undefined;
  } catch {
    // A hostile getter costs the error its id, not its code.
    return undefined;
  }
}

/**
 * Checks what JSON.parse returned. Its objects are always plain, and an own `"__proto__"` key
 * is data, not a prototype, so `type` can only be an own property here.
 */
function checkParsed(value: unknown): FrameObject | DecodeError {
  if (value === INVALID_JSON) {
    return createDecodeError('invalid_json', '', 'expected the frame to be JSON text');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return notAnObject();
  return typeof (value as { type: unknown }).type === 'string' && Object.hasOwn(value, 'type')
    ? (value as FrameObject)
    : missingType(value);
}

// Frames that are not objects have no `event_id` to carry.
const notAnObject = () =>
  createDecodeError('not_an_object', '', 'expected the frame to be a JSON object');
const missingType = (frame: object) =>
  createDecodeError('missing_type', '/type', 'expected the frame to have a string "type"', {
    eventId: eventIdOf(frame),
  });

const INVALID_JSON: unique symbol = Symbol('invalid JSON');

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return INVALID_JSON;
  }
}
