import {
  type TranslationServerEventOf as E,
  type RealtimeTranslationSession,
  TRANSLATION_AUDIO,
} from '@rtwire/types';
import { checkedBuilders } from './checked-builders.ts';
import { setOptional } from './optional-fields.ts';
import { ServerEvents } from './server-events.ts';

/** The transcript deltas share one shape: `delta` and an optional `elapsed_ms`. */
function transcriptDelta<
  T extends 'session.input_transcript.delta' | 'session.output_transcript.delta',
>(type: T, eventId: string, delta: string, elapsedMs: number | null | undefined): E<T> {
  const event = { type, event_id: eventId, delta } as E<T>;
  setOptional(event, 'elapsed_ms', elapsedMs);
  return event;
}

/**
 * One-shot constructors for the 7 server events of a translation session
 * (`/v1/realtime/translations`), each returning exactly its member of
 * `RealtimeTranslationServerEvent`. Apart from {@link ServerEvents}: `session.created` here
 * carries a translation session. Each takes the event's `event_id` first (see
 * {@link createEventIds}); an optional `elapsedMs` follows the package's rule (`null` is
 * written, `undefined` leaves the field out).
 *
 * @example
 * ```ts
 * import { TranslationServerEvents, createEventIds, translationSession } from '@rtwire/builders';
 *
 * const nextId = createEventIds();
 * const session = translationSession({ id: 'sess_1', expiresAt: 1756324625, outputLanguage: 'es' });
 * socket.send(JSON.stringify(TranslationServerEvents.sessionCreated(nextId(), session)));
 * socket.send(JSON.stringify(TranslationServerEvents.outputTranscriptDelta(nextId(), ' hola', 1200)));
 * ```
 */
export const TranslationServerEvents = checkedBuilders(
  'TranslationServerEvents',
  {
    /** `session.created`: the first event of every translation session. */
    sessionCreated(eventId: string, session: RealtimeTranslationSession): E<'session.created'> {
      return { type: 'session.created', event_id: eventId, session };
    },

    /** `session.updated`: the whole effective session after a `session.update`. */
    sessionUpdated(eventId: string, session: RealtimeTranslationSession): E<'session.updated'> {
      return { type: 'session.updated', event_id: eventId, session };
    },

    /** `session.closed`: the last event, after `session.close` has flushed the output. */
    sessionClosed(eventId: string): E<'session.closed'> {
      return { type: 'session.closed', event_id: eventId };
    },

    /** `session.input_transcript.delta`: source-language text, sent when transcription is on. */
    inputTranscriptDelta(
      eventId: string,
      delta: string,
      elapsedMs?: number | null,
    ): E<'session.input_transcript.delta'> {
      return transcriptDelta('session.input_transcript.delta', eventId, delta, elapsedMs);
    },

    /** `session.output_transcript.delta`: translated text, append-only. */
    outputTranscriptDelta(
      eventId: string,
      delta: string,
      elapsedMs?: number | null,
    ): E<'session.output_transcript.delta'> {
      return transcriptDelta('session.output_transcript.delta', eventId, delta, elapsedMs);
    },

    /**
     * `session.output_audio.delta`: base64 translated audio, with its layout
     * (`TRANSLATION_AUDIO`: `format`, `sample_rate`, `channels`) as the live API writes it.
     * The keys come in the order `@rtwire/serializer`'s translation encoder writes.
     */
    outputAudioDelta(
      eventId: string,
      delta: string,
      elapsedMs?: number | null,
    ): E<'session.output_audio.delta'> {
      const event: E<'session.output_audio.delta'> = {
        type: 'session.output_audio.delta',
        event_id: eventId,
        format: TRANSLATION_AUDIO.format,
        sample_rate: TRANSLATION_AUDIO.sample_rate,
        channels: TRANSLATION_AUDIO.channels,
        delta,
      };
      setOptional(event, 'elapsed_ms', elapsedMs);
      return event;
    },

    /**
     * `error`, the one event both protocols share ({@link ServerEvents.errorEvent}). Never put
     * client input (audio, transcripts, keys) in `error.message`.
     */
    errorEvent(eventId: string, error: E<'error'>['error']): E<'error'> {
      return ServerEvents.errorEvent(eventId, error);
    },
  },
  {
    sessionCreated: ['eventId: string', 'session: object'],
    sessionUpdated: ['eventId: string', 'session: object'],
    sessionClosed: ['eventId: string'],
    inputTranscriptDelta: ['eventId: string', 'delta: string', 'elapsedMs: number?'],
    outputTranscriptDelta: ['eventId: string', 'delta: string', 'elapsedMs: number?'],
    outputAudioDelta: ['eventId: string', 'delta: string', 'elapsedMs: number?'],
    errorEvent: ['eventId: string', 'error: object'],
  },
);
