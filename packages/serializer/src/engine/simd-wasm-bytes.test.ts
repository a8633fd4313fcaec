import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { renderSimdWasmSource } from '../../scripts/render-simd-wasm.ts';
import { assembleSimdModule } from '../../scripts/simd-module.ts';
import { latin1, referenceBase64 } from '../../test/node-buffer.ts';
import { SIMD_WASM_BYTES } from '../generated/simd-wasm-bytes.ts';
import committedSource from '../generated/simd-wasm-bytes.ts?raw';
import { BASE64_SOURCE, BASE64_TARGET, getSimd } from './simd.ts';

describe('the embedded SIMD module', () => {
  it('is what scripts/simd-module.ts assembles (run `pnpm generate:wasm` after editing it)', () => {
    expect([...SIMD_WASM_BYTES]).toStrictEqual([...assembleSimdModule()]);
    expect(committedSource).toBe(renderSimdWasmSource());
  });

  it('scan flags exactly the bytes JSON escapes or that are not ASCII', () => {
    const simd = getSimd();
    expect(simd).not.toBeNull();
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 300, size: 'max' }), (bytes) => {
        const length = (bytes.length + 63) & ~63;
        simd!.memory.fill(0x41, 0, length);
        simd!.memory.set(bytes, 0);
        const dirty = bytes.some((b) => b < 0x20 || b === 0x22 || b === 0x5c || b >= 0x80);
        return (simd!.scan(length) !== 0) === dirty;
      }),
      { numRuns: 2000 },
    );
  });

  it('scan flags each byte value exactly when it must, in every lane of a row', () => {
    const simd = getSimd()!;
    for (let byte = 0; byte < 256; byte++) {
      const dirty = byte < 0x20 || byte === 0x22 || byte === 0x5c || byte >= 0x80;
      for (let position = 0; position < 128; position++) {
        simd.memory.fill(0x41, 0, 128);
        simd.memory[position] = byte;
        expect(simd.scan(128) !== 0, `0x${byte.toString(16)} at ${position}`).toBe(dirty);
      }
    }
  });

  it('base64 writes what Buffer writes', () => {
    const simd = getSimd()!;
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000, size: 'max' }), (bytes) => {
        const blocks = Math.floor(bytes.length / 12);
        simd.memory.set(bytes, BASE64_SOURCE);
        simd.base64(BASE64_SOURCE, blocks, BASE64_TARGET);
        const written = simd.memory.subarray(BASE64_TARGET, BASE64_TARGET + blocks * 16);
        const expected = referenceBase64(bytes.subarray(0, blocks * 12));
        return latin1(written) === expected;
      }),
      { numRuns: 500 },
    );
  });
});
