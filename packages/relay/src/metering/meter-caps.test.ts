import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { usedAmounts } from './meter-caps.ts';
import { METERS, type MeterAmounts, NO_USAGE } from './usage-store.ts';

const PRICE = { textIn: 4, textOut: 16, audioIn: 32, audioOut: 64, cachedIn: 0.4 };

/** What a response used, written plainly: the reading `usedAmounts` must keep. */
function reference(usage: unknown, price: typeof PRICE | undefined): MeterAmounts {
  const count = (value: unknown) =>
    typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : 0;
  const read = (typeof usage === 'object' && usage !== null ? usage : {}) as Record<
    string,
    Record<string, unknown> | null | undefined
  >;
  const input = count(read.input_tokens);
  const output = count(read.output_tokens);
  const inDetails = read.input_token_details ?? {};
  const outDetails = read.output_token_details ?? {};
  const cached = Math.min(input, count(inDetails.cached_tokens));
  const audioIn = Math.min(input - cached, count(inDetails.audio_tokens));
  const audioOut = Math.min(output, count(outDetails.audio_tokens));
  const microUsd =
    price === undefined
      ? 0
      : (input - cached - audioIn) * price.textIn +
        audioIn * price.audioIn +
        cached * price.cachedIn +
        (output - audioOut) * price.textOut +
        audioOut * price.audioOut;
  return {
    ...NO_USAGE,
    tokens: input + output,
    inputTokens: input,
    outputTokens: output,
    microUsd,
  };
}

const amount = fc.oneof(
  fc.nat({ max: 10_000 }),
  fc.constantFrom(-1, Number.NaN, Number.POSITIVE_INFINITY, '12', null, undefined),
);
const details = fc.oneof(
  fc.record(
    { text_tokens: amount, audio_tokens: amount, cached_tokens: amount },
    { requiredKeys: [] },
  ),
  fc.constantFrom(null, undefined, 5, 'x'),
);
const usage = fc.oneof(
  fc.record(
    {
      input_tokens: amount,
      output_tokens: amount,
      total_tokens: amount,
      input_token_details: details,
      output_token_details: details,
    },
    { requiredKeys: [] },
  ),
  fc.constantFrom(null, undefined, 'usage', 3),
);

describe('what a response used, from its usage', () => {
  it('reads tokens by kind and spends them at the price, odd fields as 0 (property)', () => {
    fc.assert(
      fc.property(usage, fc.constantFrom(PRICE, undefined), (read, price) => {
        const used = usedAmounts(read, price);
        expect(used).toEqual(reference(read, price));
        // Every meter, in the stores' order.
        expect(Object.keys(used)).toEqual(METERS);
      }),
    );
  });

  it('counts cached input at its own price', () => {
    expect(
      usedAmounts(
        {
          input_tokens: 100,
          output_tokens: 20,
          input_token_details: { cached_tokens: 40, audio_tokens: 10 },
          output_token_details: { audio_tokens: 20 },
        },
        PRICE,
      ),
    ).toEqual({
      ...NO_USAGE,
      tokens: 120,
      inputTokens: 100,
      outputTokens: 20,
      microUsd: 50 * 4 + 10 * 32 + 40 * 0.4 + 20 * 64,
    });
  });
});
