import { outputSlab } from './output-slab.ts';

/**
 * A growable write buffer for values whose encoded size is not known up front. It is reused
 * across calls (its bytes are always copied out), so encoding allocates nothing once warm.
 */
export class ByteSink {
  buffer: Uint8Array = new Uint8Array(16 * 1024);
  /** A `DataView` of {@link buffer}, for word-sized writes. */
  view: DataView = new DataView(this.buffer.buffer);
  position = 0;

  /** Ensures `bytes` more bytes fit after {@link position}; returns {@link buffer}. */
  ensure(bytes: number): Uint8Array {
    if (this.position + bytes > this.buffer.length) this.grow(bytes);
    return this.buffer;
  }

  /**
   * Copies what was written into the output slab as a frame of its own, and returns it. The
   * sink is scratch memory, reused by the next call; the frame is never written again.
   */
  toFrame(): Uint8Array {
    const length = this.position;
    const target = outputSlab.reserve(length);
    target.set(this.buffer.subarray(0, length), outputSlab.start);
    return outputSlab.commit(outputSlab.start + length);
  }

  private grow(bytes: number): void {
    const next = new Uint8Array(Math.max(this.buffer.length * 2, this.position + bytes));
    next.set(this.buffer.subarray(0, this.position));
    this.buffer = next;
    this.view = new DataView(next.buffer);
  }
}
