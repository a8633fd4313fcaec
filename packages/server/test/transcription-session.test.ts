import { ClientEvents } from '@rtwire/builders';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { RealtimeModel, TranscriptionRequest } from '../src/index.ts';
import { appendAudio, echoModel, openSession, types, userText } from './harness.ts';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

const transcribeUpdate = (turnDetection: unknown = undefined) =>
  ClientEvents.sessionUpdate(undefined, {
    type: 'transcription',
    audio: {
      input: {
        transcription: { model: 'gpt-4o-transcribe', language: 'en' },
        ...(turnDetection === undefined ? {} : { turn_detection: turnDetection }),
      },
    },
  } as never);

describe('a transcription session', () => {
  it('opens as one, transcribes each turn server VAD finds, and never responds', async () => {
    const requests: TranscriptionRequest[] = [];
    const responded = vi.fn();
    const model: RealtimeModel = {
      respond: responded,
      async *transcribe(request) {
        requests.push(request);
        yield 'hello ';
        yield 'there';
      },
    };
    const harness = openSession(model, { type: 'transcription' });
    const [created] = await harness.eventsAfterTimers();
    expect(created).toMatchObject({
      type: 'session.created',
      session: { type: 'transcription', object: 'realtime.transcription_session' },
    });
    harness.send(transcribeUpdate());
    for (let turn = 0; turn < 2; turn++) {
      harness.send(appendAudio(300, true));
      harness.send(appendAudio(400, false));
    }
    const events = await harness.eventsAfterTimers();
    expect(types(events)).toEqual([
      'session.updated',
      'input_audio_buffer.speech_started',
      'input_audio_buffer.speech_stopped',
      'input_audio_buffer.committed',
      'input_audio_buffer.speech_started',
      'input_audio_buffer.speech_stopped',
      'input_audio_buffer.committed',
      // Each turn's transcription runs on its own, so their events may interleave.
      ...Array.from({ length: 6 }, () =>
        expect.stringMatching(/^conversation\.item\.input_audio_transcription\./),
      ),
    ]);
    const committed = harness.only('input_audio_buffer.committed');
    for (const { item_id: itemId } of committed) {
      expect(
        types(events.filter((event) => 'item_id' in event && event.item_id === itemId)).slice(-3),
      ).toEqual([
        'conversation.item.input_audio_transcription.delta',
        'conversation.item.input_audio_transcription.delta',
        'conversation.item.input_audio_transcription.completed',
      ]);
    }
    expect(committed[1]?.previous_item_id).toBe(committed[0]?.item_id);
    expect(harness.only('conversation.item.input_audio_transcription.completed')).toEqual([
      expect.objectContaining({ item_id: committed[0]?.item_id, transcript: 'hello there' }),
      expect.objectContaining({ item_id: committed[1]?.item_id, transcript: 'hello there' }),
    ]);
    expect(requests.map((request) => request.settings)).toEqual([
      { model: 'gpt-4o-transcribe', language: 'en' },
      { model: 'gpt-4o-transcribe', language: 'en' },
    ]);
    // The turn's audio reaches the model: 300 ms of speech and the silence that ended it.
    expect(requests.map((request) => [request.durationMs, request.audio.length])).toEqual([
      [700, 700 * 48],
      [700, 700 * 48],
    ]);
    expect(responded).not.toHaveBeenCalled();
    harness.expectWellFormed();
  });

  it('commits on request when turn detection is off', async () => {
    const harness = openSession(
      { respond() {}, transcribe: async () => 'manual' },
      { type: 'transcription' },
    );
    harness.send(transcribeUpdate(null));
    harness.send(appendAudio(200, true));
    harness.send(ClientEvents.inputAudioBufferCommit());
    const events = await harness.eventsAfterTimers();
    expect(types(events)).toEqual([
      'session.created',
      'session.updated',
      'input_audio_buffer.committed',
      'conversation.item.input_audio_transcription.delta',
      'conversation.item.input_audio_transcription.completed',
    ]);
    harness.expectWellFormed();
  });

  it('refuses what needs a conversation or responses, and a change of session type', async () => {
    const harness = openSession(echoModel(), { type: 'transcription' });
    await harness.eventsAfterTimers();
    const refused = [
      ClientEvents.responseCreate('evt_create'),
      ClientEvents.responseCancel('evt_cancel'),
      { ...userText('hi'), event_id: 'evt_item' },
      ClientEvents.conversationItemRetrieve('evt_retrieve', 'item_1'),
      ClientEvents.conversationItemDelete('evt_delete', 'item_1'),
      ClientEvents.conversationItemTruncate('evt_truncate', 'item_1', 0, 0),
      ClientEvents.outputAudioBufferClear('evt_clear'),
      ClientEvents.sessionUpdate('evt_type', { type: 'realtime', instructions: 'x' }),
    ];
    for (const event of refused) harness.send(event);
    const events = await harness.eventsAfterTimers();
    expect(events.map((event) => event.type)).toEqual(refused.map(() => 'error'));
    expect(
      harness.only('error').map(({ error }) => [error.event_id, error.code, error.param]),
    ).toEqual([
      ['evt_create', 'invalid_value', 'type'],
      ['evt_cancel', 'invalid_value', 'type'],
      ['evt_item', 'invalid_value', 'type'],
      ['evt_retrieve', 'invalid_value', 'type'],
      ['evt_delete', 'invalid_value', 'type'],
      ['evt_truncate', 'invalid_value', 'type'],
      ['evt_clear', 'invalid_value', 'type'],
      ['evt_type', 'invalid_value', 'session.type'],
    ]);
    harness.expectWellFormed();
  });

  it('is refused by a realtime session, which stays as it was', async () => {
    const harness = openSession(echoModel());
    await harness.eventsAfterTimers();
    harness.send(transcribeUpdate());
    const [error] = await harness.eventsAfterTimers();
    expect(error).toMatchObject({ type: 'error', error: { param: 'session.type' } });
    harness.send(ClientEvents.responseCreate());
    expect(types(await harness.eventsAfterTimers())).toContain('response.done');
  });
});
