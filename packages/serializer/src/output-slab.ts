import { bufferFunctions } from './runtime.ts';

// Every byte of a slab is written before it is handed out, so zero-filling is wasted work:
// Node's allocUnsafeSlow skips it (3x faster for 64 KiB); elsewhere a Uint8Array it is.
const allocate: (length: number) => Uint8Array =
  bufferFunctions?.allocUnsafe ?? ((length) => new Uint8Array(length));

/** Bytes of one slab. A frame holds its slab alive until the frame itself is released. */
export const SLAB_BYTES = 64 * 1024;

/**
 * Where encoded frames live. Frames are `subarray` views of regions that are handed out once
 * and never written again: `ws` (and most socket libraries) queue a sent buffer by reference,
 * so reusing an output buffer would corrupt frames still waiting to be written. When a slab
 * is full a new one is allocated; the old one is freed by the GC once its frames are.
 */
export class OutputSlab {
  /** The buffer the current frame is written into. */
  buffer: Uint8Array = new Uint8Array(0);
  /** Where the current frame starts in {@link buffer}. */
  start = 0;

  /** Makes room for a frame of at most `maxBytes` at {@link start}; returns {@link buffer}. */
  reserve(maxBytes: number): Uint8Array {
    if (this.start + maxBytes > this.buffer.length) {
      this.buffer = allocate(maxBytes > SLAB_BYTES / 4 ? maxBytes : SLAB_BYTES);
      this.start = 0;
    }
    return this.buffer;
  }

  /** Seals the frame written from {@link start} up to `end` and returns it. */
  commit(end: number): Uint8Array {
    const frame = this.buffer.subarray(this.start, end);
    // 8-byte aligned starts keep the next frame's copies on word boundaries.
    this.start = (end + 7) & ~7;
    return frame;
  }
}

/** The slab every encoder of this package writes its returned frames into. */
export const outputSlab: OutputSlab = new OutputSlab();
