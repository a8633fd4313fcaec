import { bufferFunctions } from './runtime.ts';

// Every byte of a slab is written before it is handed out, so zero-filling is wasted work:
// Node's allocUnsafeSlow skips it; elsewhere a Uint8Array it is.
const allocate: (length: number) => Uint8Array =
  bufferFunctions?.allocUnsafe ?? ((length) => new Uint8Array(length));

/**
 * Bytes of one slab. A fresh buffer costs about the same (~0.7 µs, most of it GC bookkeeping)
 * from 4 KiB up to 128 KiB, so a big slab spreads that over many frames (about 19 audio deltas
 * of 100 ms); above that, allocators switch to mmap and page faults make it far dearer.
 */
export const SLAB_BYTES = 120 * 1024;

/**
 * Where encoded frames live. Frames are `Uint8Array` views of regions that are handed out once
 * and never written again: `ws` (and most socket libraries) queue a sent buffer by reference,
 * so reusing an output buffer would corrupt frames still waiting to be written. When a slab
 * is full a new one is allocated; the old one is freed by the GC once its frames are.
 */
export class OutputSlab {
  /** The buffer the current frame is written into. */
  buffer: Uint8Array = new Uint8Array(0);
  /** A `DataView` of {@link buffer}, for word-sized writes. */
  view: DataView = new DataView(this.buffer.buffer);
  /** Where the current frame starts in {@link buffer}. */
  start = 0;
  /** The `ArrayBuffer` under {@link buffer} and where {@link buffer} starts in it. */
  private backing: ArrayBufferLike = this.buffer.buffer;
  private base = 0;

  /** Makes room for a frame of at most `maxBytes` at {@link start}; returns {@link buffer}. */
  reserve(maxBytes: number): Uint8Array {
    if (this.start + maxBytes > this.buffer.length) this.replace(maxBytes);
    return this.buffer;
  }

  private replace(maxBytes: number): void {
    const fresh = allocate(maxBytes > SLAB_BYTES / 4 ? maxBytes : SLAB_BYTES);
    // A plain Uint8Array view: `subarray` of a Node Buffer runs Buffer's JS constructor
    // (species), which costs about 20 ns more per frame.
    const buffer = new Uint8Array(fresh.buffer, fresh.byteOffset, fresh.length);
    this.buffer = buffer;
    this.view = new DataView(buffer.buffer, buffer.byteOffset, buffer.length);
    this.backing = buffer.buffer;
    this.base = buffer.byteOffset;
    this.start = 0;
  }

  /** The last committed frame, for {@link release}. */
  private lastFrame: Uint8Array | undefined;

  /** Seals the frame written from {@link start} up to `end` and returns it. */
  commit(end: number): Uint8Array {
    // The constructor, not `subarray`: it skips the species lookup, ~20-40 ns a frame.
    const frame = new Uint8Array(this.backing, this.base + this.start, end - this.start);
    this.lastFrame = frame;
    // 8-byte aligned starts keep the next frame's copies on word boundaries.
    this.start = (end + 7) & ~7;
    return frame;
  }

  /**
   * Takes back the region of `frame` when it is the last frame committed, once its bytes have
   * been copied out and no view of it has escaped: the next frame is written in the same,
   * still cached, memory. Anything else is left alone.
   */
  release(frame: Uint8Array): void {
    // Identity, not offsets: reading `.buffer` of a view costs more than the copy it saves.
    if (frame === this.lastFrame) {
      this.start = frame.byteOffset - this.base;
      this.lastFrame = undefined;
    }
  }
}

/** The slab every encoder of this package writes its returned frames into. */
export const outputSlab: OutputSlab = new OutputSlab();
