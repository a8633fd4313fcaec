import { outputSlab } from './output-slab.ts';

/**
 * Copies a frame an encoder has just returned into `target` at `offset`, gives its slab
 * region back (the frame never leaves this module), and returns its byte length. Throws a
 * `RangeError` naming the sizes when `target` has too little room; the frame's bytes are
 * never part of a message.
 */
export function copyFrameInto(frame: Uint8Array, target: Uint8Array, offset: number): number {
  const length = frame.length;
  const fits =
    target instanceof Uint8Array &&
    Number.isInteger(offset) &&
    offset >= 0 &&
    offset + length <= target.length;
  if (fits) target.set(frame, offset);
  outputSlab.takeBack(frame);
  if (fits) return length;
  if (!(target instanceof Uint8Array)) {
    throw new TypeError('encoderFor: target must be a Uint8Array');
  }
  throw new RangeError(
    `encoderFor: target has ${Math.max(0, target.length - offset)} bytes free at offset ${offset}; the frame needs ${length}`,
  );
}
