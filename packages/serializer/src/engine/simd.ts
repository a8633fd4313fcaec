import { SIMD_MEMORY_PAGES, SIMD_WASM_BYTES } from '../generated/simd-wasm-bytes.ts';
import { bufferFunctions, textEncoder } from './runtime.ts';

/** The instantiated SIMD module and its memory layout. */
export interface Simd {
  /** The whole module memory. Never grows, so this view stays valid. */
  readonly memory: Uint8Array;
  /** Non-zero when a byte in `[0, length)` needs JSON escaping or is not ASCII. */
  readonly scan: (length: number) => number;
  /** Base64 of `blocks * 12` bytes at `source`, written as `blocks * 16` bytes at `target`. */
  readonly base64: (source: number, blocks: number, target: number) => void;
}

/** Bytes of the scan area at the start of the memory (the largest string the scan takes). */
export const SCAN_CAPACITY = 128 * 1024;
/** Where base64 input is staged, and its capacity (a multiple of 12). */
export const BASE64_SOURCE = SCAN_CAPACITY;
export const BASE64_SOURCE_CAPACITY = 48 * 1020;
/** Where base64 output is written. */
export const BASE64_TARGET = BASE64_SOURCE + 64 * 1024;

interface WebAssemblyLike {
  Module: new (bytes: Uint8Array) => unknown;
  Instance: new (module: unknown, imports: object) => { exports: Record<string, unknown> };
  validate(bytes: Uint8Array): boolean;
}

let simd: Simd | null | undefined;

/**
 * The SIMD module, instantiated on first use; `null` where WebAssembly or its SIMD proposal is
 * missing, or where compiling code at runtime is forbidden (Cloudflare Workers, strict CSP).
 */
export function getSimd(): Simd | null {
  if (simd !== undefined) return simd;
  simd = null;
  const wasm = (globalThis as { WebAssembly?: WebAssemblyLike }).WebAssembly;
  if (wasm === undefined || (bufferFunctions === null && textEncoder === null)) return simd;
  try {
    if (!wasm.validate(SIMD_WASM_BYTES)) return simd;
    const { exports } = new wasm.Instance(new wasm.Module(SIMD_WASM_BYTES), {});
    const memory = new Uint8Array((exports.m as { buffer: ArrayBuffer }).buffer);
    if (memory.length < SIMD_MEMORY_PAGES * 65536) return simd;
    simd = {
      memory,
      scan: exports.scan as Simd['scan'],
      base64: exports.base64 as Simd['base64'],
    };
  } catch {
    simd = null;
  }
  return simd;
}

/**
 * A reader of `length` bytes of the SIMD memory at `start`. The memory never grows, so a view
 * stays valid; deltas of one stream have one size, so the view (a ~25 ns object) is made again
 * only when the length changes.
 */
export function memoryReader(start: number): (simd: Simd, length: number) => Uint8Array {
  let view: Uint8Array = new Uint8Array(0);
  return (simd, length) => {
    if (view.length !== length) view = simd.memory.subarray(start, start + length);
    return view;
  };
}
