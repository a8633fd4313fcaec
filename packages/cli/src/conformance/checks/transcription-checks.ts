import type { Check } from '../check.ts';
import { appendChunks, speechLikePcm } from '../speech.ts';
import { configure, expect, field, shown } from '../steps.ts';

/**
 * Input transcription: a committed turn is transcribed, its deltas joining to the transcript.
 *
 * @example
 * ```ts
 * const ids = transcriptionChecks.map((check) => check.id);
 * ```
 */
export const transcriptionChecks: readonly Check[] = [
  {
    id: 'transcription.input',
    description: 'With a transcription model, a committed turn gets its transcription completed',
    spec: [
      'AudioTranscription',
      'RealtimeServerEventConversationItemInputAudioTranscriptionCompleted',
    ],
    needs: ['transcription'],
    async run(context) {
      const session = await context.open();
      const answer = await configure(
        session,
        {
          audio: {
            input: { transcription: { model: context.transcriptionModel }, turn_detection: null },
          },
        },
        'return',
      );
      if (answer.type === 'error') {
        context.skip(
          `the server refused input transcription with ${shown(context.transcriptionModel)} (${shown(field(answer, 'error', 'code'))})`,
        );
      }
      for (const audio of appendChunks(speechLikePcm(1000))) {
        session.send({ type: 'input_audio_buffer.append', audio });
      }
      const mark = session.send({ type: 'input_audio_buffer.commit' });
      const committed = await session.waitFor(mark, 'input_audio_buffer.committed');
      const completed = await session.waitFor(
        mark,
        (event) =>
          (event.type === 'conversation.item.input_audio_transcription.completed' ||
            event.type === 'conversation.item.input_audio_transcription.failed') &&
          event.item_id === committed.item_id,
        `the transcription of ${String(committed.item_id)}`,
      );
      expect(
        completed.type === 'conversation.item.input_audio_transcription.completed',
        'conversation.item.input_audio_transcription.completed',
        completed.type,
        completed,
      );
      expect(
        typeof completed.transcript === 'string',
        'a transcript',
        shown(completed.transcript),
        completed,
      );
      const deltas = session
        .since(mark)
        .filter(
          (event) =>
            event.type === 'conversation.item.input_audio_transcription.delta' &&
            event.item_id === committed.item_id,
        );
      if (deltas.length > 0) {
        const joined = deltas.map((event) => String(event.delta)).join('');
        expect(
          joined === completed.transcript,
          'the deltas joined equal the transcript',
          'they differ',
          completed,
        );
      }
    },
  },
];
