/**
 * Writes `src/generated/simd-wasm-bytes.ts` from `scripts/simd-module.ts`.
 *
 * Run with `pnpm --filter @rtwire/serializer run generate:wasm`; a test fails when the
 * committed file differs from what this writes.
 */
import { writeFileSync } from 'node:fs';
import { renderSimdWasmSource } from './render-simd-wasm.ts';

writeFileSync(
  new URL('../src/generated/simd-wasm-bytes.ts', import.meta.url),
  renderSimdWasmSource(),
);
