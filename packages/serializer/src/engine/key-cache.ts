import { maxJsonStringBytes, writeJsonString } from './utf8-writer.ts';

/**
 * The UTF-8 bytes of `"key":`, as little-endian 32-bit words (the last one zero-padded) so a
 * key is copied with a few word writes instead of a byte loop.
 */
export interface KeyWords {
  /** Bytes of `"key":`. */
  readonly length: number;
  /** `ceil(length / 4)` words; writing them all writes up to 3 bytes past `length`. */
  readonly words: Int32Array;
}

// Event keys repeat in every frame; arbitrary maps (metadata) must not grow the cache forever.
const MAX_KEYS = 2048;
const keys = new Map<string, KeyWords>();

/** {@link KeyWords} of `key`, cached for the protocol's few hundred key names. */
export function keyWords(key: string): KeyWords {
  let entry = keys.get(key);
  if (entry === undefined) {
    const scratch = new Uint8Array(maxJsonStringBytes(key.length) + 4);
    const end = writeJsonString(scratch, 0, key);
    scratch[end] = 0x3a;
    const length = end + 1;
    const words = new Int32Array((length + 3) >> 2);
    const view = new DataView(scratch.buffer);
    for (let index = 0; index < words.length; index++) {
      words[index] = view.getInt32(index * 4, true);
    }
    entry = { length, words };
    if (keys.size < MAX_KEYS) keys.set(key, entry);
  }
  return entry;
}
