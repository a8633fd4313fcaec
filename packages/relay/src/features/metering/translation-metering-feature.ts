import { meterCaps } from '../../metering/meter-caps.ts';
import { METERS, type MeterAmounts, NO_USAGE } from '../../metering/usage-store.ts';
import { CloseCode } from '../../session/close-codes.ts';
import type { RelayFeatureFactory } from '../../session/feature.ts';
import { deltaAudioBytes } from './delta-payload.ts';
import { emptyReservation, type MeteringOptions, round, seconds } from './metering-feature.ts';

/** A translation session's audio, both ways: PCM16 at 24 kHz, 48,000 bytes a second. */
const PCM_BYTES_PER_SECOND = 48_000;
/**
 * Audio is counted in the store at least this often (a translation session asks for no
 * responses to settle at), and when the session ends.
 */
const FLUSH_MS = 5_000;
/** Tokens a second of audio is priced as, the estimate `meteringFeature` uses too. */
const AUDIO_TOKENS_PER_SECOND = 10;

/**
 * Meters a translation session (`/v1/realtime/translations`) against its tenant's limits. A
 * translation session has no responses: what it uses is audio, seconds in
 * (`session.input_audio_buffer.append`, from the decoded base64's length) and seconds out
 * (`session.output_audio.delta`, from the delta's size, never parsed), counted in the store
 * every 5 s of audio and at the end, and spent at the model's audio prices as 10 tokens a
 * second. Once a cap is reached the session ends: an `error` (`quota_exceeded`), then 1008.
 * One usage record per session (`usage.session`).
 *
 * @example
 * ```ts
 * startSessionPipe({ …, kind: 'translation', features: [translationMeteringFeature({ store, tenant: 'acme', limits, price, lease, … })] });
 * ```
 */
export function translationMeteringFeature(options: MeteringOptions): RelayFeatureFactory {
  const caps = meterCaps(options.limits);
  return (session) => {
    const openedAt = session.now();
    const total: { -readonly [meter in keyof MeterAmounts]: number } = { ...NO_USAGE };
    /** Milliseconds of audio not yet counted in the store, each way. */
    let inputMs = 0;
    let outputMs = 0;
    let exhausted = false;
    let ended = false;

    const storeFailed = (error: unknown) =>
      session.logger.log('debug', 'metering.store_failed', {
        session: session.id,
        error: error instanceof Error ? error.name : 'unknown',
      });

    const endSpent = () => {
      if (!exhausted || session.closed) return;
      session.sendError({
        type: 'invalid_request_error',
        code: 'quota_exceeded',
        message: "the tenant's usage limit is reached; the session ends",
      });
      session.end(CloseCode.policyViolation, 'quota exceeded');
    };

    /** Counts the audio not yet counted: whole milliseconds go, the rest waits. */
    const flush = () => {
      const input = Math.floor(inputMs);
      const output = Math.floor(outputMs);
      inputMs -= input;
      outputMs -= output;
      if (input + output === 0) return;
      const inputTokens = Math.ceil((input / 1000) * AUDIO_TOKENS_PER_SECOND);
      const outputTokens = Math.ceil((output / 1000) * AUDIO_TOKENS_PER_SECOND);
      const price = options.price;
      const used: MeterAmounts = {
        ...NO_USAGE,
        audioMs: input + output,
        inputAudioMs: input,
        outputAudioMs: output,
        microUsd:
          price === undefined ? 0 : inputTokens * price.audioIn + outputTokens * price.audioOut,
      };
      for (const meter of METERS) total[meter] += used[meter];
      session.metrics?.countUsage(options.metricsLabel, used, 0);
      if (caps.length === 0) return;
      const now = session.now();
      const settled = options.store
        .settle(emptyReservation(options.tenant, caps, now), used, caps, now)
        .then((reached) => {
          if (reached) exhausted = true;
          if (!ended) endSpent();
        }, storeFailed);
      if (!ended) session.watch('metering.settle', settled);
    };

    return {
      name: 'translation-metering',
      clientTypes: new Set(['session.input_audio_buffer.append']),
      upstreamTypes: new Set(['session.output_audio.delta']),
      onClientEvent(event) {
        if (event.type !== 'session.input_audio_buffer.append') return undefined;
        // Decoded already by the pipe: the base64 string's length is the audio's size.
        inputMs += (((event.audio.length * 3) / 4) * 1000) / PCM_BYTES_PER_SECOND;
        if (inputMs + outputMs >= FLUSH_MS) flush();
        return undefined;
      },
      onUpstreamFrame(frame) {
        outputMs += (deltaAudioBytes(frame.data) * 1000) / PCM_BYTES_PER_SECOND;
        if (inputMs + outputMs >= FLUSH_MS) flush();
        return undefined;
      },
      onEnd(code) {
        ended = true;
        flush();
        if (options.lease !== undefined) {
          options.store.closeSession(options.lease).catch(storeFailed);
        }
        const usage = {
          tenant: options.tenant,
          session: session.id,
          ...(session.model === undefined ? {} : { model: session.model }),
          responses: 0,
          input_tokens: 0,
          output_tokens: 0,
          input_audio_seconds: seconds(total.inputAudioMs),
          output_audio_seconds: seconds(total.outputAudioMs),
          usd: round(total.microUsd / 1e6),
          duration_ms: Math.round(session.now() - openedAt),
          close_code: code,
        };
        session.logger.log('info', 'usage.session', usage);
        options.sink?.write({ type: 'usage.session', time: new Date().toISOString(), ...usage });
      },
    };
  };
}
