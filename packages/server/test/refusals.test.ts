import { ClientEvents } from '@rtwire/builders';
import type { RealtimeClientEvent } from '@rtwire/types';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { RealtimeModel } from '../src/index.ts';
import { appendAudio, type Harness, openSession, userText } from './harness.ts';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

/** A model that speaks 300 ms of audio, one 100 ms chunk every 100 ms. */
const speaker: RealtimeModel = {
  async respond(_request, output, signal) {
    for (let chunk = 0; chunk < 3 && !signal.aborted; chunk++) {
      output.audio(new Uint8Array(4800));
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  },
};

interface Case {
  readonly name: string;
  /** Brings the session where the refusal applies (the setup must cause no error). */
  readonly setup?: (send: (event: RealtimeClientEvent | string) => void) => Promise<void> | void;
  /** The refused frame; its `event_id` (when it has one) is `evt_refused`. */
  readonly frame: RealtimeClientEvent | string | ((harness: Harness) => RealtimeClientEvent);
  readonly code: string;
  readonly param: string | null;
  /** Whether the refusal names the client event (false when the frame is not readable JSON). */
  readonly echoesEventId?: boolean;
}

const ID = 'evt_refused';
const withId = <T extends RealtimeClientEvent>(event: T): T => ({ ...event, event_id: ID });
/** An assistant audio item `item_*`: the first response's message. */
const answerOnce = async (send: (event: RealtimeClientEvent) => void) => {
  send(ClientEvents.responseCreate());
  await vi.runAllTimersAsync();
};

const cases: readonly Case[] = [
  {
    name: 'a frame that is not JSON',
    frame: '{"type":',
    code: 'invalid_json',
    param: null,
    echoesEventId: false,
  },
  { name: 'a JSON array', frame: '[1,2]', code: 'invalid_json', param: null, echoesEventId: false },
  {
    name: 'an unknown event type',
    frame: JSON.stringify({ type: 'session.destroy', event_id: ID }),
    code: 'invalid_value',
    param: 'type',
  },
  {
    name: 'a known event missing a field',
    frame: JSON.stringify({ type: 'conversation.item.delete', event_id: ID }),
    code: 'invalid_event',
    param: 'item_id',
  },
  {
    name: 'a field of the wrong type',
    frame: JSON.stringify({ type: 'input_audio_buffer.append', event_id: ID, audio: 42 }),
    code: 'invalid_event',
    param: 'audio',
  },
  {
    name: 'session.update changing the session type',
    frame: withId(ClientEvents.sessionUpdate(undefined, { type: 'transcription' } as never)),
    code: 'invalid_value',
    param: 'session.type',
  },
  {
    name: 'session.update with two output modalities',
    frame: withId(
      ClientEvents.sessionUpdate(undefined, {
        type: 'realtime',
        output_modalities: ['text', 'audio'],
      }),
    ),
    code: 'invalid_value',
    param: 'session.output_modalities',
  },
  {
    name: 'conversation.item.create with a taken id',
    setup: (send) => send({ ...userText('a'), item: { ...userText('a').item, id: 'item_taken' } }),
    frame: withId({ ...userText('b'), item: { ...userText('b').item, id: 'item_taken' } }),
    code: 'invalid_value',
    param: 'item.id',
  },
  {
    name: 'conversation.item.create after an unknown item',
    frame: withId(
      ClientEvents.conversationItemCreate(undefined, 'item_nowhere', userText('x').item),
    ),
    code: 'item_not_found',
    param: 'previous_item_id',
  },
  {
    name: 'conversation.item.retrieve of an unknown item',
    frame: withId(ClientEvents.conversationItemRetrieve(undefined, 'item_nowhere')),
    code: 'item_not_found',
    param: 'item_id',
  },
  {
    name: 'conversation.item.delete of an unknown item',
    frame: withId(ClientEvents.conversationItemDelete(undefined, 'item_nowhere')),
    code: 'item_not_found',
    param: 'item_id',
  },
  {
    name: 'conversation.item.truncate of an unknown item',
    frame: withId(ClientEvents.conversationItemTruncate(undefined, 'item_nowhere', 0, 0)),
    code: 'item_not_found',
    param: 'item_id',
  },
  {
    name: 'conversation.item.truncate of a user message',
    setup: (send) => send({ ...userText('a'), item: { ...userText('a').item, id: 'item_user' } }),
    frame: withId(ClientEvents.conversationItemTruncate(undefined, 'item_user', 0, 0)),
    code: 'invalid_value',
    param: 'content_index',
  },
  {
    name: 'conversation.item.truncate past the audio',
    setup: answerOnce,
    frame: (harness) =>
      withId(
        ClientEvents.conversationItemTruncate(
          undefined,
          harness.only('response.output_item.done')[0]?.item.id ?? '',
          0,
          301,
        ),
      ),
    code: 'invalid_value',
    param: 'audio_end_ms',
  },
  {
    name: 'input_audio_buffer.append of text that is not base64',
    frame: withId(ClientEvents.inputAudioBufferAppend(undefined, 'not base64!')),
    code: 'invalid_value',
    param: 'audio',
  },
  {
    name: 'input_audio_buffer.commit of under 100 ms',
    setup: (send) => send(appendAudio(60, false)),
    frame: withId(ClientEvents.inputAudioBufferCommit()),
    code: 'input_audio_buffer_commit_empty',
    param: null,
  },
  {
    name: 'response.create while one is active',
    setup: (send) => send(ClientEvents.responseCreate()),
    frame: withId(ClientEvents.responseCreate()),
    code: 'conversation_already_has_active_response',
    param: null,
  },
  {
    name: 'response.create with two output modalities',
    frame: withId(ClientEvents.responseCreate(undefined, { output_modalities: ['text', 'audio'] })),
    code: 'invalid_value',
    param: 'response.output_modalities',
  },
  {
    name: 'response.cancel with nothing active',
    frame: withId(ClientEvents.responseCancel()),
    code: 'response_cancel_not_active',
    param: null,
  },
  {
    name: 'response.cancel naming another response',
    setup: (send) => send(ClientEvents.responseCreate()),
    frame: withId(ClientEvents.responseCancel(undefined, 'resp_other')),
    code: 'response_cancel_not_active',
    param: null,
  },
  {
    name: 'output_audio_buffer.clear before any response',
    frame: withId(ClientEvents.outputAudioBufferClear()),
    code: 'invalid_value',
    param: null,
  },
];

describe('every client event the engine refuses', () => {
  it.each(cases)('answers $name with one error and goes on', async (refusal) => {
    const harness = openSession(speaker, { instructions: 'refusals' });
    harness.send(
      ClientEvents.sessionUpdate(undefined, {
        type: 'realtime',
        audio: { input: { turn_detection: null } },
      }),
    );
    await refusal.setup?.(harness.send);
    const before = harness.events.length;
    expect(harness.only('error')).toEqual([]);
    harness.send(typeof refusal.frame === 'function' ? refusal.frame(harness) : refusal.frame);
    const answer = harness.events.slice(before);
    expect(answer.map((event) => event.type)).toEqual(['error']);
    const [event] = harness.only('error');
    expect(event?.error).toMatchObject({
      type: 'invalid_request_error',
      code: refusal.code,
      param: refusal.param,
      event_id: refusal.echoesEventId === false ? null : ID,
    });
    // What the client sent never comes back in the message.
    expect(event?.error.message).not.toMatch(
      /item_taken|item_nowhere|item_user|not base64|session\.destroy/,
    );
    // The session goes on: a text response still runs to its end.
    await vi.runAllTimersAsync();
    harness.send(ClientEvents.responseCreate());
    await vi.runAllTimersAsync();
    expect(harness.only('response.done').at(-1)?.response.status).toBe('completed');
    harness.expectWellFormed();
  });

  it('covers every client event type at least once', () => {
    const refusedTypes = new Set(
      cases.map(({ frame }) => {
        if (typeof frame === 'function') return 'conversation.item.truncate';
        try {
          return (
            JSON.parse(typeof frame === 'string' ? frame : JSON.stringify(frame)) as {
              type?: string;
            }
          ).type;
        } catch {
          return undefined;
        }
      }),
    );
    for (const type of [
      'session.update',
      'conversation.item.create',
      'conversation.item.retrieve',
      'conversation.item.delete',
      'conversation.item.truncate',
      'input_audio_buffer.append',
      'input_audio_buffer.commit',
      'response.create',
      'response.cancel',
      'output_audio_buffer.clear',
    ]) {
      expect(refusedTypes, type).toContain(type);
    }
  });
});
