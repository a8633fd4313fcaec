/**
 * Assembles the WebAssembly SIMD module that `src/generated/simd-wasm-bytes.ts` embeds.
 *
 * The module is small enough to write by hand, so there is no toolchain to install: this file
 * is its source, `scripts/generate-wasm.ts` writes the bytes, and a test fails when the
 * embedded bytes and this source disagree.
 *
 * Exports:
 * - `m`: the memory (5 pages).
 * - `scan(length) -> i32`: non-zero when any byte in `[0, length)` is below 0x20, is `"` or
 *   `\`, or is 0x80 or above. `length` must be a multiple of 64 (the caller pads).
 * - `base64(source, blocks, target)`: writes the base64 of `blocks * 12` bytes at `source` as
 *   `blocks * 16` ASCII bytes at `target`; reads 4 bytes past each block.
 */

const SIMD = 0xfd;
const op = {
  block: 0x02,
  loop: 0x03,
  br: 0x0c,
  brIf: 0x0d,
  end: 0x0b,
  localGet: 0x20,
  localSet: 0x21,
  localTee: 0x22,
  i32Const: 0x41,
  i32GeU: 0x4f,
  i32LtU: 0x49,
  i32Add: 0x6a,
  i32Sub: 0x6b,
  i32Eqz: 0x45,
} as const;
const simd = {
  load: 0x00,
  store: 0x0b,
  const: 0x0c,
  shuffle: 0x0d,
  swizzle: 0x0e,
  i8x16Splat: 0x0f,
  i32x4Splat: 0x11,
  i8x16Eq: 0x23,
  i8x16LtS: 0x25,
  and: 0x4e,
  or: 0x50,
  xor: 0x51,
  anyTrue: 0x53,
  i8x16Add: 0x6e,
  i8x16SubSatU: 0x73,
  i8x16MinS: 0x76,
  i8x16MinU: 0x77,
  i32x4ShrU: 0xad,
  i16x8Mul: 0x95,
} as const;

const I32 = 0x7f;
const V128 = 0x7b;

function uleb(value: number): number[] {
  const out: number[] = [];
  let rest = value >>> 0;
  do {
    let byte = rest & 0x7f;
    rest >>>= 7;
    if (rest !== 0) byte |= 0x80;
    out.push(byte);
  } while (rest !== 0);
  return out;
}

function sleb(value: number): number[] {
  const out: number[] = [];
  let rest = value | 0;
  for (;;) {
    const byte = rest & 0x7f;
    rest >>= 7;
    const done = (rest === 0 && (byte & 0x40) === 0) || (rest === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}

function vec(items: number[][]): number[] {
  return [...uleb(items.length), ...items.flat()];
}

function section(id: number, body: number[]): number[] {
  return [id, ...uleb(body.length), ...body];
}

const s = (code: number, ...immediates: number[]): number[] => [SIMD, ...uleb(code), ...immediates];
const get = (index: number): number[] => [op.localGet, ...uleb(index)];
const set = (index: number): number[] => [op.localSet, ...uleb(index)];
const tee = (index: number): number[] => [op.localTee, ...uleb(index)];
const i32 = (value: number): number[] => [op.i32Const, ...sleb(value)];
const splat8 = (value: number): number[] => [...i32(value), ...s(simd.i8x16Splat)];
const splat32 = (value: number): number[] => [...i32(value), ...s(simd.i32x4Splat)];
// Memory immediates: alignment hint 1 (no alignment promised), then the constant offset.
const load = (offset: number): number[] => s(simd.load, 0, ...uleb(offset));
const store = (offset: number): number[] => s(simd.store, 0, ...uleb(offset));

// scan(length): locals 0 = length, 1 = i; v128 locals 2 = signed min of v ^ 0x02, 3 = unsigned
// min of v ^ '\\', 4 = v, 5..6 = constants. `v ^ 0x02` maps '"' to 0x20 and keeps control
// characters below 0x20 and bytes >= 0x80 negative, so one signed minimum below 0x21 catches
// all three; a backslash makes the other minimum 0. Four vector operations per 16 bytes; four
// vectors per iteration, so `length` must be a multiple of 64.
const scanVector = (offset: number): number[] => [
  ...get(1),
  ...load(offset),
  ...set(4),
  ...get(2),
  ...get(4),
  ...get(5),
  ...s(simd.xor),
  ...s(simd.i8x16MinS),
  ...set(2),
  ...get(3),
  ...get(4),
  ...get(6),
  ...s(simd.xor),
  ...s(simd.i8x16MinU),
  ...set(3),
];
const scanBody: number[] = [
  ...splat8(0x7f),
  ...set(2),
  ...splat8(-1),
  ...set(3),
  ...splat8(0x02),
  ...set(5),
  ...splat8(0x5c),
  ...set(6),
  op.block,
  0x40,
  op.loop,
  0x40,
  ...get(1),
  ...get(0),
  op.i32GeU,
  op.brIf,
  1,
  ...scanVector(0),
  ...scanVector(16),
  ...scanVector(32),
  ...scanVector(48),
  ...get(1),
  ...i32(64),
  op.i32Add,
  ...set(1),
  op.br,
  0,
  op.end,
  op.end,
  ...get(2),
  ...splat8(0x21),
  ...s(simd.i8x16LtS),
  ...get(3),
  ...splat8(0),
  ...s(simd.i8x16Eq),
  ...s(simd.or),
  ...s(simd.anyTrue),
  op.end,
];

// Per 32-bit lane the shuffle builds v = b1 | b0 << 8 | b2 << 16 | b1 << 24: the low 16 bits
// hold b0b1 (index 0 in bits 10-15, index 1 in bits 4-9), the high 16 bits b1b2 (index 2 in
// bits 6-11, index 3 in bits 0-5). Each index then moves to its output byte: 0 and 2 by two
// 32-bit right shifts, 1 and 3 by one 16-bit multiply (x16 in the low half, x256 in the high).
const SHUFFLE = [1, 0, 2, 1, 4, 3, 5, 4, 7, 6, 8, 7, 10, 9, 11, 10];
// Offset added to each 6-bit index, looked up by (index - 51) saturated, or 13 for index < 26.
const OFFSETS = [71, 252, 252, 252, 252, 252, 252, 252, 252, 252, 252, 237, 240, 65, 0, 0];

// base64(source, blocks, target): locals 0 = source, 1 = blocks, 2 = target; v128 locals
// 3..10 = constants, 11 = v, 12 = the indices. Four blocks per iteration while at least four
// are left (independent chains the CPU overlaps), then one at a time.
const base64Block = (block: number): number[] => [
  ...get(2),
  ...get(0),
  ...load(block * 12),
  ...tee(11),
  ...get(11),
  ...s(simd.shuffle, ...SHUFFLE),
  ...tee(11),
  // indices = (v & 0x003f03f0) * [16, 256] | (v >>> 10 & 0x3f) | (v >>> 6 & 0x3f0000)
  ...get(3),
  ...s(simd.and),
  ...get(4),
  ...s(simd.i16x8Mul),
  ...get(11),
  ...i32(10),
  ...s(simd.i32x4ShrU),
  ...get(5),
  ...s(simd.and),
  ...s(simd.or),
  ...get(11),
  ...i32(6),
  ...s(simd.i32x4ShrU),
  ...get(6),
  ...s(simd.and),
  ...s(simd.or),
  ...set(12),
  // ascii = indices + OFFSETS[(indices - 51 saturated) | (indices < 26 ? 13 : 0)]
  ...get(7),
  ...get(12),
  ...get(8),
  ...s(simd.i8x16SubSatU),
  ...get(12),
  ...get(9),
  ...s(simd.i8x16LtS),
  ...get(10),
  ...s(simd.and),
  ...s(simd.or),
  ...s(simd.swizzle),
  ...get(12),
  ...s(simd.i8x16Add),
  ...store(block * 16),
];
const advance = (blocks: number): number[] => [
  ...get(0),
  ...i32(blocks * 12),
  op.i32Add,
  ...set(0),
  ...get(2),
  ...i32(blocks * 16),
  op.i32Add,
  ...set(2),
  ...get(1),
  ...i32(blocks),
  op.i32Sub,
  ...set(1),
];
const base64Body: number[] = [
  ...splat32(0x003f03f0),
  ...set(3),
  ...splat32(0x01000010),
  ...set(4),
  ...splat32(0x3f),
  ...set(5),
  ...splat32(0x3f0000),
  ...set(6),
  ...s(simd.const, ...OFFSETS),
  ...set(7),
  ...splat8(51),
  ...set(8),
  ...splat8(26),
  ...set(9),
  ...splat8(13),
  ...set(10),
  op.block,
  0x40,
  op.loop,
  0x40,
  ...get(1),
  ...i32(4),
  op.i32LtU,
  op.brIf,
  1,
  ...base64Block(0),
  ...base64Block(1),
  ...base64Block(2),
  ...base64Block(3),
  ...advance(4),
  op.br,
  0,
  op.end,
  op.end,
  op.block,
  0x40,
  op.loop,
  0x40,
  ...get(1),
  op.i32Eqz,
  op.brIf,
  1,
  ...base64Block(0),
  ...advance(1),
  op.br,
  0,
  op.end,
  op.end,
  op.end,
];

function body(locals: Array<[count: number, type: number]>, code: number[]): number[] {
  const content = [...vec(locals.map(([count, type]) => [...uleb(count), type])), ...code];
  return [...uleb(content.length), ...content];
}

function name(text: string): number[] {
  const bytes = [...text].map((c) => c.charCodeAt(0));
  return [...uleb(bytes.length), ...bytes];
}

/** Memory pages of the module (64 KiB each). */
export const SIMD_MEMORY_PAGES = 5;

/** The module's bytes. */
export function assembleSimdModule(): Uint8Array {
  const types = vec([
    [0x60, ...vec([[I32]]), ...vec([[I32]])],
    [0x60, ...vec([[I32], [I32], [I32]]), ...vec([])],
  ]);
  const functions = vec([uleb(0), uleb(1)]);
  const memory = vec([[0x00, ...uleb(SIMD_MEMORY_PAGES)]]);
  const exports = vec([
    [...name('m'), 0x02, ...uleb(0)],
    [...name('scan'), 0x00, ...uleb(0)],
    [...name('base64'), 0x00, ...uleb(1)],
  ]);
  const code = vec([
    body(
      [
        [1, I32],
        [5, V128],
      ],
      scanBody,
    ),
    body([[10, V128]], base64Body),
  ]);
  return new Uint8Array([
    0x00,
    0x61,
    0x73,
    0x6d,
    0x01,
    0x00,
    0x00,
    0x00,
    ...section(1, types),
    ...section(3, functions),
    ...section(5, memory),
    ...section(7, exports),
    ...section(10, code),
  ]);
}
