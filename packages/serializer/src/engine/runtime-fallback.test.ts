import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { anyString, extraFields } from '../../test/arbitraries.ts';
import { twins } from '../../test/builder-twins.ts';
import { referenceBase64 } from '../../test/node-buffer.ts';

const decoder = new TextDecoder('utf-8', { fatal: true });

// Short chunks take the plain-JS path; long ones the fast paths, past the SIMD staging area.
const pcmChunk = fc.oneof(
  fc.uint8Array({ maxLength: 64 }),
  fc.uint8Array({ minLength: 49, maxLength: 60_000, size: 'max' }),
);

// Each runtime shape: the globals a fast path needs are removed before the package loads.
const runtimes: Record<string, string[]> = {
  'no WebAssembly (Node under a policy that forbids compiling)': ['WebAssembly'],
  'no Buffer (Deno, browsers)': ['Buffer'],
  'no Buffer, no WebAssembly (Workers)': ['Buffer', 'WebAssembly'],
  'no Buffer, no WebAssembly, no TextEncoder': ['Buffer', 'WebAssembly', 'TextEncoder'],
};

afterEach(() => {
  vi.unstubAllGlobals();
  vi.resetModules();
});

describe.each(Object.entries(runtimes))('%s', (_name, missing) => {
  async function load() {
    vi.resetModules();
    for (const name of missing) vi.stubGlobal(name, undefined);
    return import('../index.ts');
  }

  it('encodes any event like JSON.stringify, as text and bytes', async () => {
    const { encodeServerEvent, encodeServerEventBytes } = await load();
    fc.assert(
      fc.property(anyString, extraFields, anyString, (type, extra, delta) => {
        const event = { type, ...extra, delta };
        const expected = JSON.stringify(event);
        expect(encodeServerEvent(event)).toBe(expected);
        expect(decoder.decode(encodeServerEventBytes(event))).toBe(expected);
      }),
      { numRuns: 300 },
    );
  });

  it('writes audio from PCM like the naive path', async () => {
    const { encoderFor } = await load();
    const context = {
      level: 'content' as const,
      responseId: 'resp_1',
      itemId: 'item_1',
      outputIndex: 0,
      contentIndex: 1,
    };
    const encoder = encoderFor(context);
    fc.assert(
      fc.property(pcmChunk, (pcm) => {
        const base64 = referenceBase64(pcm);
        const expected = JSON.stringify(twins.outputAudioDelta(context, 'event_1', base64));
        expect(decoder.decode(encoder.outputAudioDeltaFromPcm('event_1', pcm))).toBe(expected);
      }),
      { numRuns: 100 },
    );
  });
});
