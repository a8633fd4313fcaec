import { ClientEvents } from '@rtwire/builders';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ModelUsage, RealtimeModel } from '../src/index.ts';
import { responseUsage } from '../src/session/response-usage.ts';
import { openSession, userText } from './harness.ts';

/** A count as a model might send one: whole, fractional, negative, huge, or not a number. */
const anyCount = fc.oneof(
  { weight: 6, arbitrary: fc.nat({ max: 10_000 }) },
  { weight: 1, arbitrary: fc.constantFrom(-1, 0.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 60) },
  { weight: 1, arbitrary: fc.constant(null) },
);
const maybe = <T>(arbitrary: fc.Arbitrary<T>) => fc.option(arbitrary, { nil: undefined });

const reportedUsage = fc.record(
  {
    input_tokens: anyCount,
    output_tokens: anyCount,
    input_token_details: maybe(
      fc.record(
        {
          text_tokens: anyCount,
          audio_tokens: anyCount,
          image_tokens: anyCount,
          cached_tokens: anyCount,
          cached_tokens_details: maybe(
            fc.record(
              { text_tokens: anyCount, audio_tokens: anyCount, image_tokens: anyCount },
              { requiredKeys: [] },
            ),
          ),
        },
        { requiredKeys: [] },
      ),
    ),
    output_token_details: maybe(
      fc.record({ text_tokens: anyCount, audio_tokens: anyCount }, { requiredKeys: [] }),
    ),
  },
  { requiredKeys: [] },
) as fc.Arbitrary<ModelUsage>;

const estimate = fc.record({
  textTokens: fc.nat({ max: 10_000 }),
  audioTokens: fc.nat({ max: 10_000 }),
});

const isCount = (value: unknown): value is number =>
  typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 2 ** 48;

describe('responseUsage', () => {
  it('reports nothing reported (its fast path) as the general path reports an empty report', () => {
    const anyEstimate = fc.oneof(
      fc.nat({ max: 10_000 }),
      fc.double(),
      fc.constantFrom(-1, 0.5, 2 ** 60, Number.NaN, Number.POSITIVE_INFINITY),
    );
    fc.assert(
      fc.property(anyEstimate, anyEstimate, (textTokens, audioTokens) => {
        const guess = { textTokens, audioTokens };
        expect(responseUsage(undefined, guess)).toStrictEqual(responseUsage({}, guess));
      }),
    );
  });

  it('reports what the model said, and its details always add up to the totals', () => {
    fc.assert(
      fc.property(maybe(reportedUsage), estimate, (reported, guess) => {
        const usage = responseUsage(reported, guess);
        const input = usage.input_token_details;
        const cached = input?.cached_tokens_details;
        const output = usage.output_token_details;
        const all = [
          usage.total_tokens,
          usage.input_tokens,
          usage.output_tokens,
          input?.text_tokens,
          input?.audio_tokens,
          input?.image_tokens,
          input?.cached_tokens,
          cached?.text_tokens,
          cached?.audio_tokens,
          cached?.image_tokens,
          output?.text_tokens,
          output?.audio_tokens,
        ];
        for (const value of all) expect(isCount(value)).toBe(true);
        const n = (value: number | null | undefined) => value ?? 0;
        // The details add up to the totals.
        expect(n(usage.total_tokens)).toBe(n(usage.input_tokens) + n(usage.output_tokens));
        expect(n(input?.text_tokens) + n(input?.audio_tokens) + n(input?.image_tokens)).toBe(
          n(usage.input_tokens),
        );
        expect(n(cached?.text_tokens) + n(cached?.audio_tokens) + n(cached?.image_tokens)).toBe(
          n(input?.cached_tokens),
        );
        expect(n(input?.cached_tokens)).toBeLessThanOrEqual(n(usage.input_tokens));
        expect(n(output?.text_tokens) + n(output?.audio_tokens)).toBe(n(usage.output_tokens));
        // What the model reported wins.
        if (isCount(reported?.output_tokens))
          expect(usage.output_tokens).toBe(reported.output_tokens);
        if (isCount(reported?.input_tokens)) expect(usage.input_tokens).toBe(reported.input_tokens);
        // Estimates fill only what it left out.
        const textReported = reported?.output_token_details?.text_tokens;
        const audioReported = reported?.output_token_details?.audio_tokens;
        if (!isCount(reported?.output_tokens)) {
          expect(output?.text_tokens).toBe(isCount(textReported) ? textReported : guess.textTokens);
          expect(output?.audio_tokens).toBe(
            isCount(audioReported) ? audioReported : guess.audioTokens,
          );
        } else if (
          isCount(textReported) &&
          isCount(audioReported) &&
          textReported + audioReported === reported.output_tokens
        ) {
          expect(output).toEqual({ text_tokens: textReported, audio_tokens: audioReported });
        } else if (isCount(textReported) && textReported <= reported.output_tokens) {
          if (!isCount(audioReported)) {
            expect(output).toEqual({
              text_tokens: textReported,
              audio_tokens: reported.output_tokens - textReported,
            });
          }
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('fits the estimates into a total the model reported', () => {
    // The case: 5 output tokens reported, 7 text and 50 audio estimated.
    expect(responseUsage({ output_tokens: 5 }, { textTokens: 7, audioTokens: 50 })).toMatchObject({
      output_tokens: 5,
      total_tokens: 5,
      output_token_details: { text_tokens: 1, audio_tokens: 4 },
    });
    // A text-only reply: all of it is text.
    expect(
      responseUsage({ output_tokens: 5 }, { textTokens: 9, audioTokens: 0 }).output_token_details,
    ).toEqual({ text_tokens: 5, audio_tokens: 0 });
    // A detail the model gave is kept; the one it left out gets the rest.
    expect(
      responseUsage(
        { output_tokens: 40, output_token_details: { audio_tokens: 30 } },
        { textTokens: 2, audioTokens: 99 },
      ).output_token_details,
    ).toEqual({ text_tokens: 10, audio_tokens: 30 });
    // Input the model reported without details is text; cached tokens never pass it.
    expect(
      responseUsage(
        { input_tokens: 12, input_token_details: { cached_tokens: 50 } },
        { textTokens: 0, audioTokens: 0 },
      ).input_token_details,
    ).toEqual({
      text_tokens: 12,
      audio_tokens: 0,
      image_tokens: 0,
      cached_tokens: 12,
      cached_tokens_details: { text_tokens: 12, audio_tokens: 0, image_tokens: 0 },
    });
  });
});

describe('response.done usage', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('keeps the output tokens a model reported and fits the details to them', async () => {
    const model: RealtimeModel = {
      respond(_request, output) {
        output.text('a reply of some length, say twenty-eight chars');
        output.audio(new Uint8Array(48_000));
        output.usage({ output_tokens: 5 });
      },
    };
    const session = openSession(model);
    session.send(userText('hi'));
    session.send(ClientEvents.responseCreate());
    await session.eventsAfterTimers();
    const [done] = session.only('response.done');
    expect(done?.response.usage).toMatchObject({
      output_tokens: 5,
      total_tokens: 5,
      output_token_details: { text_tokens: 1, audio_tokens: 4 },
    });
    session.expectWellFormed();
  });
});
