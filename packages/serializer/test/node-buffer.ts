// Node's Buffer, for reference values in tests (the package itself never needs it). Imported,
// not read from globalThis: the edge-runtime matrix removes the global.
import { Buffer as NodeBuffer } from 'node:buffer';

/** Standard padded base64, computed by Node. */
export function referenceBase64(bytes: Uint8Array): string {
  return NodeBuffer.from(bytes).toString('base64');
}

/** Bytes as latin1 text. */
export function latin1(bytes: Uint8Array): string {
  return NodeBuffer.from(bytes).toString('latin1');
}

/** The bytes of standard base64, decoded by Node. */
export function referenceBytes(base64: string): Uint8Array {
  return new Uint8Array(NodeBuffer.from(base64, 'base64'));
}
