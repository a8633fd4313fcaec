import type { RealtimeSessionUpdate } from '@rtwire/types';
import type { EngineSession } from './model.ts';
import type { AudioFormatType } from './pcm.ts';

/** Server VAD as the live API defaults it. */
export const DEFAULT_TURN_DETECTION = {
  type: 'server_vad',
  threshold: 0.5,
  prefix_padding_ms: 300,
  silence_duration_ms: 200,
  idle_timeout_ms: null,
  create_response: true,
  interrupt_response: true,
} as const;

/** The session a new connection starts with, shaped like the live API's `session.created`. */
export function defaultSession(
  id: string,
  model: string,
  nowSeconds: number,
  instructions: string,
): EngineSession {
  return {
    type: 'realtime',
    object: 'realtime.session',
    id,
    model,
    output_modalities: ['audio'],
    instructions,
    tools: [],
    tool_choice: 'auto',
    max_output_tokens: 'inf',
    tracing: null,
    truncation: 'auto',
    prompt: null,
    expires_at: nowSeconds + 30 * 60,
    include: null,
    audio: {
      input: {
        format: { type: 'audio/pcm', rate: 24_000 },
        transcription: null,
        noise_reduction: null,
        turn_detection: { ...DEFAULT_TURN_DETECTION },
      },
      output: { format: { type: 'audio/pcm', rate: 24_000 }, voice: 'marin', speed: 1 },
    },
  } as EngineSession;
}

/** Why a `session.update` was refused. */
export interface SessionUpdateError {
  readonly code: string;
  readonly message: string;
  readonly param: string;
}

const SESSION_FIELDS = [
  'instructions',
  'output_modalities',
  'tools',
  'tool_choice',
  'max_output_tokens',
  'tracing',
  'truncation',
  'prompt',
  'include',
] as const;

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Applies a `session.update` to the session as the live API does: fields present replace
 * the current ones, `audio.input` / `audio.output` merge field by field, and a server VAD
 * `turn_detection` gets the defaults for what it leaves out. The session type and model
 * cannot change. Returns the new session, or why the update was refused.
 */
export function mergeSession(
  current: EngineSession,
  update: RealtimeSessionUpdate,
): EngineSession | SessionUpdateError {
  const patch = update as unknown as Json;
  if (patch.type !== undefined && patch.type !== 'realtime') {
    return {
      code: 'invalid_value',
      message: "The session type cannot change from 'realtime' on this connection.",
      param: 'session.type',
    };
  }
  const modalities = patch.output_modalities;
  if (
    Array.isArray(modalities) &&
    (modalities.length !== 1 || (modalities[0] !== 'text' && modalities[0] !== 'audio'))
  ) {
    return {
      code: 'invalid_value',
      message: "output_modalities must be ['text'] or ['audio'].",
      param: 'session.output_modalities',
    };
  }
  const next = structuredClone(current) as unknown as Json;
  for (const field of SESSION_FIELDS) {
    if (patch[field] !== undefined) next[field] = structuredClone(patch[field]);
  }
  const audio = patch.audio;
  if (isObject(audio)) {
    const target = next.audio as { input: Json; output: Json };
    for (const side of ['input', 'output'] as const) {
      const sidePatch = audio[side];
      if (!isObject(sidePatch)) continue;
      for (const [key, value] of Object.entries(sidePatch)) {
        if (value !== undefined) target[side][key] = structuredClone(value);
      }
    }
    const turn = target.input.turn_detection;
    if (isObject(turn) && turn.type === 'server_vad') {
      target.input.turn_detection = { ...DEFAULT_TURN_DETECTION, ...turn };
    }
    for (const side of ['input', 'output'] as const) {
      const format = target[side].format;
      if (
        isObject(format) &&
        !['audio/pcm', 'audio/pcmu', 'audio/pcma'].includes(String(format.type))
      ) {
        return {
          code: 'invalid_value',
          message: `audio.${side}.format.type must be audio/pcm, audio/pcmu or audio/pcma.`,
          param: `session.audio.${side}.format.type`,
        };
      }
    }
  }
  return next as unknown as EngineSession;
}

/** Whether a value is a {@link SessionUpdateError}. */
export function isSessionUpdateError(
  value: EngineSession | SessionUpdateError,
): value is SessionUpdateError {
  return 'code' in value && 'param' in value && !('object' in value);
}

/** The session's audio format on one side. */
export function audioFormatOf(session: EngineSession, side: 'input' | 'output'): AudioFormatType {
  const format = (session.audio as { [k: string]: { format?: { type?: string } | null } } | null)?.[
    side
  ]?.format?.type;
  return format === 'audio/pcmu' || format === 'audio/pcma' ? format : 'audio/pcm';
}

/** Server VAD settings, or `undefined` when turn detection is off (or semantic). */
export function serverVadOf(session: EngineSession):
  | {
      readonly threshold: number;
      readonly prefixPaddingMs: number;
      readonly silenceDurationMs: number;
      readonly createResponse: boolean;
      readonly interruptResponse: boolean;
    }
  | undefined {
  const turn = (session.audio as { input?: { turn_detection?: Json | null } } | null)?.input
    ?.turn_detection;
  if (!isObject(turn) || (turn.type !== 'server_vad' && turn.type !== 'semantic_vad')) {
    return undefined;
  }
  const number = (value: unknown, fallback: number) =>
    typeof value === 'number' && Number.isFinite(value) ? value : fallback;
  return {
    threshold: number(turn.threshold, DEFAULT_TURN_DETECTION.threshold),
    prefixPaddingMs: number(turn.prefix_padding_ms, DEFAULT_TURN_DETECTION.prefix_padding_ms),
    silenceDurationMs: number(turn.silence_duration_ms, DEFAULT_TURN_DETECTION.silence_duration_ms),
    createResponse: turn.create_response !== false,
    interruptResponse: turn.interrupt_response !== false,
  };
}
