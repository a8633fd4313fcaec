import fc from 'fast-check';

const specials = ['"', '\\', '\u2028', '\u2029', '\u007f', '/', '\ud800', '\udfff', '\ud83d\ude00'];

/** One UTF-16 unit or pair: ASCII, controls, lone surrogates, astral characters, specials. */
const unit: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)) },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 0x1f }).map((c) => String.fromCharCode(c)) },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)) },
  {
    weight: 2,
    arbitrary: fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)),
  },
  {
    weight: 1,
    arbitrary: fc.integer({ min: 0x10000, max: 0x10ffff }).map((c) => String.fromCodePoint(c)),
  },
  { weight: 2, arbitrary: fc.constantFrom(...specials) },
);

/** Any string, including lone surrogates and control characters; sometimes long. */
export const anyString: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit, maxLength: 40 }),
  fc.string({ unit, minLength: 180, maxLength: 700 }),
  // Long, mostly clean ASCII with a few bad characters anywhere: the SIMD scan's job.
  fc
    .tuple(
      fc.base64String({ minLength: 190, maxLength: 4000 }),
      fc.array(fc.tuple(fc.nat(), unit), { maxLength: 3 }),
    )
    .map(([base, inserts]) => {
      let text = base;
      for (const [at, char] of inserts) {
        const index = at % (text.length + 1);
        text = text.slice(0, index) + char + text.slice(index);
      }
      return text;
    }),
);

/** Numbers JSON.stringify treats specially, and ordinary ones. */
export const anyNumber: fc.Arbitrary<number> = fc.oneof(
  fc.double(),
  fc.integer(),
  fc.constantFrom(-0, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 2 ** 31),
);

const leaf: fc.Arbitrary<unknown> = fc.oneof(
  anyString,
  anyNumber,
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
  fc.constant(new Date(0)),
);

/** Any JSON-ish value, with the values JSON.stringify drops or rewrites. */
export const anyValue: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.array(tie('value'), { maxLength: 5 }),
    fc.dictionary(anyString, tie('value'), { maxKeys: 5 }),
  ),
})).value;

/** Extra fields to add to an event (unknown to the spec). */
export const extraFields: fc.Arbitrary<Record<string, unknown>> = fc.dictionary(
  anyString.filter((key) => key !== 'type' && key !== '__proto__'),
  anyValue,
  { maxKeys: 3 },
);
