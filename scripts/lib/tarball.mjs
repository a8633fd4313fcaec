// A minimal reader for the gzipped ustar archives `pnpm pack` writes: enough to look inside
// a tarball without a dependency or a `tar` binary.
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

/**
 * Every regular file in a `.tgz`, keyed by its path with the leading `package/` removed.
 * @param {string} tarballPath
 * @returns {Map<string, Buffer>}
 */
export function readTarball(tarballPath) {
  const archive = gunzipSync(readFileSync(tarballPath));
  /** @type {Map<string, Buffer>} */
  const files = new Map();
  let offset = 0;
  /** @type {string | undefined} */
  let paxPath;
  while (offset + 512 <= archive.length) {
    const header = archive.subarray(offset, offset + 512);
    if (header.every((byte) => byte === 0)) break;
    const field = (/** @type {number} */ start, /** @type {number} */ length) =>
      header.toString('utf8', start, start + length).replace(/\0.*$/s, '');
    const size = Number.parseInt(field(124, 12).trim() || '0', 8);
    const type = field(156, 1) || '0';
    const prefix = field(345, 155);
    const name = prefix ? `${prefix}/${field(0, 100)}` : field(0, 100);
    const body = archive.subarray(offset + 512, offset + 512 + size);
    if (type === 'x') {
      const match = /\d+ path=([^\n]*)\n/.exec(body.toString('utf8'));
      paxPath = match?.[1];
    } else {
      if (type === '0') files.set((paxPath ?? name).replace(/^[^/]*\//, ''), Buffer.from(body));
      paxPath = undefined;
    }
    offset += 512 + Math.ceil(size / 512) * 512;
  }
  return files;
}
