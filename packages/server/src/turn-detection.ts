import { type AudioFormatType, bytesPerMs, pcm16Rms } from './pcm.ts';

/** What a turn detector reports: where, in the session's input audio time, speech began or ended. */
export type TurnEvent =
  | { readonly type: 'speech_started'; readonly audioStartMs: number }
  | { readonly type: 'speech_stopped'; readonly audioEndMs: number };

/** Where an appended chunk lies in the session's input audio (ms since the first append). */
export interface AudioSpan {
  readonly startMs: number;
  readonly endMs: number;
}

/**
 * Finds turns in the input audio. The engine hands it every appended chunk and acts on what
 * it reports (`speech_started`, a barge-in, `speech_stopped` and the commit and response that
 * follow). It may report at once, from {@link append}, or later through the `report` it was
 * made with (a detector running a model off the main loop); the engine ignores a start while
 * speech is on and a stop while it is off, so a late report cannot break the protocol.
 */
export interface TurnDetector {
  /** One chunk of input audio, in the session's input format. */
  append(chunk: Uint8Array, span: AudioSpan): void;
  /** The buffer was committed or cleared: forget the current turn. */
  reset(): void;
  /** The detector is replaced (the session changed its settings) or the session closed. */
  close?(): void;
}

/** What a {@link TurnDetectorFactory} is given. */
export interface TurnDetectorContext {
  /** The session's `audio.input.turn_detection`, frozen (`server_vad`, `semantic_vad`, …). */
  readonly settings: Readonly<Record<string, unknown>>;
  /** The session's input audio format. */
  readonly format: AudioFormatType;
  /** Reports a turn event; callable from {@link TurnDetector.append} or any time later. */
  report(event: TurnEvent): void;
}

/**
 * Makes the turn detector of a session, each time its turn detection settings or input format
 * change. Return `undefined` to use the built-in one ({@link createEnergyTurnDetector}).
 *
 * @example
 * ```ts
 * const turnDetector: TurnDetectorFactory = ({ settings, report }) =>
 *   settings.type === 'semantic_vad' ? mySemanticDetector(settings, report) : undefined;
 * const session = createRealtimeSession({ model, send, turnDetector });
 * ```
 */
export type TurnDetectorFactory = (context: TurnDetectorContext) => TurnDetector | undefined;

const DEFAULTS = { threshold: 0.5, prefixPaddingMs: 300, silenceDurationMs: 200 } as const;

/**
 * Silence that ends a turn for each `semantic_vad` eagerness. The built-in detector has no
 * semantic model, so eagerness only sets how long a pause it waits for.
 */
const SEMANTIC_SILENCE_MS: Readonly<Record<string, number>> = {
  low: 1000,
  medium: 500,
  auto: 500,
  high: 250,
};

const finiteOr = (value: unknown, fallback: number) =>
  typeof value === 'number' && Number.isFinite(value) ? value : fallback;

/**
 * The built-in turn detector: an energy VAD. A PCM16 chunk is speech when its RMS passes
 * `threshold` × 4096; a turn starts `prefix_padding_ms` before the first speech chunk and
 * ends once `silence_duration_ms` of silence followed. For `semantic_vad` the pause length
 * comes from `eagerness`. G.711 input is never speech here (it is not decoded).
 *
 * @example
 * ```ts
 * const detector = createEnergyTurnDetector({
 *   settings: { type: 'server_vad', threshold: 0.5, silence_duration_ms: 200 },
 *   format: 'audio/pcm',
 *   report: (event) => console.log(event.type),
 * });
 * detector.append(chunk, { startMs: 0, endMs: 100 });
 * ```
 */
export function createEnergyTurnDetector(context: TurnDetectorContext): TurnDetector {
  const { settings, format, report } = context;
  const semantic = settings.type === 'semantic_vad';
  const threshold = semantic
    ? DEFAULTS.threshold
    : finiteOr(settings.threshold, DEFAULTS.threshold);
  const prefixPaddingMs = semantic
    ? DEFAULTS.prefixPaddingMs
    : finiteOr(settings.prefix_padding_ms, DEFAULTS.prefixPaddingMs);
  const silenceDurationMs = semantic
    ? (SEMANTIC_SILENCE_MS[String(settings.eagerness)] ?? SEMANTIC_SILENCE_MS.auto!)
    : finiteOr(settings.silence_duration_ms, DEFAULTS.silenceDurationMs);
  const level = threshold * 4096;
  let speaking = false;
  let silenceMs = 0;
  return {
    append(chunk, span) {
      const speech = format === 'audio/pcm' && pcm16Rms(chunk) > level;
      if (speech) {
        silenceMs = 0;
        if (speaking) return;
        speaking = true;
        report({
          type: 'speech_started',
          audioStartMs: Math.max(0, Math.floor(span.startMs - prefixPaddingMs)),
        });
        return;
      }
      if (!speaking) return;
      silenceMs += chunk.length / bytesPerMs(format);
      if (silenceMs < silenceDurationMs) return;
      speaking = false;
      silenceMs = 0;
      report({ type: 'speech_stopped', audioEndMs: Math.floor(span.endMs) });
    },
    reset() {
      speaking = false;
      silenceMs = 0;
    },
  };
}
