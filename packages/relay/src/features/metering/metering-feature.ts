import { meterCaps, usedAmounts } from '../../metering/meter-caps.ts';
import type { OpeningContext } from '../../metering/opening-context.ts';
import { type UsageRecord, type UsageSink, usageRecordTime } from '../../metering/usage-record.ts';
import {
  type Exhausted,
  METERS,
  type Meter,
  type MeterAmounts,
  NO_USAGE,
  type Reservation,
  type SessionLease,
  type UsageStore,
} from '../../metering/usage-store.ts';
import { capWindows } from '../../metering/usage-window.ts';
import type { ModelPrice, TenantLimits, UsageWindow } from '../../policy/relay-policy.ts';
import { CloseCode } from '../../session/close-codes.ts';
import type { ClientVerdict, RelayFeatureFactory } from '../../session/feature.ts';
import { deltaAudioBytes, deltaTextLength } from './delta-payload.ts';

/** What a session is metered against (`metering` of `startRelaySession`). */
export interface MeteringOptions {
  readonly store: UsageStore;
  /** The tenant the usage counts for (`''` for the default policy's clients). */
  readonly tenant: string;
  readonly limits: TenantLimits;
  /** What usage is spent at (`priceFor`); `undefined`: spend is not counted. */
  readonly price: ModelPrice | undefined;
  /** The session's slot, given back when it ends. */
  readonly lease: SessionLease | undefined;
  /**
   * The tenant as the relay's metrics name it: its name in the policy file, or `default` (so
   * the metrics' labels are the file's, never a client's).
   */
  readonly metricsLabel: string;
  /** When the store cannot answer: `open` lets the response go unmetered, `closed` refuses it. */
  readonly onStoreFailure: 'open' | 'closed';
  /** Where usage records go besides the log. */
  readonly sink?: UsageSink | undefined;
  /**
   * What the first response of the tenant's sessions reads (the relay host's, shared by its
   * sessions): held with a new session's first reservation, and learnt from it. Without it a
   * first response holds no input.
   */
  readonly openingContext?: OpeningContext | undefined;
}

/**
 * What a response asking for no `max_output_tokens` (or `"inf"`) reserves: the most a realtime
 * model writes in one response. A larger reservation would hold back the tenant's other
 * sessions for tokens this one cannot use.
 */
export const UNBOUNDED_RESPONSE_TOKENS = 4096;

/** Estimates for a response that ended without `usage`: text bytes and audio seconds to tokens. */
const TEXT_BYTES_PER_TOKEN = 4;
const AUDIO_TOKENS_PER_SECOND = 10;
/** The upstream frames metering reads: the response lifecycle, delta sizes, the audio formats. */
const UPSTREAM_TYPES: ReadonlySet<string> = new Set([
  'response.created',
  'response.done',
  'response.output_text.delta',
  'response.output_audio.delta',
  'session.created',
  'session.updated',
]);
/** PCM16 at 24 kHz: the bytes of a second of the default audio format. */
const PCM_BYTES_PER_SECOND = 48_000;
/**
 * Appended audio is counted when a response settles, and at least every this many
 * milliseconds of it (a transcription session may never ask for a response).
 */
const INPUT_AUDIO_FLUSH_MS = 10_000;

interface ActiveResponse {
  readonly reservation: Reservation | undefined;
  textBytes: number;
  audioBytes: number;
}

/** What a usage record says after its session's `tenant`, `session` and `model`. */
type RecordFields = Omit<UsageRecord, 'type' | 'time' | 'tenant' | 'session' | 'model'>;

/**
 * Meters a session against its tenant's limits, reading only `response.create`,
 * `response.created`, `response.done` and the size of the deltas (never parsed). Each
 * `response.create` reserves what it may use (its `max_output_tokens`, clamped to what every
 * cap leaves, and rewritten so when clamped) before it goes upstream, or is refused with
 * `quota_exceeded`; `response.done` settles the reservation from its `usage` (a response that
 * ended without one, cancelled or lost, from what it streamed). A settlement that reaches a
 * cap ends the session when no response is left running: an `error` (`quota_exceeded`), then
 * 1008. A usage record is logged per response (`usage.response`) and per session
 * (`usage.session`).
 *
 * @example
 * ```ts
 * startRelaySession({ …, features: [meteringFeature({ store, tenant: 'acme', limits, price, lease })] });
 * ```
 */
export function meteringFeature(options: MeteringOptions): RelayFeatureFactory {
  const caps = meterCaps(options.limits);
  const outputRate =
    options.price === undefined ? 0 : Math.max(options.price.textOut, options.price.audioOut);
  const inputRate =
    options.price === undefined ? 0 : Math.max(options.price.textIn, options.price.audioIn);
  return (session) => {
    const openedAt = session.now();
    /** Reservations of `response.create`s sent, waiting for their `response.created`. */
    const reserved: Reservation[] = [];
    const active = new Map<string, ActiveResponse>();
    let latest: ActiveResponse | undefined;
    let exhausted = false;
    let settling = 0;
    /** Set once the session ended: a reservation the store grants after that is given back. */
    let ended = false;
    const total = { responses: 0, ...NO_USAGE };
    /** Bytes per second of the session's audio, as the upstream last said its formats are. */
    let audioInRate = PCM_BYTES_PER_SECOND;
    let audioOutRate = PCM_BYTES_PER_SECOND;
    /** Milliseconds of audio appended and not yet counted in the store. */
    let appendedMs = 0;
    /**
     * Tokens the next response is expected to read: the last one's input and output (its
     * context, which the conversation carries on). Held with each reservation, so relays
     * racing to a cap overshoot it only by what a response reads beyond that. Before the first
     * usage, what the tenant's last session's first response read.
     */
    let contextTokens = options.openingContext?.expected(options.tenant, session.model) ?? 0;
    let openingLearnt = false;

    /**
     * Whether the session's log takes `info` records (the relay's drops them below its
     * LOG_LEVEL), asked once per session. A usage record neither the log nor a sink takes is
     * not built.
     */
    const logsUsage = session.logger.enabled('info');
    const recording = logsUsage || options.sink !== undefined;

    /**
     * A usage record, to the log and to the sink (each only when it takes records). The log's
     * fields are the record's without `type` (the message) and `time` (the log line's own), in
     * the record's order.
     */
    const record = (type: UsageRecord['type'], fields: RecordFields) => {
      const sink = options.sink;
      const logged =
        session.model === undefined
          ? { tenant: options.tenant, session: session.id, ...fields }
          : { tenant: options.tenant, session: session.id, model: session.model, ...fields };
      if (logsUsage) session.logger.log('info', type, logged);
      sink?.write({ type, time: usageRecordTime(), ...logged });
    };

    const refusal = (refused: Exhausted): ClientVerdict => ({
      action: 'refuse',
      code: 'quota_exceeded',
      message:
        refused.cap === 'concurrentSessions'
          ? 'the tenant has too many sessions open'
          : `the tenant's ${capName(refused.cap.meter)} limit per ${refused.cap.window} is reached; try again in ${refused.retryAfterSeconds} s`,
    });

    /** Ends the session once a cap is reached and no response is left running. */
    const endIfSpent = () => {
      if (!exhausted || active.size > 0 || reserved.length > 0 || settling > 0) return;
      if (session.closed) return;
      session.sendError({
        type: 'invalid_request_error',
        code: 'quota_exceeded',
        message: "the tenant's usage limit is reached; the session ends",
      });
      session.end(CloseCode.policyViolation, 'quota exceeded');
    };

    /**
     * Counts what a response (`responseId`) or the appended audio used, and replaces its
     * reservation with it in the store. `status` and `estimated` go to a response's record.
     */
    const settle = (
      responseId: string | undefined,
      reservation: Reservation | undefined,
      used: MeterAmounts,
      status?: string,
      estimated?: boolean,
    ) => {
      const counted = responseId !== undefined || reservation !== undefined ? 1 : 0;
      total.responses += counted;
      for (const meter of METERS) total[meter] += used[meter];
      session.metrics?.countUsage(options.metricsLabel, used, counted);
      if (responseId !== undefined && recording) {
        record('usage.response', {
          response: responseId,
          input_tokens: used.inputTokens,
          output_tokens: used.outputTokens,
          input_audio_seconds: seconds(used.inputAudioMs),
          output_audio_seconds: seconds(used.outputAudioMs),
          usd: round(used.microUsd / 1e6),
          status,
          estimated,
        });
      }
      // Limits with no cap to count (a session cap alone) need no round trip.
      if (caps.length === 0) return Promise.resolve();
      settling++;
      const held = reservation ?? emptyReservation(options.tenant, caps, session.now());
      return options.store.settle(held, used, caps, session.now()).then(
        (reached) => {
          settling--;
          if (reached) exhausted = true;
          endIfSpent();
        },
        (error: unknown) => {
          settling--;
          storeFailed(error);
        },
      );
    };

    // The relay logs each change of the store's state once (metering.store_down / _up); a
    // session's failed calls are only for debugging.
    const storeFailed = (error: unknown) =>
      session.logger.log('debug', 'metering.store_failed', {
        session: session.id,
        error: error instanceof Error ? error.name : 'unknown',
      });

    /** Milliseconds of audio a response sent, from the size of its deltas. */
    const sentMs = (response: ActiveResponse) =>
      Math.round((response.audioBytes * 1000) / audioOutRate);

    /** What a response that ended without `usage` streamed, as tokens. */
    const estimate = (response: ActiveResponse): MeterAmounts => {
      const text = Math.ceil(response.textBytes / TEXT_BYTES_PER_TOKEN);
      const audio = Math.ceil((sentMs(response) / 1000) * AUDIO_TOKENS_PER_SECOND);
      const price = options.price;
      return {
        ...NO_USAGE,
        tokens: text + audio,
        outputTokens: text + audio,
        microUsd: price === undefined ? 0 : text * price.textOut + audio * price.audioOut,
      };
    };

    /** `used` with the response's audio and the audio appended since the last count. */
    const withAudio = (used: MeterAmounts, response: ActiveResponse | undefined): MeterAmounts => {
      const output = response === undefined ? 0 : sentMs(response);
      // Whole milliseconds go to the store; the rest waits for the next count.
      const input = Math.floor(appendedMs);
      appendedMs -= input;
      return {
        ...used,
        audioMs: used.audioMs + input + output,
        inputAudioMs: used.inputAudioMs + input,
        outputAudioMs: used.outputAudioMs + output,
      };
    };

    return {
      name: 'metering',
      clientTypes: new Set(['response.create', 'input_audio_buffer.append']),
      upstreamTypes: UPSTREAM_TYPES,
      onClientEvent(event) {
        if (event.type === 'input_audio_buffer.append') {
          // Decoded already by the pipe: the base64 string's length is the audio's size.
          appendedMs += (((event.audio.length * 3) / 4) * 1000) / audioInRate;
          if (appendedMs >= INPUT_AUDIO_FLUSH_MS) {
            session.watch(
              'metering.settle',
              settle(undefined, undefined, withAudio(NO_USAGE, undefined)),
            );
          }
          return undefined;
        }
        if (event.type !== 'response.create' || caps.length === 0) return undefined;
        const asked = event.response?.max_output_tokens;
        const want = typeof asked === 'number' ? asked : UNBOUNDED_RESPONSE_TOKENS;
        const decision = options.store
          .reserve(
            options.tenant,
            caps,
            {
              outputTokens: want,
              microUsdPerOutputToken: outputRate,
              inputTokens: contextTokens,
              inputMicroUsd: contextTokens * inputRate,
            },
            session.now(),
          )
          .then(
            (result): ClientVerdict => {
              if (!result.ok) return refusal(result);
              if (ended) {
                // The session ended while the store answered: no response will use this.
                options.store
                  .settle(result.reservation, NO_USAGE, caps, session.now())
                  .catch(storeFailed);
                return undefined;
              }
              reserved.push(result.reservation);
              if (result.reservation.outputTokens === asked) return undefined;
              return {
                action: 'rewrite',
                event: {
                  ...(event as unknown as Record<string, never>),
                  response: {
                    ...(event.response as Record<string, never> | undefined),
                    max_output_tokens: result.reservation.outputTokens,
                  },
                },
              };
            },
            (error: unknown): ClientVerdict => {
              storeFailed(error);
              // Failing open, the response goes on unmetered (the log says so); closed, it waits
              // for the store.
              return options.onStoreFailure === 'open'
                ? undefined
                : {
                    action: 'refuse',
                    code: 'usage_store_unavailable',
                    message: 'usage cannot be metered right now; try again shortly',
                  };
            },
          );
        return { action: 'await', decision };
      },
      onUpstreamFrame(frame) {
        // Audio deltas first: nearly every frame metering reads is one.
        switch (frame.type) {
          case 'response.output_audio.delta':
            if (latest) latest.audioBytes += deltaAudioBytes(frame.data);
            return undefined;
          case 'response.output_text.delta':
            if (latest) latest.textBytes += deltaTextLength(frame.data);
            return undefined;
          case 'session.created':
          case 'session.updated': {
            const rates = audioRates(frame.event());
            audioInRate = rates.input ?? audioInRate;
            audioOutRate = rates.output ?? audioOutRate;
            return undefined;
          }
          case 'response.created': {
            const id = responseIdOf(frame.event());
            // A response the client asked for takes its reservation; one the server started
            // (turn detection) has none, and is settled all the same.
            const response: ActiveResponse = {
              reservation: reserved.shift(),
              textBytes: 0,
              audioBytes: 0,
            };
            latest = response;
            if (id !== undefined) active.set(id, response);
            return undefined;
          }
          case 'response.done': {
            const event = frame.event();
            const id = responseIdOf(event);
            const response = id === undefined ? undefined : active.get(id);
            if (id !== undefined) active.delete(id);
            if (latest === response) latest = undefined;
            const body = (event?.response ?? {}) as { status?: unknown; usage?: unknown };
            const status = typeof body.status === 'string' ? body.status : 'unknown';
            const streamed = response ?? { reservation: undefined, textBytes: 0, audioBytes: 0 };
            const measured = body.usage !== undefined && body.usage !== null;
            // Read once: the tokens (the next response's context) do not depend on the price.
            const read = measured ? usedAmounts(body.usage, options.price) : estimate(streamed);
            if (measured) {
              contextTokens = read.inputTokens + read.outputTokens;
              if (!openingLearnt) {
                openingLearnt = true;
                options.openingContext?.learn(options.tenant, session.model, read.inputTokens);
              }
            }
            session.watch(
              'metering.settle',
              settle(id, streamed.reservation, withAudio(read, streamed), status, !measured),
            );
            return undefined;
          }
          default:
            return undefined;
        }
      },
      onEnd(code) {
        ended = true;
        const now = session.now();
        // What never finished: lost responses are billed for what they streamed; reservations
        // never used are given back.
        for (const [id, response] of active) {
          void settle(
            id,
            response.reservation,
            withAudio(estimate(response), response),
            'ended',
            true,
          );
        }
        if (appendedMs >= 1) void settle(undefined, undefined, withAudio(NO_USAGE, undefined));
        for (const reservation of reserved.splice(0)) {
          options.store.settle(reservation, NO_USAGE, caps, now).catch(storeFailed);
        }
        active.clear();
        if (options.lease !== undefined)
          options.store.closeSession(options.lease).catch(storeFailed);
        if (!recording) return;
        record('usage.session', {
          responses: total.responses,
          input_tokens: total.inputTokens,
          output_tokens: total.outputTokens,
          input_audio_seconds: seconds(total.inputAudioMs),
          output_audio_seconds: seconds(total.outputAudioMs),
          usd: round(total.microUsd / 1e6),
          duration_ms: Math.round(now - openedAt),
          close_code: code,
        });
      },
    };
  };
}

const CAP_NAMES: Readonly<Record<Meter, string>> = {
  tokens: 'token',
  inputTokens: 'input token',
  outputTokens: 'output token',
  audioMs: 'audio',
  inputAudioMs: 'input audio',
  outputAudioMs: 'output audio',
  microUsd: 'budget',
};

/** A meter as a refusal names it (`output audio`). */
export function capName(meter: Meter): string {
  return CAP_NAMES[meter];
}

/**
 * Bytes per second of a session's input and output audio, from a `session.created` or
 * `session.updated` (GA `audio.{input,output}.format`, or the beta `*_audio_format` strings);
 * `undefined` where the event does not say.
 */
function audioRates(event: Record<string, unknown> | undefined): {
  input: number | undefined;
  output: number | undefined;
} {
  const session = event?.session as
    | {
        audio?: { input?: { format?: unknown }; output?: { format?: unknown } } | null;
        input_audio_format?: unknown;
        output_audio_format?: unknown;
      }
    | undefined;
  if (typeof session !== 'object' || session === null)
    return { input: undefined, output: undefined };
  return {
    input: bytesPerSecond(session.audio?.input?.format ?? session.input_audio_format),
    output: bytesPerSecond(session.audio?.output?.format ?? session.output_audio_format),
  };
}

/** `audio/pcm` (16-bit at its rate, 24 kHz by default) or G.711 (`audio/pcmu`, `audio/pcma`: 8 kB/s). */
function bytesPerSecond(format: unknown): number | undefined {
  const type =
    typeof format === 'string'
      ? format
      : typeof format === 'object' && format !== null
        ? (format as { type?: unknown }).type
        : undefined;
  switch (type) {
    case 'audio/pcm':
    case 'pcm16': {
      const rate = (format as { rate?: unknown }).rate;
      return 2 * (typeof rate === 'number' && rate > 0 ? rate : 24_000);
    }
    case 'audio/pcmu':
    case 'audio/pcma':
    case 'g711_ulaw':
    case 'g711_alaw':
      return 8_000;
    default:
      return undefined;
  }
}

/** Milliseconds as the seconds of a usage record (to the millisecond). */
export const seconds = (ms: number) => Math.round(ms) / 1000;

/** A reservation of nothing, in the windows `caps` count in now: for a response none was made for. */
export function emptyReservation(
  tenant: string,
  caps: readonly { readonly window: UsageWindow }[],
  nowMs: number,
): Reservation {
  return {
    tenant,
    outputTokens: 0,
    amounts: NO_USAGE,
    windows: capWindows(caps, nowMs).map(({ key, endMs }) => ({ key, endMs })),
  };
}

function responseIdOf(event: Record<string, unknown> | undefined): string | undefined {
  const response = event?.response;
  if (typeof response !== 'object' || response === null) return undefined;
  const id = (response as { id?: unknown }).id;
  return typeof id === 'string' ? id : undefined;
}

/** Dollars as a usage record gives them (to the micro-dollar). */
export const round = (usd: number) => Math.round(usd * 1e6) / 1e6;
