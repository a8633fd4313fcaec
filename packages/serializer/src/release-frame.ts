import { outputSlab } from './engine/output-slab.ts';

/**
 * Hands a frame back to the encoders once its bytes have been written to the socket (or
 * copied) and nothing reads it any more, so its memory can be written again instead of left
 * to the GC. Every `…Bytes` encoder, every context encoder and the engine (`@rtwire/server`
 * with `frames: 'bytes'`) cut their frames from one shared buffer; a host that hands them back
 * keeps that buffer warm in cache and makes no garbage for a streamed response.
 *
 * Optional: a frame never handed back is collected as any other `Uint8Array`. Call it once
 * per frame, with the frame as it was returned, and only when nothing will read it again:
 * with `ws`, in the send callback (which runs once the socket has written it). Anything else
 * (a copy, another buffer, a second call for the same frame) is ignored.
 *
 * @example
 * ```ts
 * import { releaseFrame } from '@rtwire/serializer';
 * import { createRealtimeSession } from '@rtwire/server';
 *
 * const session = createRealtimeSession({
 *   model,
 *   send: (frame) => ws.send(frame, { binary: false }, () => releaseFrame(frame)),
 * });
 * ```
 */
export function releaseFrame(frame: Uint8Array): void {
  outputSlab.handBack(frame);
}
