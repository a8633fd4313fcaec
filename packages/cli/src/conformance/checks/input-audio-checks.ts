import type { Check, CheckContext } from '../check.ts';
import type { ConformanceSession } from '../conformance-session.ts';
import { appendChunks, silencePcm, speechLikePcm } from '../speech.ts';
import { addUserText, clientEventId, configure, expect, field, respond, shown } from '../steps.ts';

/** Appends audio in 100 ms chunks, as a client streaming a microphone does. */
function append(session: ConformanceSession, pcm: Uint8Array): number {
  const mark = session.position;
  for (const audio of appendChunks(pcm)) session.send({ type: 'input_audio_buffer.append', audio });
  return mark;
}

/** The shortest idle timeout the spec allows. */
const IDLE_TIMEOUT_MS = 5_000;

/** Server VAD that ends a turn after half a second of silence. */
const SERVER_VAD = {
  type: 'server_vad',
  silence_duration_ms: 500,
  prefix_padding_ms: 300,
  create_response: true,
  interrupt_response: true,
};

/** Turns server VAD on, or skips the check when the server refuses it. */
async function withServerVad(
  session: ConformanceSession,
  context: CheckContext,
  patch: Record<string, unknown> = {},
): Promise<void> {
  const answer = await configure(
    session,
    { audio: { input: { turn_detection: { ...SERVER_VAD, ...patch } } } },
    'return',
  );
  if (answer.type === 'error') {
    context.skip(`the server refused server_vad (${shown(field(answer, 'error', 'code'))})`);
  }
}

/**
 * Input audio: append, commit and clear by hand; server VAD on speech-like audio, barge-in,
 * and the idle timeout.
 *
 * @example
 * ```ts
 * const ids = inputAudioChecks.map((check) => check.id);
 * ```
 */
export const inputAudioChecks: readonly Check[] = [
  {
    id: 'input-audio.commit',
    description: 'Appended audio, committed, becomes a user message with input_audio',
    spec: [
      'RealtimeClientEventInputAudioBufferAppend',
      'RealtimeClientEventInputAudioBufferCommit',
      'RealtimeServerEventInputAudioBufferCommitted',
    ],
    async run(context) {
      const session = await context.open();
      await configure(session, { audio: { input: { turn_detection: null } } });
      append(session, speechLikePcm(600));
      const mark = session.send({ type: 'input_audio_buffer.commit' });
      const committed = await session.waitFor(mark, 'input_audio_buffer.committed');
      const itemId = committed.item_id;
      expect(typeof itemId === 'string', 'an item_id', shown(itemId), committed);
      const added = await session.waitFor(
        mark,
        (event) =>
          event.type === 'conversation.item.added' && field(event, 'item', 'id') === itemId,
        `conversation.item.added of ${String(itemId)}`,
      );
      const content = field(added, 'item', 'content');
      const part = Array.isArray(content) ? content[0] : undefined;
      expect(
        field(added, 'item', 'role') === 'user' && field(part, 'type') === 'input_audio',
        'a user message with an input_audio part',
        `${shown(field(added, 'item', 'role'))} ${shown(field(part, 'type'))}`,
        added,
      );
    },
  },
  {
    id: 'input-audio.clear',
    description: 'input_audio_buffer.clear empties the buffer: cleared, then a commit is refused',
    spec: [
      'RealtimeClientEventInputAudioBufferClear',
      'RealtimeServerEventInputAudioBufferCleared',
    ],
    async run(context) {
      const session = await context.open();
      await configure(session, { audio: { input: { turn_detection: null } } });
      append(session, speechLikePcm(300));
      let mark = session.send({ type: 'input_audio_buffer.clear' });
      await session.waitFor(mark, 'input_audio_buffer.cleared');
      const eventId = clientEventId();
      mark = session.send({ type: 'input_audio_buffer.commit', event_id: eventId });
      const answer = await session.waitFor(
        mark,
        (event) => event.type === 'input_audio_buffer.committed' || event.type === 'error',
        'an error committing an empty buffer',
      );
      const code = field(answer, 'error', 'code');
      expect(
        code === 'input_audio_buffer_commit_empty',
        'error "input_audio_buffer_commit_empty"',
        answer.type === 'error' ? shown(code) : answer.type,
        answer,
      );
    },
  },
  {
    id: 'input-audio.server-vad',
    description:
      'Server VAD on speech-like audio: speech started and stopped, committed, a response',
    spec: [
      'RealtimeTurnDetection',
      'RealtimeServerEventInputAudioBufferSpeechStarted',
      'RealtimeServerEventInputAudioBufferSpeechStopped',
    ],
    needs: ['turn-detection'],
    async run(context) {
      const session = await context.open();
      await configure(session, { output_modalities: ['text'] });
      await withServerVad(session, context);
      const mark = append(
        session,
        new Uint8Array([...silencePcm(400), ...speechLikePcm(1200), ...silencePcm(1200)]),
      );
      const started = await session.waitFor(mark, 'input_audio_buffer.speech_started');
      const stopped = await session.waitFor(mark, 'input_audio_buffer.speech_stopped');
      const start = started.audio_start_ms;
      const end = stopped.audio_end_ms;
      expect(
        typeof start === 'number' && typeof end === 'number' && end > start,
        'audio_end_ms after audio_start_ms',
        `${shown(start)} → ${shown(end)}`,
        stopped,
      );
      expect(
        stopped.item_id === started.item_id,
        'one item id for the turn',
        shown(stopped.item_id),
        stopped,
      );
      const committed = await session.waitFor(mark, 'input_audio_buffer.committed');
      expect(
        committed.item_id === started.item_id,
        'the turn committed',
        shown(committed.item_id),
        committed,
      );
      await session.waitFor(mark, 'response.created');
      await session.waitFor(mark, 'response.done');
    },
  },
  {
    id: 'input-audio.barge-in',
    description: 'Speech during an audio response interrupts it: status "cancelled", turn_detected',
    spec: ['RealtimeTurnDetection', 'RealtimeResponse'],
    needs: ['audio', 'turn-detection'],
    async run(context) {
      const session = await context.open();
      await configure(session, { output_modalities: ['audio'] });
      await withServerVad(session, context);
      await addUserText(
        session,
        'Please read this back slowly: one two three four five six seven eight nine ten eleven twelve.',
      );
      const mark = session.send({ type: 'response.create' });
      const created = await session.waitFor(mark, 'response.created');
      await session.waitFor(mark, 'response.output_audio.delta');
      append(session, new Uint8Array([...speechLikePcm(900), ...silencePcm(900)]));
      const started = await session.waitFor(mark, 'input_audio_buffer.speech_started');
      const id = field(created, 'response', 'id');
      const done = await session.waitFor(
        mark,
        (event) => event.type === 'response.done' && field(event, 'response', 'id') === id,
        `response.done of ${String(id)}`,
      );
      if (session.events.indexOf(done) < session.events.indexOf(started)) {
        context.skip('the response had finished before the speech was detected');
      }
      const status = field(done, 'response', 'status');
      const reason = field(done, 'response', 'status_details', 'reason');
      expect(
        status === 'cancelled' && reason === 'turn_detected',
        'status "cancelled", reason "turn_detected"',
        `${shown(status)}, ${shown(reason)}`,
        done,
      );
    },
  },
  {
    id: 'input-audio.idle-timeout',
    description:
      'Server VAD idle_timeout_ms: input_audio_buffer.timeout_triggered after a silent wait',
    spec: ['RealtimeTurnDetection', 'RealtimeServerEventInputAudioBufferTimeoutTriggered'],
    needs: ['turn-detection'],
    async run(context) {
      const session = await context.open();
      await configure(session, { output_modalities: ['text'] });
      await withServerVad(session, context, { idle_timeout_ms: IDLE_TIMEOUT_MS });
      await addUserText(session, 'Say hello.');
      const response = await respond(session, context);
      const mark = session.events.indexOf(response.done);
      // A caller who says nothing still sends audio (a phone line's silence), and the
      // timeout counts over that: silence streams at its real pace while the check waits.
      const silence = appendChunks(silencePcm(100))[0] as string;
      const line = setInterval(
        () => session.send({ type: 'input_audio_buffer.append', audio: silence }),
        100,
      );
      // The timeout counts from the end of the response: allow it on top of the usual wait.
      const triggered = await session
        .waitFor(
          mark,
          'input_audio_buffer.timeout_triggered',
          undefined,
          IDLE_TIMEOUT_MS + context.timeoutMs,
        )
        .finally(() => clearInterval(line));
      expect(
        typeof triggered.item_id === 'string' &&
          typeof triggered.audio_start_ms === 'number' &&
          typeof triggered.audio_end_ms === 'number',
        'item_id, audio_start_ms and audio_end_ms',
        'a field missing',
        triggered,
      );
    },
  },
];
