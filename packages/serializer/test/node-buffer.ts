/** Node's Buffer, for reference values in tests (the package itself never needs it). */
interface NodeBuffer {
  from(bytes: Uint8Array): { toString(encoding: 'base64' | 'latin1'): string };
}

const NodeBuffer = (globalThis as unknown as { Buffer: NodeBuffer }).Buffer;

/** Standard padded base64, computed by Node. */
export function referenceBase64(bytes: Uint8Array): string {
  return NodeBuffer.from(bytes).toString('base64');
}

/** Bytes as latin1 text. */
export function latin1(bytes: Uint8Array): string {
  return NodeBuffer.from(bytes).toString('latin1');
}
