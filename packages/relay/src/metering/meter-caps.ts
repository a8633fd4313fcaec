import type { ModelPrice, TenantLimits, UsageWindow, WindowCaps } from '../policy/relay-policy.ts';
import { type MeterAmounts, type MeterCap, NO_USAGE } from './usage-store.ts';

/**
 * A tenant's limits as the caps a store checks: tokens (all, input, output) and audio
 * milliseconds (all, input, output) per window, and the budget in µUSD per its window.
 *
 * @example
 * ```ts
 * meterCaps({ tokens: { day: 5_000_000 }, budget: { usd: 50, per: 'month' }, … });
 * // [{ meter: 'tokens', window: 'day', limit: 5000000 }, { meter: 'microUsd', window: 'month', limit: 50000000 }]
 * ```
 */
export function meterCaps(limits: TenantLimits): MeterCap[] {
  const caps: MeterCap[] = [];
  const add = (meter: MeterCap['meter'], windows: WindowCaps) => {
    for (const [window, limit] of Object.entries(windows) as [UsageWindow, number][]) {
      caps.push({ meter, window, limit });
    }
  };
  add('tokens', limits.tokens);
  add('inputTokens', limits.inputTokens);
  add('outputTokens', limits.outputTokens);
  // Audio is counted in milliseconds, so a few bytes' worth is never rounded away.
  const inMs = (windows: WindowCaps): WindowCaps =>
    Object.fromEntries(
      Object.entries(windows).map(([window, seconds]) => [window, seconds * 1000]),
    );
  add('audioMs', inMs(limits.audioSeconds));
  add('inputAudioMs', inMs(limits.inputAudioSeconds));
  add('outputAudioMs', inMs(limits.outputAudioSeconds));
  if (limits.budget !== undefined) {
    caps.push({ meter: 'microUsd', window: limits.budget.per, limit: limits.budget.usd * 1e6 });
  }
  return caps;
}

/**
 * The price a session's usage is spent at: its model's, else (a model the table does not
 * name) the table's dearest, so a budget is never spent at nothing. `undefined` without a
 * table.
 *
 * @example
 * ```ts
 * priceFor(policy.prices, 'gpt-realtime');
 * ```
 */
export function priceFor(
  prices: Readonly<Record<string, ModelPrice>>,
  model: string | undefined,
): ModelPrice | undefined {
  if (model !== undefined && Object.hasOwn(prices, model)) return prices[model];
  let dearest: ModelPrice | undefined;
  for (const price of Object.values(prices)) {
    if (
      dearest === undefined ||
      Math.max(price.audioOut, price.textOut) > Math.max(dearest.audioOut, dearest.textOut)
    ) {
      dearest = price;
    }
  }
  return dearest;
}

/** The `usage` of a `response.done`, as far as metering reads it. */
interface ResponseUsage {
  readonly input_tokens?: number;
  readonly output_tokens?: number;
  readonly total_tokens?: number;
  readonly input_token_details?: {
    readonly text_tokens?: number;
    readonly audio_tokens?: number;
    readonly cached_tokens?: number;
  } | null;
  readonly output_token_details?: {
    readonly text_tokens?: number;
    readonly audio_tokens?: number;
  } | null;
}

const count = (value: unknown) =>
  typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : 0;

/**
 * What a response used, from its `response.done` `usage`, spent at `price`: input tokens by
 * kind (cached ones at `cachedIn`), output tokens by kind. Missing or odd fields count as 0.
 *
 * @example
 * ```ts
 * usedAmounts({ input_tokens: 100, output_tokens: 20, output_token_details: { audio_tokens: 20 } }, price);
 * ```
 */
export function usedAmounts(usage: unknown, price: ModelPrice | undefined): MeterAmounts {
  const read = (typeof usage === 'object' && usage !== null ? usage : {}) as ResponseUsage;
  const input = count(read.input_tokens);
  const output = count(read.output_tokens);
  // Optional chaining, not `?? {}`: no object made for details a usage leaves out.
  const inDetails = read.input_token_details;
  const outDetails = read.output_token_details;
  const cached = Math.min(input, count(inDetails?.cached_tokens));
  const audioIn = Math.min(input - cached, count(inDetails?.audio_tokens));
  const textIn = input - cached - audioIn;
  const audioOut = Math.min(output, count(outDetails?.audio_tokens));
  const textOut = output - audioOut;
  const microUsd =
    price === undefined
      ? 0
      : textIn * price.textIn +
        audioIn * price.audioIn +
        cached * price.cachedIn +
        textOut * price.textOut +
        audioOut * price.audioOut;
  return {
    ...NO_USAGE,
    tokens: input + output,
    inputTokens: input,
    outputTokens: output,
    microUsd,
  };
}
