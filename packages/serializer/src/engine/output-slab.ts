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
 * Slabs whose frames all came back, kept to be written again (about 1 MiB). Beyond it they
 * are left to the GC, as every slab is when its frames are never handed back.
 */
const POOLED_SLABS = 8;

/** One slab, once frames are handed back: which of its frames are still out. */
class SlabRecord {
  readonly buffer: Uint8Array;
  readonly view: DataView;
  readonly base: number;
  /**
   * The frames handed out, in order; a slot is emptied when its frame comes back. The frame
   * itself is kept to check identity: a stale hand-back of a frame whose region was written
   * again must not free the new frame there. (A map by offset cost a text delta ~0.3 µs.)
   */
  readonly frames: (Uint8Array | undefined)[] = [];
  /** The first slot not emptied: frames mostly come back in the order they went. */
  first = 0;
  /** How many frames are out. */
  out = 0;

  constructor(buffer: Uint8Array) {
    this.buffer = buffer;
    this.view = new DataView(buffer.buffer, buffer.byteOffset, buffer.length);
    this.base = buffer.byteOffset;
  }

  /** Empties the slot of `frame`; `false` when it is not a frame of this slab that is out. */
  handBack(frame: Uint8Array): boolean {
    const frames = this.frames;
    let index = this.first;
    if (frames[index] !== frame) {
      index = frames.indexOf(frame, index);
      if (index < 0) return false;
    }
    frames[index] = undefined;
    this.out--;
    if (this.out === 0) {
      frames.length = 0;
      this.first = 0;
    } else if (index === this.first) {
      while (frames[this.first] === undefined) this.first++;
    }
    return true;
  }
}

/**
 * Where encoded frames live. Frames are `Uint8Array` views of regions that are handed out once
 * and not written again while anyone may read them: `ws` (and most socket libraries) queue a
 * sent buffer by reference, so reusing an output buffer early would corrupt frames still
 * waiting to be written. When a slab is full a new one is taken; the old one is freed by the
 * GC once its frames are.
 *
 * A host that says when a frame has been written ({@link handBack}, through `releaseFrame`)
 * lets the slab write over it: a slab all of whose frames came back is written again from its
 * start, still in cache, and with no garbage for the GC (each fresh slab is external memory,
 * which makes V8 collect sooner). Tracking starts with the first hand-back, so hosts that
 * never hand frames back pay nothing for it.
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
  /** The last committed frame, for {@link takeBack}. */
  private lastFrame: Uint8Array | undefined;
  /** Whether frames are handed back: set by the first {@link handBack}. */
  private tracking = false;
  /** The current buffer's record while tracking (none for a frame too big for a slab). */
  private record: SlabRecord | undefined;
  /** Every tracked slab by its `ArrayBuffer`: weak, so a slab whose frames never come back is collected. */
  private readonly records = new WeakMap<ArrayBufferLike, SlabRecord>();
  /** Slabs whose frames all came back, to be written again. */
  private readonly pool: SlabRecord[] = [];

  /** Makes room for a frame of at most `maxBytes` at {@link start}; returns {@link buffer}. */
  reserve(maxBytes: number): Uint8Array {
    if (this.start + maxBytes > this.buffer.length) this.replace(maxBytes);
    return this.buffer;
  }

  private replace(maxBytes: number): void {
    const slabSized = maxBytes <= SLAB_BYTES / 4;
    if (slabSized && this.tracking) {
      const current = this.record;
      // Every frame of the current slab came back: write it again from its start.
      if (current !== undefined && current.out === 0) {
        this.start = 0;
        this.lastFrame = undefined;
        return;
      }
      const pooled = this.pool.pop();
      if (pooled !== undefined) {
        this.use(pooled.buffer, pooled);
        return;
      }
    }
    // A frame too big for a slab gets a buffer of its own: an emptied slab it replaces is kept.
    const left = this.record;
    if (left !== undefined && left.out === 0 && this.pool.length < POOLED_SLABS) {
      this.pool.push(left);
    }
    const fresh = allocate(slabSized ? SLAB_BYTES : maxBytes);
    // A plain Uint8Array view: `subarray` of a Node Buffer runs Buffer's JS constructor
    // (species), which costs about 20 ns more per frame.
    const buffer = new Uint8Array(fresh.buffer, fresh.byteOffset, fresh.length);
    let record: SlabRecord | undefined;
    if (slabSized && this.tracking) {
      record = new SlabRecord(buffer);
      this.records.set(buffer.buffer, record);
    }
    this.use(buffer, record);
  }

  private use(buffer: Uint8Array, record: SlabRecord | undefined): void {
    this.buffer = buffer;
    this.view = record?.view ?? new DataView(buffer.buffer, buffer.byteOffset, buffer.length);
    this.backing = buffer.buffer;
    this.base = buffer.byteOffset;
    this.start = 0;
    this.lastFrame = undefined;
    this.record = record;
  }

  /** Seals the frame written from {@link start} up to `end` and returns it. */
  commit(end: number): Uint8Array {
    // The constructor, not `subarray`: it skips the species lookup, ~20-40 ns a frame.
    const frame = new Uint8Array(this.backing, this.base + this.start, end - this.start);
    this.lastFrame = frame;
    const record = this.record;
    if (record !== undefined) {
      record.frames.push(frame);
      record.out++;
    }
    // 8-byte aligned starts keep the next frame's copies on word boundaries.
    this.start = (end + 7) & ~7;
    return frame;
  }

  /**
   * Takes back the region of `frame` when it is the last frame committed, once its bytes have
   * been copied out and no view of it has escaped: the next frame is written in the same,
   * still cached, memory. Anything else is left alone.
   */
  takeBack(frame: Uint8Array): void {
    // Identity, not offsets: reading `.buffer` of a view costs more than the copy it saves.
    if (frame === this.lastFrame) {
      this.start = frame.byteOffset - this.base;
      this.lastFrame = undefined;
      this.record?.handBack(frame);
    }
  }

  /**
   * A frame this slab handed out has been written (or copied) and nothing reads it any more:
   * its region may be written again. Anything else (another buffer, a copy, a second hand-back
   * of one frame) is ignored.
   */
  handBack(frame: Uint8Array): void {
    this.tracking = true;
    const current = this.record;
    const record =
      current !== undefined && frame.buffer === this.backing
        ? current
        : this.records.get(frame.buffer);
    if (record === undefined || !record.handBack(frame)) return;
    if (frame === this.lastFrame) this.lastFrame = undefined;
    if (record !== current && record.out === 0 && this.pool.length < POOLED_SLABS) {
      this.pool.push(record);
    }
  }
}

/** The slab every encoder of this package writes its returned frames into. */
export const outputSlab: OutputSlab = new OutputSlab();
