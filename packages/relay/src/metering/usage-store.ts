import type { UsageWindow } from '../policy/relay-policy.ts';

/**
 * What a tenant used, by meter: tokens of every kind, input and output tokens, milliseconds of
 * audio (both ways, appended, sent), micro-USD.
 */
export interface MeterAmounts {
  readonly tokens: number;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly audioMs: number;
  readonly inputAudioMs: number;
  readonly outputAudioMs: number;
  /** Spend in millionths of a USD (a price in USD per million tokens is µUSD per token). */
  readonly microUsd: number;
}

/** A meter of {@link MeterAmounts}. */
export type Meter = keyof MeterAmounts;

/** One cap: at most `limit` of `meter` in each `window`. */
export interface MeterCap {
  readonly meter: Meter;
  readonly window: UsageWindow;
  readonly limit: number;
}

/** A held session slot of a tenant, given back by {@link UsageStore.closeSession}. */
export interface SessionLease {
  readonly tenant: string;
  readonly id: string;
}

/** What a reservation took, in the windows it was taken in; settled by {@link UsageStore.settle}. */
export interface Reservation {
  readonly tenant: string;
  /** Output tokens granted (at most what was asked). */
  readonly outputTokens: number;
  /**
   * What it holds of each meter: added to the meter's counter in each of its windows where a
   * cap reads that meter (a meter no cap reads is not counted).
   */
  readonly amounts: MeterAmounts;
  /** The windows it counted in (key and end), so its settlement lands in the same ones. */
  readonly windows: readonly { readonly key: string; readonly endMs: number }[];
}

/** What a response asks a store to hold for it. */
export interface ReserveRequest {
  /** Output tokens wanted (its `max_output_tokens`). */
  readonly outputTokens: number;
  /** µUSD per output token (the dearer of the model's text and audio output rates). */
  readonly microUsdPerOutputToken: number;
  /** Input tokens it is expected to read (the session's last response's context). */
  readonly inputTokens: number;
  /** What they cost, in µUSD. */
  readonly inputMicroUsd: number;
}

/** A refusal: which cap is reached, and when (seconds) it can be asked again. */
export interface Exhausted {
  readonly ok: false;
  readonly cap: MeterCap | 'concurrentSessions';
  readonly retryAfterSeconds: number;
}

/**
 * Where usage and open sessions are counted: in memory for one relay (`MemoryUsageStore`), a
 * shared server for several. Every operation is atomic for its tenant, so relays racing to a
 * cap overshoot it by at most one reservation. Methods resolve; a store that cannot answer
 * rejects, and the caller decides (`METER_STORE_FAILURE`).
 */
export interface UsageStore {
  /** Takes a session slot when fewer than `cap` are held (`undefined`: no cap). */
  openSession(
    tenant: string,
    cap: number | undefined,
    nowMs: number,
  ): Promise<{ readonly ok: true; readonly lease: SessionLease } | Exhausted>;
  /** Keeps a slot held (a shared store forgets a slot not renewed within its lease time). */
  renewSession(lease: SessionLease, nowMs: number): Promise<void>;
  /** Gives a slot back. */
  closeSession(lease: SessionLease): Promise<void>;
  /** Which cap, if any, is reached now (admission refuses a tenant out of budget). */
  exhausted(
    tenant: string,
    caps: readonly MeterCap[],
    nowMs: number,
  ): Promise<Exhausted | undefined>;
  /**
   * Reserves what a response may use: the input it is expected to read, held whole, and up to
   * `request.outputTokens` output tokens, clamped to what every token and budget cap leaves.
   * Refuses when not one output token is left, or when a cap of a meter a response cannot be
   * held to (input tokens, audio) is spent.
   */
  reserve(
    tenant: string,
    caps: readonly MeterCap[],
    request: ReserveRequest,
    nowMs: number,
  ): Promise<{ readonly ok: true; readonly reservation: Reservation } | Exhausted>;
  /**
   * Replaces a reservation with what was used, in its windows; resolves whether a cap is
   * now reached (the session ends at the response's end). `caps` are those the reservation
   * was made with: they name the counters it changed.
   */
  settle(
    reservation: Reservation,
    used: MeterAmounts,
    caps: readonly MeterCap[],
    nowMs: number,
  ): Promise<boolean>;
  /** Gives back what the store holds (a shared store's heartbeat and connection). */
  close?(): Promise<void> | void;
}

/** Nothing used. */
export const NO_USAGE: MeterAmounts = {
  tokens: 0,
  inputTokens: 0,
  outputTokens: 0,
  audioMs: 0,
  inputAudioMs: 0,
  outputAudioMs: 0,
  microUsd: 0,
};

/** Every meter, in the order stores keep them. */
export const METERS: readonly Meter[] = [
  'tokens',
  'inputTokens',
  'outputTokens',
  'audioMs',
  'inputAudioMs',
  'outputAudioMs',
  'microUsd',
];

/**
 * What a reservation of `granted` output tokens holds: them and the expected input (µUSD
 * rounded up, so every store holds whole µUSD).
 *
 * @example
 * ```ts
 * reservedAmounts(100, { outputTokens: 500, microUsdPerOutputToken: 16, inputTokens: 40, inputMicroUsd: 160 });
 * // { tokens: 140, inputTokens: 40, outputTokens: 100, microUsd: 1760, audio…: 0 }
 * ```
 */
export function reservedAmounts(granted: number, request: ReserveRequest): MeterAmounts {
  return {
    ...NO_USAGE,
    tokens: granted + request.inputTokens,
    inputTokens: request.inputTokens,
    outputTokens: granted,
    microUsd: Math.ceil(granted * request.microUsdPerOutputToken + request.inputMicroUsd),
  };
}
