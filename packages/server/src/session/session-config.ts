import type { RealtimeSessionUpdate } from '@rtwire/types';
import { frozenCopy } from '../frozen.ts';
import type { EngineSession } from '../model.ts';
import { NestingLimitError } from '../nesting-limit-error.ts';
import type { AudioFormatType } from '../pcm.ts';

/**
 * Server VAD as the live API defaults it.
 *
 * @example
 * ```ts
 * const turnDetection = { ...DEFAULT_TURN_DETECTION, silence_duration_ms: 500 };
 * ```
 */
export const DEFAULT_TURN_DETECTION = {
  type: 'server_vad',
  threshold: 0.5,
  prefix_padding_ms: 300,
  silence_duration_ms: 200,
  idle_timeout_ms: null,
  create_response: true,
  interrupt_response: true,
} as const;

/** Server VAD of a transcription session: no responses to create or interrupt. */
const TRANSCRIPTION_TURN_DETECTION = {
  type: 'server_vad',
  threshold: 0.5,
  prefix_padding_ms: 300,
  silence_duration_ms: 200,
} as const;

/** Semantic VAD as the live API defaults it. */
const DEFAULT_SEMANTIC_VAD = {
  type: 'semantic_vad',
  eagerness: 'auto',
  create_response: true,
  interrupt_response: true,
} as const;

const SESSION_LIFETIME_SECONDS = 30 * 60;

/**
 * The kind of session a connection holds: fixed when it opens, as in the live API.
 *
 * @example
 * ```ts
 * const type: SessionType = intent === 'transcription' ? 'transcription' : 'realtime';
 * ```
 */
export type SessionType = 'realtime' | 'transcription';

/**
 * The session a new connection starts with, shaped like the live API's `session.created`.
 *
 * @example
 * ```ts
 * const session = defaultSession('sess_1', 'gpt-realtime', Math.floor(Date.now() / 1000), 'Be brief.');
 * ```
 */
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
    expires_at: nowSeconds + SESSION_LIFETIME_SECONDS,
    include: null,
    audio: {
      input: defaultAudioInput(DEFAULT_TURN_DETECTION),
      output: { format: { type: 'audio/pcm', rate: 24_000 }, voice: 'marin', speed: 1 },
    },
  } as EngineSession;
}

/**
 * The session of a transcription connection (`?intent=transcription`): input audio only,
 * transcribed once the client names a transcription model.
 *
 * @example
 * ```ts
 * const session = defaultTranscriptionSession('sess_1', Math.floor(Date.now() / 1000));
 * ```
 */
export function defaultTranscriptionSession(id: string, nowSeconds: number): EngineSession {
  return {
    type: 'transcription',
    object: 'realtime.transcription_session',
    id,
    expires_at: nowSeconds + SESSION_LIFETIME_SECONDS,
    include: null,
    audio: { input: defaultAudioInput(TRANSCRIPTION_TURN_DETECTION) },
  };
}

/** The input side both kinds of session start with: PCM16 at 24 kHz, no transcription. */
function defaultAudioInput<T extends { readonly type: string }>(turnDetection: T) {
  return {
    format: { type: 'audio/pcm', rate: 24_000 } as const,
    transcription: null,
    noise_reduction: null,
    turn_detection: { ...turnDetection },
  };
}

/**
 * Why a `session.update` was refused.
 *
 * @example
 * ```ts
 * const next = mergeSession(current, event.session);
 * if (isSessionUpdateError(next)) refuse({ type: 'invalid_request_error', ...next });
 * ```
 */
export interface SessionUpdateError {
  readonly code: string;
  readonly message: string;
  readonly param: string;
}

/** Top-level fields a `session.update` replaces, by session type. */
const SESSION_FIELDS: Readonly<Record<SessionType, readonly string[]>> = {
  realtime: [
    'instructions',
    'output_modalities',
    'tools',
    'tool_choice',
    'max_output_tokens',
    'tracing',
    'truncation',
    'prompt',
    'include',
  ],
  transcription: ['include'],
};

/** The audio sides a `session.update` may change, by session type. */
const AUDIO_SIDES: Readonly<Record<SessionType, readonly ('input' | 'output')[]>> = {
  realtime: ['input', 'output'],
  transcription: ['input'],
};

const AUDIO_FORMATS: readonly string[] = ['audio/pcm', 'audio/pcmu', 'audio/pcma'];

/** The fields of an audio side a refusal may name (any other key is the client's own text). */
const AUDIO_FIELDS: readonly string[] = [
  'format',
  'transcription',
  'noise_reduction',
  'turn_detection',
  'voice',
  'speed',
];

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The type of a session the engine holds.
 *
 * @example
 * ```ts
 * sessionTypeOf(session); // 'realtime'
 * ```
 */
export function sessionTypeOf(session: EngineSession): SessionType {
  return session.type === 'transcription' ? 'transcription' : 'realtime';
}

/**
 * Applies a `session.update` to the session as the live API does: fields present replace
 * the current ones, `audio.input` / `audio.output` merge field by field, and a VAD
 * `turn_detection` gets the defaults for what it leaves out. The session type cannot change
 * (it is chosen when the connection opens). Returns the new session, or why the update was
 * refused.
 *
 * @example
 * ```ts
 * const next = mergeSession(current, { type: 'realtime', instructions: 'Be brief.' });
 * ```
 */
export function mergeSession(
  current: EngineSession,
  update: RealtimeSessionUpdate,
): EngineSession | SessionUpdateError {
  const type = sessionTypeOf(current);
  const patch = update as unknown as Json;
  if (patch.type !== undefined && patch.type !== type) {
    return {
      code: 'invalid_value',
      message:
        type === 'realtime'
          ? "This connection holds a 'realtime' session; connect with ?intent=transcription for a transcription session."
          : "This connection holds a 'transcription' session; connect with ?model=… for a realtime session.",
      param: 'session.type',
    };
  }
  const modalities = patch.output_modalities;
  if (
    type === 'realtime' &&
    Array.isArray(modalities) &&
    (modalities.length !== 1 || (modalities[0] !== 'text' && modalities[0] !== 'audio'))
  ) {
    return {
      code: 'invalid_value',
      message: "output_modalities must be ['text'] or ['audio'].",
      param: 'session.output_modalities',
    };
  }
  // Shallow copies of what changes: the rest stays shared with the current (frozen) session.
  const next: Json = { ...(current as unknown as Json) };
  let field = '';
  try {
    for (field of SESSION_FIELDS[type]) {
      if (patch[field] !== undefined) next[field] = frozenCopy(patch[field]);
    }
    const audio = patch.audio;
    if (isObject(audio)) {
      const target: Partial<Record<'input' | 'output', Json>> = { ...(next.audio as Json) };
      next.audio = target;
      for (const side of AUDIO_SIDES[type]) {
        const sidePatch = audio[side];
        if (!isObject(sidePatch)) continue;
        const merged: Json = { ...target[side] };
        target[side] = merged;
        for (const [key, value] of Object.entries(sidePatch)) {
          // The param names a known field only: any other key is the client's own text.
          field = AUDIO_FIELDS.includes(key) ? `audio.${side}.${key}` : `audio.${side}`;
          if (value !== undefined) merged[key] = frozenCopy(value);
        }
        const format = merged.format;
        if (isObject(format) && !AUDIO_FORMATS.includes(String(format.type))) {
          return {
            code: 'invalid_value',
            message: `audio.${side}.format.type must be audio/pcm, audio/pcmu or audio/pcma.`,
            param: `session.audio.${side}.format.type`,
          };
        }
      }
      // A copy even when only the other side changed: the current input side is frozen.
      const input = target.input;
      const turn = input?.turn_detection;
      if (input !== undefined && isObject(turn) && turn.type === 'server_vad') {
        const defaults =
          type === 'realtime' ? DEFAULT_TURN_DETECTION : TRANSCRIPTION_TURN_DETECTION;
        target.input = { ...input, turn_detection: { ...defaults, ...turn } };
      } else if (input !== undefined && isObject(turn) && turn.type === 'semantic_vad') {
        if (type === 'realtime') {
          target.input = { ...input, turn_detection: { ...DEFAULT_SEMANTIC_VAD, ...turn } };
        }
      }
    }
  } catch (error) {
    // Only a value that went round the decoder nests this deep (a frame that came through it
    // was refused already); it is refused the same way, naming the field.
    if (!NestingLimitError.isInstance(error)) throw error;
    return {
      code: 'too_deep',
      message: `session.${field} nests deeper than ${error.limit} levels.`,
      param: `session.${field}`,
    };
  }
  return next as unknown as EngineSession;
}

/**
 * Whether a value is a {@link SessionUpdateError}.
 *
 * @example
 * ```ts
 * if (isSessionUpdateError(next)) return refuse(next);
 * ```
 */
export function isSessionUpdateError(
  value: EngineSession | SessionUpdateError,
): value is SessionUpdateError {
  return 'code' in value && 'param' in value && !('object' in value);
}

type AudioSides = { [side: string]: { format?: { type?: string } | null } | null } | null;

/**
 * The session's audio format on one side.
 *
 * @example
 * ```ts
 * audioFormatOf(session, 'input'); // 'audio/pcm'
 * ```
 */
export function audioFormatOf(session: EngineSession, side: 'input' | 'output'): AudioFormatType {
  const format = (session.audio as AudioSides | undefined)?.[side]?.format?.type;
  return format === 'audio/pcmu' || format === 'audio/pcma' ? format : 'audio/pcm';
}

/**
 * The session's input transcription settings, or `undefined` when it asks for none.
 *
 * @example
 * ```ts
 * const settings = transcriptionOf(session); // { model: 'whisper-1' } or undefined
 * ```
 */
export function transcriptionOf(session: EngineSession): Readonly<Json> | undefined {
  const input = (session.audio as { input?: { transcription?: unknown } | null } | null)?.input;
  return isObject(input?.transcription) ? input.transcription : undefined;
}

/**
 * The session's turn detection settings, or `undefined` when turn detection is off.
 *
 * @example
 * ```ts
 * turnDetectionOf(session)?.type; // 'server_vad'
 * ```
 */
export function turnDetectionOf(session: EngineSession): Readonly<Json> | undefined {
  const input = (session.audio as { input?: { turn_detection?: unknown } | null } | null)?.input;
  return isObject(input?.turn_detection) ? input.turn_detection : undefined;
}

/**
 * What the engine does on the turns a detector reports.
 *
 * @example
 * ```ts
 * if (behaviour?.interruptResponse === true) cancel('turn_detected');
 * ```
 */
export interface TurnBehaviour {
  /** Start a response when a turn ends (never in a transcription session). */
  readonly createResponse: boolean;
  /** Cancel the active response when speech starts. */
  readonly interruptResponse: boolean;
  /** Server VAD's `idle_timeout_ms`, when set. */
  readonly idleTimeoutMs: number | undefined;
}

/**
 * The turn behaviour of the session's turn detection settings.
 *
 * @example
 * ```ts
 * turnBehaviourOf(session)?.idleTimeoutMs; // undefined unless server VAD sets it
 * ```
 */
export function turnBehaviourOf(session: EngineSession): TurnBehaviour | undefined {
  const turn = turnDetectionOf(session);
  if (turn === undefined) return undefined;
  const conversational = sessionTypeOf(session) === 'realtime';
  const idle = turn.type === 'server_vad' ? turn.idle_timeout_ms : undefined;
  return {
    createResponse: conversational && turn.create_response !== false,
    interruptResponse: conversational && turn.interrupt_response !== false,
    idleTimeoutMs:
      conversational && typeof idle === 'number' && Number.isFinite(idle) && idle > 0
        ? idle
        : undefined,
  };
}
