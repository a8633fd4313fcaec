import { Buffer } from 'node:buffer';

/**
 * A frame parsed as a JSON object, `undefined` when it is not one. For the few frames a call
 * must read whole (a `response.done`'s response id, an audio delta of an unusual shape):
 * frames that only pass through the call are never parsed.
 *
 * @example
 * ```ts
 * parseFrame('{"type":"response.done","response":{"id":"resp_1"}}')?.response; // { id: 'resp_1' }
 * parseFrame('not json'); // undefined
 * ```
 */
export function parseFrame(frame: string | Uint8Array): Record<string, unknown> | undefined {
  try {
    const event: unknown = JSON.parse(
      typeof frame === 'string' ? frame : Buffer.from(frame).toString('utf8'),
    );
    return typeof event === 'object' && event !== null
      ? (event as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
