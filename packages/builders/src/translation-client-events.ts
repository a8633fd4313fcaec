import type { TranslationClientEventOf as E } from '@rtwire/types';
import { checkedBuilders } from './checked-builders.ts';
import { setOptional } from './optional-fields.ts';

/**
 * Constructors for the 3 client events of a translation session. Apart from
 * {@link ClientEvents}: a translation `session.update` sets only `audio.output.language`,
 * `audio.input.transcription` and `audio.input.noise_reduction`. A client's `event_id` is
 * optional: pass `undefined` to leave it out.
 *
 * @example
 * ```ts
 * import { TranslationClientEvents } from '@rtwire/builders';
 *
 * ws.send(JSON.stringify(TranslationClientEvents.sessionUpdate(undefined, {
 *   audio: { output: { language: 'fr' } },
 * })));
 * ws.send(JSON.stringify(TranslationClientEvents.inputAudioBufferAppend(undefined, base64Pcm)));
 * ws.send(JSON.stringify(TranslationClientEvents.sessionClose()));
 * ```
 */
export const TranslationClientEvents = checkedBuilders(
  'TranslationClientEvents',
  {
    /** `session.update`: change the output language, transcription or noise reduction. */
    sessionUpdate(
      eventId: string | undefined,
      session: E<'session.update'>['session'],
    ): E<'session.update'> {
      const event: E<'session.update'> = { type: 'session.update', session };
      setOptional(event, 'event_id', eventId);
      return event;
    },

    /**
     * `session.input_audio_buffer.append`: base64 of 24 kHz mono PCM16 (`TRANSLATION_AUDIO`),
     * best in 200 ms chunks, the frame the translation engine consumes.
     */
    inputAudioBufferAppend(
      eventId: string | undefined,
      audio: string,
    ): E<'session.input_audio_buffer.append'> {
      const event: E<'session.input_audio_buffer.append'> = {
        type: 'session.input_audio_buffer.append',
        audio,
      };
      setOptional(event, 'event_id', eventId);
      return event;
    },

    /** `session.close`: flush the pending input, then end with `session.closed`. */
    sessionClose(eventId?: string): E<'session.close'> {
      const event: E<'session.close'> = { type: 'session.close' };
      setOptional(event, 'event_id', eventId);
      return event;
    },
  },
  {
    sessionUpdate: ['eventId: string?', 'session: object'],
    inputAudioBufferAppend: ['eventId: string?', 'audio: string'],
    sessionClose: ['eventId: string?'],
  },
);
