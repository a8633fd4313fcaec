import { ClientEvents } from '@rtwire/builders';
import * as types from '@rtwire/types';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { appendAudio, echoModel, openSession, types as typesOf, userText } from './harness.ts';

// The engine's own import of the decoder, spied on so a test can count its calls; it still
// decodes as it always does.
vi.mock('@rtwire/types', async (importOriginal) => {
  const actual = await importOriginal<typeof import('@rtwire/types')>();
  return { ...actual, decodeClientEvent: vi.fn(actual.decodeClientEvent) };
});

beforeEach(() => {
  vi.useFakeTimers();
  vi.mocked(types.decodeClientEvent).mockClear();
});
afterEach(() => {
  vi.useRealTimers();
});

/** What a relay does: decode once, and hand the engine the frame with what it decoded. */
function decodedOnce(frame: string): types.RealtimeClientEvent {
  const result = types.decodeClientEvent(frame);
  if (!result.ok || !result.known) throw new Error('test frame did not decode');
  return result.event;
}

const frames = [
  JSON.stringify(
    ClientEvents.sessionUpdate(undefined, {
      type: 'realtime',
      output_modalities: ['text'],
      audio: { input: { turn_detection: { type: 'server_vad', silence_duration_ms: 200 } } },
    }),
  ),
  JSON.stringify(userText('hello')),
  JSON.stringify(ClientEvents.responseCreate()),
  JSON.stringify(appendAudio(400, true)),
  JSON.stringify(appendAudio(400, false)),
  JSON.stringify(ClientEvents.conversationItemRetrieve(undefined, 'item_404')),
  JSON.stringify(ClientEvents.inputAudioBufferClear()),
];

describe('receive(frame, decoded)', () => {
  it('answers exactly as receive(frame) alone', async () => {
    const alone = openSession(echoModel('hi'));
    const handed = openSession(echoModel('hi'));
    for (const frame of frames) {
      alone.session.receive(frame);
      handed.session.receive(frame, decodedOnce(frame));
      await alone.eventsAfterTimers();
      await handed.eventsAfterTimers();
    }
    expect(typesOf(alone.events)).toContain('response.done');
    expect(typesOf(alone.events)).toContain('input_audio_buffer.speech_started');
    expect(handed.events).toEqual(alone.events);
    handed.expectWellFormed();
  });

  it('does not decode a frame it is handed decoded', async () => {
    const handed = openSession(echoModel());
    const decode = vi.mocked(types.decodeClientEvent);
    for (const frame of frames) {
      const event = decodedOnce(frame);
      decode.mockClear();
      handed.session.receive(frame, event);
      expect(decode).not.toHaveBeenCalled();
    }
    // Alone, the frame is decoded: the spy sees the engine's own call.
    handed.session.receive(frames[1] as string);
    expect(decode).toHaveBeenCalledTimes(1);
    await handed.eventsAfterTimers();
  });

  it('acts on the decoded event, not on the frame', async () => {
    const handed = openSession(echoModel());
    await handed.eventsAfterTimers();
    // The frame asks for a response; what the relay decoded (and may have rewritten) is an item.
    handed.session.receive(
      JSON.stringify(ClientEvents.responseCreate()),
      userText('from the relay'),
    );
    const fresh = await handed.eventsAfterTimers();
    expect(typesOf(fresh)).toEqual(['conversation.item.added', 'conversation.item.done']);
  });
});
