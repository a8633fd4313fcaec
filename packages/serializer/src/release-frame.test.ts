import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeServerEventBytes } from './encode-event.ts';
import { encoderFor } from './encoder-for.ts';
import { SLAB_BYTES } from './engine/output-slab.ts';
import { releaseFrame } from './release-frame.ts';

/** A frame of about `bytes` bytes, its text telling it apart from every other. */
function frameOf(serial: number, bytes: number): Uint8Array {
  return encodeServerEventBytes({
    type: 'response.output_text.delta',
    event_id: `event_${serial}`,
    delta: String(serial % 10).repeat(bytes),
  } as never);
}

function same(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let index = 0; index < a.length; index++) if (a[index] !== b[index]) return false;
  return true;
}

// The slab is one per module: each test runs after hand-backs have started, as in a host that
// releases every frame.
releaseFrame(new Uint8Array(8));

describe('releaseFrame', () => {
  it('writes a slab again, from its start, once every frame of it came back', () => {
    const encoder = encoderFor({
      level: 'content',
      responseId: 'resp_1',
      itemId: 'item_1',
      outputIndex: 0,
      contentIndex: 0,
    });
    const pcm = new Uint8Array(4800).fill(3);
    const buffers = new Set<ArrayBufferLike>();
    // Ten slabs' worth of 100 ms audio deltas, each handed back once "written".
    const frames = Math.ceil((10 * SLAB_BYTES) / 6500);
    for (let index = 0; index < frames; index++) {
      const frame = encoder.outputAudioDeltaFromPcm(`event_${index}`, pcm);
      buffers.add(frame.buffer);
      releaseFrame(frame);
    }
    // One buffer for all of it, written again each time it filled.
    expect(buffers.size).toBe(1);
  });

  it('keeps frames apart by the hundred, one response behind, as a socket writes a turn later', () => {
    const buffers = new Set<ArrayBufferLike>();
    let previous: Uint8Array[] = [];
    for (let response = 0; response < 40; response++) {
      const frames = Array.from({ length: 100 }, (_, index) =>
        frameOf(response * 100 + index, 6400),
      );
      for (const frame of frames) buffers.add(frame.buffer);
      // The last response's frames are still whole while this one was written.
      previous.forEach((frame, index) => {
        const text = new TextDecoder().decode(frame);
        expect(text).toContain(`"event_${(response - 1) * 100 + index}"`);
      });
      for (const frame of previous) releaseFrame(frame);
      previous = frames;
    }
    // Two responses of frames out at most: about 11 slabs, not 40 responses' worth (220).
    expect(buffers.size).toBeLessThanOrEqual(16);
  });

  it('never writes over a frame that is still out, whatever is handed back and when', () => {
    type Step =
      | { readonly kind: 'encode'; readonly bytes: number }
      | { readonly kind: 'release'; readonly pick: number }
      | { readonly kind: 'release-again'; readonly pick: number }
      | { readonly kind: 'release-copy'; readonly pick: number };
    const step: fc.Arbitrary<Step> = fc.oneof(
      {
        weight: 4,
        // Mostly what fits a slab many times; now and then one too big for a slab.
        arbitrary: fc
          .oneof(
            { weight: 6, arbitrary: fc.integer({ min: 0, max: 12_000 }) },
            { weight: 1, arbitrary: fc.integer({ min: SLAB_BYTES / 4, max: SLAB_BYTES / 3 }) },
          )
          .map((bytes) => ({ kind: 'encode' as const, bytes })),
      },
      { weight: 3, arbitrary: fc.nat().map((pick) => ({ kind: 'release' as const, pick })) },
      { weight: 1, arbitrary: fc.nat().map((pick) => ({ kind: 'release-again' as const, pick })) },
      { weight: 1, arbitrary: fc.nat().map((pick) => ({ kind: 'release-copy' as const, pick })) },
    );
    let serial = 0;
    fc.assert(
      fc.property(fc.array(step, { minLength: 100, maxLength: 300, size: 'max' }), (steps) => {
        const out: { frame: Uint8Array; bytes: Uint8Array }[] = [];
        const released: Uint8Array[] = [];
        for (const each of steps) {
          if (each.kind === 'encode') {
            const frame = frameOf(serial++, each.bytes);
            // A region is only ever written by an encode: every frame still out is as it was.
            for (const kept of out) expect(same(kept.frame, kept.bytes)).toBe(true);
            out.push({ frame, bytes: frame.slice() });
          } else if (each.kind === 'release' && out.length > 0) {
            const [taken] = out.splice(each.pick % out.length, 1);
            releaseFrame((taken as { frame: Uint8Array }).frame);
            released.push((taken as { frame: Uint8Array }).frame);
          } else if (each.kind === 'release-again' && released.length > 0) {
            // A second hand-back, maybe after its region was written again: ignored.
            releaseFrame(released[each.pick % released.length] as Uint8Array);
          } else if (each.kind === 'release-copy' && out.length > 0) {
            // Another view of a frame that is still out: not the frame, so ignored.
            const { frame } = out[each.pick % out.length] as { frame: Uint8Array };
            releaseFrame(new Uint8Array(frame.buffer, frame.byteOffset, frame.length));
          }
        }
        for (const kept of out) expect(same(kept.frame, kept.bytes)).toBe(true);
        for (const { frame } of out) releaseFrame(frame);
      }),
      { numRuns: 50 },
    );
  });

  it('ignores what it never handed out', () => {
    const foreign = new Uint8Array(64).fill(1);
    expect(() => releaseFrame(foreign)).not.toThrow();
    expect(() => releaseFrame(new Uint8Array(0))).not.toThrow();
    const frame = frameOf(1, 10);
    const copy = frame.slice();
    releaseFrame(copy);
    const next = frameOf(2, 10);
    expect(new TextDecoder().decode(frame)).toContain('"event_1"');
    expect(next.byteOffset).not.toBe(frame.byteOffset);
  });
});
