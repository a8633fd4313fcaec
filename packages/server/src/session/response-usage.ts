import type { RealtimeResponseUsage } from '@rtwire/types';
import type { ModelUsage } from '../model.ts';

/**
 * What the engine estimates of a response's output, for what the model did not report.
 *
 * @example
 * ```ts
 * responseUsage(reported, { textTokens: Math.ceil(chars / 4), audioTokens: 50 });
 * ```
 */
export interface OutputEstimate {
  readonly textTokens: number;
  readonly audioTokens: number;
}

/** The largest count taken from a model: sums of a few stay exact doubles. */
const MAX_TOKENS = 2 ** 48;

/**
 * The `usage` of `response.done`: what the model reported wins, estimates fill only what it
 * left out, and the details always add up to their totals (`text + audio + image` to
 * `input_tokens`, the cached details to `cached_tokens`, which is at most `input_tokens`,
 * `text + audio` to `output_tokens`, both to `total_tokens`). A detail left out gets what its
 * total leaves, shared by the estimates; details that do not add up to a reported total are
 * scaled to it (largest remainder), since the total is what the model counted. Input is
 * never estimated: the engine cannot count a model's prompt.
 *
 * @example
 * ```ts
 * responseUsage({ output_tokens: 5 }, { textTokens: 7, audioTokens: 50 });
 * // output_tokens 5, output_token_details { text_tokens: 1, audio_tokens: 4 }
 * ```
 */
export function responseUsage(
  reported: ModelUsage | undefined,
  estimate: OutputEstimate,
): RealtimeResponseUsage {
  if (reported === undefined) return estimatedUsage(estimate);
  const inputDetails = reported?.input_token_details ?? undefined;
  const input = fit(
    tokens(reported?.input_tokens),
    [
      tokens(inputDetails?.text_tokens),
      tokens(inputDetails?.audio_tokens),
      tokens(inputDetails?.image_tokens),
    ],
    [0, 0, 0],
  );
  const cachedDetails = inputDetails?.cached_tokens_details ?? undefined;
  const cachedReported = [
    tokens(cachedDetails?.text_tokens),
    tokens(cachedDetails?.audio_tokens),
    tokens(cachedDetails?.image_tokens),
  ];
  // Cached tokens are some of the input tokens: never more than them.
  const cachedTotal = Math.min(
    input.total,
    tokens(inputDetails?.cached_tokens) ?? sum(cachedReported.map((part) => part ?? 0)),
  );
  // Cached parts left out follow the input's own split.
  const cached = fit(cachedTotal, cachedReported, input.parts);
  const outputDetails = reported?.output_token_details ?? undefined;
  const output = fit(
    tokens(reported?.output_tokens),
    [tokens(outputDetails?.text_tokens), tokens(outputDetails?.audio_tokens)],
    [whole(estimate.textTokens), whole(estimate.audioTokens)],
  );
  const [inputText = 0, inputAudio = 0, inputImage = 0] = input.parts;
  const [cachedText = 0, cachedAudio = 0, cachedImage = 0] = cached.parts;
  const [outputText = 0, outputAudio = 0] = output.parts;
  return {
    total_tokens: input.total + output.total,
    input_tokens: input.total,
    output_tokens: output.total,
    input_token_details: {
      text_tokens: inputText,
      audio_tokens: inputAudio,
      image_tokens: inputImage,
      cached_tokens: cached.total,
      cached_tokens_details: {
        text_tokens: cachedText,
        audio_tokens: cachedAudio,
        image_tokens: cachedImage,
      },
    },
    output_token_details: { text_tokens: outputText, audio_tokens: outputAudio },
  };
}

/**
 * {@link responseUsage} when the model reported nothing (most responses): no input, the
 * output as estimated. Written out because it runs once per response, too seldom for V8 to
 * optimize the general path, which then costs some 10 µs of a text response's 0.7 ms.
 */
function estimatedUsage(estimate: OutputEstimate): RealtimeResponseUsage {
  const text = whole(estimate.textTokens);
  const audio = whole(estimate.audioTokens);
  return {
    total_tokens: text + audio,
    input_tokens: 0,
    output_tokens: text + audio,
    input_token_details: {
      text_tokens: 0,
      audio_tokens: 0,
      image_tokens: 0,
      cached_tokens: 0,
      cached_tokens_details: { text_tokens: 0, audio_tokens: 0, image_tokens: 0 },
    },
    output_token_details: { text_tokens: text, audio_tokens: audio },
  };
}

/** A count as the model gave it, when it is one. */
function tokens(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= MAX_TOKENS
    ? value
    : undefined;
}

function whole(value: number): number {
  return Number.isFinite(value) && value > 0 ? Math.min(MAX_TOKENS, Math.ceil(value)) : 0;
}

function sum(values: readonly number[]): number {
  let total = 0;
  for (const value of values) total += value;
  return total;
}

/**
 * A total and its parts from what was reported: without a total, the parts (reported, else
 * estimated) make it; with one, parts left out share what the reported ones leave of it, and
 * reported parts that do not fit are scaled to it.
 */
function fit(
  total: number | undefined,
  reported: readonly (number | undefined)[],
  estimates: readonly number[],
): { total: number; parts: number[] } {
  if (total === undefined) {
    const parts = reported.map((part, index) => part ?? estimates[index] ?? 0);
    return { total: sum(parts), parts };
  }
  const known = sum(reported.map((part) => part ?? 0));
  const missing = reported.flatMap((part, index) => (part === undefined ? [index] : []));
  if (known <= total && (missing.length > 0 || known === total)) {
    const shares = apportion(
      total - known,
      missing.map((index) => estimates[index] ?? 0),
    );
    const parts = reported.map((part) => part ?? 0);
    for (const [position, index] of missing.entries()) parts[index] = shares[position] ?? 0;
    return { total, parts };
  }
  return {
    total,
    parts: apportion(
      total,
      reported.map((part) => part ?? 0),
    ),
  };
}

/**
 * `total` split in proportion to `weights`, in whole numbers that add up to it exactly
 * (largest remainder, ties to the first); with no weight at all, the first takes it all.
 * BigInt keeps `total × weight` exact past 2^53.
 */
function apportion(total: number, weights: readonly number[]): number[] {
  const shares = weights.map(() => 0);
  if (weights.length === 0 || total === 0) return shares;
  const weightSum = BigInt(sum(weights));
  if (weightSum === 0n) {
    shares[0] = total;
    return shares;
  }
  const big = BigInt(total);
  const remainders: { index: number; remainder: bigint }[] = [];
  let given = 0n;
  for (const [index, weight] of weights.entries()) {
    const product = big * BigInt(weight);
    const share = product / weightSum;
    shares[index] = Number(share);
    given += share;
    remainders.push({ index, remainder: product % weightSum });
  }
  remainders.sort((a, b) =>
    a.remainder === b.remainder ? a.index - b.index : a.remainder > b.remainder ? -1 : 1,
  );
  for (let left = Number(big - given), i = 0; left > 0; left--, i++) {
    const entry = remainders[i % remainders.length] as { index: number };
    shares[entry.index] = (shares[entry.index] ?? 0) + 1;
  }
  return shares;
}
