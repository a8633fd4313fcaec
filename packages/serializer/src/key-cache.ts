import { maxJsonStringBytes, writeJsonString } from './utf8-writer.ts';

// Event keys repeat in every frame; arbitrary maps (metadata) must not grow the cache forever.
const MAX_KEYS = 2048;
const keys = new Map<string, Uint8Array>();

/** The UTF-8 bytes of `"key":`, escaped, cached for the protocol's few hundred key names. */
export function keyBytes(key: string): Uint8Array {
  let bytes = keys.get(key);
  if (bytes === undefined) {
    const scratch = new Uint8Array(maxJsonStringBytes(key.length) + 1);
    const end = writeJsonString(scratch, 0, key);
    scratch[end] = 0x3a;
    bytes = scratch.slice(0, end + 1);
    if (keys.size < MAX_KEYS) keys.set(key, bytes);
  }
  return bytes;
}
