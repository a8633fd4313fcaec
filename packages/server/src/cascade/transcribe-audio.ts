import type { AudioFormatType } from '../pcm.ts';
import { wavOf } from './audio-convert.ts';
import { BackendCall, type BackendCallOptions } from './backend-call.ts';

/** The most a transcription answer may hold by default (its JSON), in bytes. */
const MAX_TRANSCRIPT_BYTES = 1024 * 1024;

/** What {@link transcribeAudio} sends. */
export interface TranscribeAudioRequest {
  readonly model: string;
  readonly audio: Uint8Array;
  readonly format: AudioFormatType;
  /** The session's `audio.input.transcription` settings: `language` and `prompt` are passed on. */
  readonly settings: Readonly<Record<string, unknown>>;
  /** The most the answer may hold, in bytes (default {@link MAX_TRANSCRIPT_BYTES}). */
  readonly maxAnswerBytes?: number;
}

/**
 * Transcribes audio with `POST /audio/transcriptions`: the audio wrapped as WAV in a
 * multipart form with the model (and the session's language and prompt), the answer's
 * `text` returned. The model is the cascade's own: a client's `whisper-1` means nothing to
 * the server behind it.
 *
 * @example
 * ```ts
 * const text = await transcribeAudio(callOptions, { model: 'whisper-1', audio, format: 'audio/pcm', settings: {} });
 * ```
 */
export async function transcribeAudio(
  options: Omit<BackendCallOptions, 'stage'>,
  request: TranscribeAudioRequest,
): Promise<string> {
  const form = new FormData();
  form.append(
    'file',
    new Blob([wavOf(request.audio, request.format) as Uint8Array<ArrayBuffer>], {
      type: 'audio/wav',
    }),
    'audio.wav',
  );
  form.append('model', request.model);
  form.append('response_format', 'json');
  for (const field of ['language', 'prompt'] as const) {
    const value = request.settings[field];
    if (typeof value === 'string' && value !== '') form.append(field, value);
  }
  const call = new BackendCall({ ...options, stage: 'transcription' });
  try {
    const response = await call.send('audio/transcriptions', { body: form });
    const text = await call.text(response, request.maxAnswerBytes ?? MAX_TRANSCRIPT_BYTES);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw call.error({ failure: 'malformed' });
    }
    const transcript = (body as { text?: unknown } | null)?.text;
    if (typeof transcript !== 'string') throw call.error({ failure: 'malformed' });
    return transcript.trim();
  } finally {
    call.close();
  }
}
