import { createDecodeError, type DecodeError } from './decode-error.ts';

/** What the decoders accept: a JSON text frame, its UTF-8 bytes, or a value already parsed. */
export type FrameInput = string | Uint8Array | ArrayBuffer | ArrayBufferView | unknown;

/** A frame read down to a plain object with an own string `type`. */
export type FrameObject = { type: string } & Record<string, unknown>;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Reads a frame to a plain object with an own string `type`, or says why it cannot.
 * Parsed values must be plain objects: arrays, class instances and objects whose `type` is
 * inherited (prototype tricks) are rejected, so nothing downstream trusts a borrowed field.
 */
export function readFrame(input: FrameInput): FrameObject | DecodeError {
  if (typeof input === 'string') return checkParsed(parseJson(input));
  if (input instanceof Uint8Array || input instanceof ArrayBuffer || ArrayBuffer.isView(input)) {
    let text: string;
    try {
      text = utf8.decode(input as ArrayBuffer | ArrayBufferView);
    } catch {
      return createDecodeError('invalid_utf8', '', 'expected the frame to be valid UTF-8');
    }
    return checkParsed(parseJson(text));
  }
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
  if (!Object.hasOwn(input, 'type')) return missingType();
  return typeof (input as { type: unknown }).type === 'string'
    ? (input as FrameObject)
    : missingType();
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
    : missingType();
}

const notAnObject = () =>
  createDecodeError('not_an_object', '', 'expected the frame to be a JSON object');
const missingType = () =>
  createDecodeError('missing_type', '/type', 'expected the frame to have a string "type"');

const INVALID_JSON: unique symbol = Symbol('invalid JSON');

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return INVALID_JSON;
  }
}
