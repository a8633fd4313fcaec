import { ServerEvents } from '@rtwire/builders';
import type { RealtimeServerEvent } from '@rtwire/types';
import { type RealtimeModel, RealtimeModelError, type TranscriptionRequest } from '../model.ts';

/**
 * What {@link runTranscription} reports to its session.
 *
 * @example
 * ```ts
 * const host: TranscriptionHost = { model, nextEventId, emit, signal: lifetime.signal };
 * ```
 */
export interface TranscriptionHost {
  readonly model: RealtimeModel;
  readonly nextEventId: () => string;
  emit(event: RealtimeServerEvent): void;
  /** Aborted when the session closes: nothing is reported afterwards. */
  readonly signal: AbortSignal;
}

/**
 * Runs the model's transcription of one committed item and reports it: `…delta` events as
 * they come (one with the whole text for a model that returns it at once), then `…completed`
 * with the transcript, or `…failed` with a fixed text (a model's error may carry anything),
 * or a {@link RealtimeModelError}'s code and, when exposed, its message.
 * Resolves to the transcript, or `undefined` when it failed or the session closed.
 *
 * @example
 * ```ts
 * const transcript = await runTranscription(host, { itemId, audio, format, durationMs, settings });
 * ```
 */
export async function runTranscription(
  host: TranscriptionHost,
  request: TranscriptionRequest,
): Promise<string | undefined> {
  const { itemId } = request;
  const { signal } = host;
  const fail = (message: string, code = 'transcription_failed') => {
    host.emit(
      ServerEvents.inputAudioTranscriptionFailed(host.nextEventId(), itemId, 0, {
        type: 'server_error',
        code,
        message,
        param: null,
      }),
    );
    return undefined;
  };
  const delta = (text: string) =>
    host.emit(ServerEvents.inputAudioTranscriptionDelta(host.nextEventId(), itemId, 0, text));
  if (host.model.transcribe === undefined)
    return fail('This model does not transcribe input audio.');
  let transcript = '';
  try {
    const result = host.model.transcribe(request, signal);
    if (typeof result === 'object' && result !== null && Symbol.asyncIterator in result) {
      for await (const piece of result as AsyncIterable<string>) {
        if (signal.aborted) return undefined;
        if (typeof piece !== 'string' || piece === '') continue;
        transcript += piece;
        delta(piece);
      }
    } else {
      const whole = await result;
      if (signal.aborted) return undefined;
      transcript = typeof whole === 'string' ? whole : '';
      if (transcript !== '') delta(transcript);
    }
  } catch (error) {
    if (signal.aborted) return undefined;
    // By brand, as for responses: a model's own errors name their code, and show their text
    // only when exposed.
    const known = RealtimeModelError.isInstance(error) ? error : undefined;
    return fail(
      known?.expose === true ? known.message : 'Input audio transcription failed.',
      known?.code ?? 'transcription_failed',
    );
  }
  if (signal.aborted) return undefined;
  host.emit(
    ServerEvents.inputAudioTranscriptionCompleted(host.nextEventId(), itemId, 0, transcript, {
      type: 'duration',
      seconds: request.durationMs / 1000,
    }),
  );
  return transcript;
}
