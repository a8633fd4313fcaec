// PCM16 on the wire is little-endian. An Int16Array holds samples in the host's byte order,
// which is little-endian on every runtime this package targets; a big-endian host gets a
// swapped copy rather than wrong audio.
const HOST_IS_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * The little-endian bytes of PCM16 audio: a `Uint8Array` as it is, an `Int16Array`'s own
 * memory viewed as bytes (no copy). Throws a `TypeError` naming `where` for anything else.
 */
export function pcm16Bytes(pcm: Uint8Array | Int16Array, where: string): Uint8Array {
  if (pcm instanceof Uint8Array) return pcm;
  if (!(pcm instanceof Int16Array)) {
    throw new TypeError(`${where}: pcm must be a Uint8Array or an Int16Array`);
  }
  if (HOST_IS_LITTLE_ENDIAN) return new Uint8Array(pcm.buffer, pcm.byteOffset, pcm.byteLength);
  const bytes = new Uint8Array(pcm.byteLength);
  const view = new DataView(bytes.buffer);
  for (let index = 0; index < pcm.length; index++) view.setInt16(index * 2, pcm[index]!, true);
  return bytes;
}
