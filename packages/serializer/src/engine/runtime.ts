/**
 * Feature detection of the fast paths this package can use. Nothing here is required: every
 * path has a plain-JS fallback with identical output, so the package runs on Node, Deno, Bun,
 * Workers and browsers alike.
 */

/** The parts of Node's `Buffer` the encoder uses, found on `globalThis`, never imported. */
export interface BufferFunctions {
  /** `Buffer.byteLength(s, 'utf8')`: native, so `=== s.length` proves `s` is ASCII. */
  readonly utf8Length: (text: string) => number;
  /** `buf.latin1Write(s, offset, length)` on any `Uint8Array`: a memcpy for one-byte strings. */
  readonly latin1Write: (
    target: Uint8Array,
    text: string,
    offset: number,
    length: number,
  ) => number;
  /** `buf.toString('base64')` over a view of `bytes`. */
  readonly base64: (bytes: Uint8Array) => string;
  /** `Buffer.allocUnsafeSlow(length)`: a fresh, unpooled, not zero-filled buffer. */
  readonly allocUnsafe: ((length: number) => Uint8Array) | undefined;
}

interface BufferLike {
  toString(encoding: string): string;
}
interface BufferStatic {
  byteLength(text: string, encoding: string): number;
  allocUnsafeSlow?: (length: number) => Uint8Array;
  from(buffer: ArrayBufferLike, byteOffset: number, length: number): BufferLike;
  prototype: { latin1Write?: unknown; base64Slice?: unknown };
}
type Latin1Write = (this: Uint8Array, text: string, offset: number, length: number) => number;
type Base64Slice = (this: Uint8Array, start: number, end: number) => string;

function detectBase64(candidate: BufferStatic): (bytes: Uint8Array) => string {
  // `base64Slice` is what `toString('base64')` calls after checking its arguments; it takes
  // any Uint8Array as `this`, so no Buffer object is made per call.
  const slice = candidate.prototype.base64Slice;
  if (typeof slice === 'function') {
    const base64Slice = slice as Base64Slice;
    try {
      if (base64Slice.call(new Uint8Array([1, 2, 3]), 0, 3) === 'AQID') {
        return (bytes) => base64Slice.call(bytes, 0, bytes.length);
      }
    } catch {
      // fall through to the public API
    }
  }
  return (bytes) =>
    candidate.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

function detectBuffer(): BufferFunctions | null {
  const candidate = (globalThis as { Buffer?: BufferStatic }).Buffer;
  if (typeof candidate?.byteLength !== 'function') return null;
  const write = candidate.prototype.latin1Write;
  if (typeof write !== 'function') return null;
  const latin1Write = write as Latin1Write;
  try {
    const probe = new Uint8Array(2);
    if (latin1Write.call(probe, 'ok', 0, 2) !== 2 || probe[0] !== 0x6f) return null;
  } catch {
    return null;
  }
  const allocUnsafeSlow = candidate.allocUnsafeSlow;
  return {
    allocUnsafe:
      typeof allocUnsafeSlow === 'function'
        ? (length) => allocUnsafeSlow.call(candidate, length)
        : undefined,
    utf8Length: (text) => candidate.byteLength(text, 'utf8'),
    latin1Write: (target, text, offset, length) => latin1Write.call(target, text, offset, length),
    base64: detectBase64(candidate),
  };
}

/** Node's `Buffer` functions when the runtime has a global `Buffer`, otherwise `null`. */
export const bufferFunctions: BufferFunctions | null = /* @__PURE__ */ detectBuffer();

interface TextEncoderLike {
  encodeInto(text: string, target: Uint8Array): { read: number; written: number };
}

function detectEncoder(): TextEncoderLike | null {
  const Encoder = (globalThis as { TextEncoder?: new () => TextEncoderLike }).TextEncoder;
  return typeof Encoder === 'function' ? new Encoder() : null;
}

/** A `TextEncoder` (for `encodeInto`) when the runtime has one, otherwise `null`. */
export const textEncoder: TextEncoderLike | null = /* @__PURE__ */ detectEncoder();

type ToBase64 = (this: Uint8Array) => string;

/** `Uint8Array.prototype.toBase64` (TC39 proposal, shipping in newer engines) or `null`. */
export const nativeToBase64: ToBase64 | null = ((): ToBase64 | null => {
  const method = (Uint8Array.prototype as { toBase64?: unknown }).toBase64;
  return typeof method === 'function' ? (method as ToBase64) : null;
})();
