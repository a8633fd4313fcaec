import { ClientEvents } from '@rtwire/builders';
import type { RealtimeClientEvent, RealtimeServerEvent, ServerEventOf } from '@rtwire/types';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { specErrors } from '../../../test-support/spec-validator.ts';
import { createRealtimeSession, createSimulatorModel, type RealtimeSession } from '../src/index.ts';
import { decodeBase64 } from '../src/pcm.ts';
import { pcmBase64 as pcm, userText } from './harness.ts';

interface Harness {
  readonly session: RealtimeSession;
  readonly events: RealtimeServerEvent[];
  send(event: RealtimeClientEvent | string): void;
  /** Runs every timer and microtask, then returns the events sent since the last call. */
  eventsAfterTimers(): Promise<RealtimeServerEvent[]>;
}

function start(pace: 'fast' | 'realtime' = 'fast', model?: string): Harness {
  const events: RealtimeServerEvent[] = [];
  let seen = 0;
  let eventCounter = 0;
  let idCounter = 0;
  const session = createRealtimeSession({
    model: createSimulatorModel({ pace }),
    send: (frame) => events.push(JSON.parse(frame)),
    frames: 'string',
    instructions: 'You are the rtwire simulator: a deterministic stand-in for a realtime model.',
    ...(model === undefined ? {} : { modelName: model }),
    eventIds: () => `event_${++eventCounter}`,
    ids: (kind) => `${kind}_${++idCounter}`,
    now: () => 1_700_000_000_000,
  });
  return {
    session,
    events,
    send: (event) => session.receive(typeof event === 'string' ? event : JSON.stringify(event)),
    async eventsAfterTimers() {
      await vi.runAllTimersAsync();
      const fresh = events.slice(seen);
      seen = events.length;
      return fresh;
    },
  };
}

const types = (events: readonly RealtimeServerEvent[]) => events.map((event) => event.type);
const only = <T extends RealtimeServerEvent['type']>(
  events: readonly RealtimeServerEvent[],
  type: T,
) => events.filter((event): event is ServerEventOf<T> => event.type === type);
const expectValid = (events: readonly RealtimeServerEvent[]) => {
  for (const event of events) expect(specErrors(event), event.type).toBeUndefined();
};

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('simulator session', () => {
  it('opens with a valid session.created, then merges session.update into session.updated', async () => {
    const sim = start('fast', 'gpt-realtime-test');
    const opened = await sim.eventsAfterTimers();
    expect(types(opened)).toEqual(['session.created']);
    expectValid(opened);
    expect(only(opened, 'session.created')[0]?.session).toMatchObject({
      model: 'gpt-realtime-test',
      output_modalities: ['audio'],
      audio: { input: { turn_detection: { type: 'server_vad', silence_duration_ms: 200 } } },
    });
    sim.send(
      ClientEvents.sessionUpdate('evt_u', {
        type: 'realtime',
        instructions: 'Be brief.',
        output_modalities: ['text'],
        audio: { input: { turn_detection: null }, output: { voice: 'cedar' } },
      }),
    );
    const updated = await sim.eventsAfterTimers();
    expectValid(updated);
    expect(only(updated, 'session.updated')[0]?.session).toMatchObject({
      instructions: 'Be brief.',
      output_modalities: ['text'],
      audio: { input: { turn_detection: null }, output: { voice: 'cedar', speed: 1 } },
    });
  });

  it('refuses a session type change with a spec-shaped error', async () => {
    const sim = start();
    await sim.eventsAfterTimers();
    sim.send(ClientEvents.sessionUpdate('evt_t', { type: 'transcription' }));
    const [error] = await sim.eventsAfterTimers();
    expect(error).toMatchObject({
      type: 'error',
      error: { type: 'invalid_request_error', code: 'invalid_value', event_id: 'evt_t' },
    });
    expectValid([error as RealtimeServerEvent]);
  });

  it('answers a text item with a whole text response in the live order', async () => {
    const sim = start();
    await sim.eventsAfterTimers();
    sim.send(userText('hello there'));
    const added = await sim.eventsAfterTimers();
    expect(types(added)).toEqual(['conversation.item.added', 'conversation.item.done']);
    sim.send(ClientEvents.responseCreate('evt_r', { output_modalities: ['text'] }));
    const response = await sim.eventsAfterTimers();
    expectValid([...added, ...response]);
    const order = types(response).filter((type) => !type.endsWith('.delta'));
    expect(order).toEqual([
      'response.created',
      'response.output_item.added',
      'conversation.item.added',
      'response.content_part.added',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'conversation.item.done',
      'response.done',
    ]);
    const deltas = only(response, 'response.output_text.delta').map((event) => event.delta);
    expect(deltas.join('')).toBe('You said: hello there');
    expect(only(response, 'response.output_text.done')[0]?.text).toBe('You said: hello there');
    const done = only(response, 'response.done')[0]?.response;
    expect(done?.status).toBe('completed');
    expect(done?.usage?.output_tokens).toBeGreaterThan(0);
    expect(only(response, 'conversation.item.added')[0]?.previous_item_id).toBe(
      only(added, 'conversation.item.added')[0]?.item.id,
    );
  });

  it('asked what the user said before, recalls the earlier words and counts the items', async () => {
    const sim = start();
    await sim.eventsAfterTimers();
    const ask = async (text: string) => {
      sim.send(userText(text));
      sim.send(ClientEvents.responseCreate(undefined, { output_modalities: ['text'] }));
      const events = await sim.eventsAfterTimers();
      return only(events, 'response.output_text.done')[0]?.text;
    };
    expect(await ask('what did I say before?')).toBe(
      'You said nothing before; the conversation has 1 items.',
    );
    expect(await ask('my name is Ada')).toBe('You said: my name is Ada');
    expect(await ask('What did I say before?')).toBe(
      'Before, you said: my name is Ada (the conversation has 5 items).',
    );
  });

  it('streams audio and transcript whose audio decodes to PCM16 of the reported length', async () => {
    const sim = start();
    await sim.eventsAfterTimers();
    sim.send(userText('sing'));
    sim.send(ClientEvents.responseCreate());
    const events = await sim.eventsAfterTimers();
    expectValid(events);
    const audio = only(events, 'response.output_audio.delta').map((event) =>
      decodeBase64(event.delta),
    );
    expect(audio.every((chunk) => chunk !== undefined && chunk.length % 2 === 0)).toBe(true);
    const bytes = audio.reduce((sum, chunk) => sum + (chunk?.length ?? 0), 0);
    const transcript = only(events, 'response.output_audio_transcript.delta')
      .map((event) => event.delta)
      .join('');
    expect(transcript).toBe('You said: sing');
    expect(only(events, 'response.output_audio_transcript.done')[0]?.transcript).toBe(transcript);
    expect(bytes).toBe(Math.max(300, transcript.length * 60) * 48);
    expect(only(events, 'response.done')[0]?.response.output?.[0]).toMatchObject({
      content: [{ type: 'output_audio', transcript }],
    });
  });

  it('paces audio at playback speed under realtime pacing', async () => {
    const sim = start('realtime');
    await sim.eventsAfterTimers();
    sim.send(userText('a fairly long sentence to speak aloud'));
    sim.send(ClientEvents.responseCreate());
    await vi.advanceTimersByTimeAsync(1_000);
    const audioSoFar = only(sim.events, 'response.output_audio.delta').length;
    // About ten 100 ms chunks in one second (the first goes out at once).
    expect(audioSoFar).toBeGreaterThanOrEqual(9);
    expect(audioSoFar).toBeLessThanOrEqual(12);
    expect(types(sim.events)).not.toContain('response.done');
    await sim.eventsAfterTimers();
    expect(types(sim.events)).toContain('response.done');
  });

  it('with server VAD: speech_started, speech_stopped, committed, then a response', async () => {
    const sim = start();
    await sim.eventsAfterTimers();
    for (let i = 0; i < 5; i++)
      sim.send(ClientEvents.inputAudioBufferAppend(undefined, pcm(100, true)));
    for (let i = 0; i < 3; i++)
      sim.send(ClientEvents.inputAudioBufferAppend(undefined, pcm(100, false)));
    const events = await sim.eventsAfterTimers();
    expectValid(events);
    const flow = types(events).filter((type) => !type.endsWith('.delta'));
    expect(flow.slice(0, 5)).toEqual([
      'input_audio_buffer.speech_started',
      'input_audio_buffer.speech_stopped',
      'input_audio_buffer.committed',
      'conversation.item.added',
      'conversation.item.done',
    ]);
    expect(flow).toContain('response.done');
    const started = only(events, 'input_audio_buffer.speech_started')[0];
    const committed = only(events, 'input_audio_buffer.committed')[0];
    expect(started?.item_id).toBe(committed?.item_id);
    expect(started?.audio_start_ms).toBe(0);
    expect(only(events, 'input_audio_buffer.speech_stopped')[0]?.audio_end_ms).toBe(700);
    expect(only(events, 'response.output_audio_transcript.done')[0]?.transcript).toBe(
      'I heard 700 ms of audio.',
    );
  });

  it('without VAD: manual commit, too-short commit error, clear', async () => {
    const sim = start();
    await sim.eventsAfterTimers();
    sim.send(
      ClientEvents.sessionUpdate(undefined, {
        type: 'realtime',
        audio: { input: { turn_detection: null } },
      }),
    );
    await sim.eventsAfterTimers();
    sim.send(ClientEvents.inputAudioBufferAppend(undefined, pcm(50, true)));
    sim.send(ClientEvents.inputAudioBufferCommit('evt_c1'));
    const [tooShort] = await sim.eventsAfterTimers();
    expect(tooShort).toMatchObject({
      type: 'error',
      error: { code: 'input_audio_buffer_commit_empty', event_id: 'evt_c1' },
    });
    sim.send(ClientEvents.inputAudioBufferAppend(undefined, pcm(200, true)));
    sim.send(ClientEvents.inputAudioBufferCommit());
    const committed = await sim.eventsAfterTimers();
    expect(types(committed)).toEqual([
      'input_audio_buffer.committed',
      'conversation.item.added',
      'conversation.item.done',
    ]);
    sim.send(ClientEvents.inputAudioBufferClear());
    expect(types(await sim.eventsAfterTimers())).toEqual(['input_audio_buffer.cleared']);
    expectValid(sim.events);
  });

  it('cancels an active response; a second cancel or create reports an error', async () => {
    const sim = start('realtime');
    await sim.eventsAfterTimers();
    sim.send(userText('tell me a long story please'));
    sim.send(ClientEvents.responseCreate());
    sim.send(ClientEvents.responseCreate('evt_2nd'));
    await vi.advanceTimersByTimeAsync(250);
    sim.send(ClientEvents.responseCancel('evt_cancel'));
    sim.send(ClientEvents.responseCancel('evt_again'));
    const events = await sim.eventsAfterTimers();
    expectValid(events);
    const errors = only(events, 'error').map((event) => [event.error.code, event.error.event_id]);
    expect(errors).toEqual([
      ['conversation_already_has_active_response', 'evt_2nd'],
      ['response_cancel_not_active', 'evt_again'],
    ]);
    expect(only(events, 'response.done')[0]?.response).toMatchObject({
      status: 'cancelled',
      status_details: { type: 'cancelled', reason: 'client_cancelled' },
    });
    expect(only(events, 'response.output_item.done')[0]?.item).toMatchObject({
      status: 'incomplete',
    });
    // Nothing of the cancelled response arrives after its response.done.
    const doneAt = types(events).indexOf('response.done');
    expect(
      types(events)
        .slice(doneAt + 1)
        .every((type) => type === 'error'),
    ).toBe(true);
  });

  it('retrieves, truncates and deletes items, and reports unknown ones', async () => {
    const sim = start();
    await sim.eventsAfterTimers();
    sim.send(userText('hi'));
    sim.send(ClientEvents.responseCreate());
    const events = await sim.eventsAfterTimers();
    const assistant = only(events, 'response.output_item.done')[0]?.item.id as string;
    sim.send(ClientEvents.conversationItemRetrieve('evt_r', assistant));
    sim.send(ClientEvents.conversationItemTruncate('evt_t', assistant, 0, 100));
    sim.send(ClientEvents.conversationItemTruncate('evt_t2', assistant, 0, 999_999));
    sim.send(ClientEvents.conversationItemDelete('evt_d', assistant));
    sim.send(ClientEvents.conversationItemDelete('evt_d2', assistant));
    const after = await sim.eventsAfterTimers();
    expectValid(after);
    expect(types(after)).toEqual([
      'conversation.item.retrieved',
      'conversation.item.truncated',
      'error',
      'conversation.item.deleted',
      'error',
    ]);
    expect(only(after, 'conversation.item.retrieved')[0]?.item.id).toBe(assistant);
    expect(only(after, 'error').map((event) => event.error.code)).toEqual([
      'invalid_value',
      'item_not_found',
    ]);
  });

  it('answers out-of-band responses without touching the conversation', async () => {
    const sim = start();
    await sim.eventsAfterTimers();
    sim.send(
      ClientEvents.responseCreate(undefined, {
        conversation: 'none',
        output_modalities: ['text'],
        metadata: { purpose: 'classification' },
        input: [
          { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'classify me' }] },
        ],
      }),
    );
    const events = await sim.eventsAfterTimers();
    expectValid(events);
    expect(types(events).some((type) => type.startsWith('conversation.'))).toBe(false);
    expect(only(events, 'response.done')[0]?.response).toMatchObject({
      conversation_id: null,
      metadata: { purpose: 'classification' },
    });
    expect(only(events, 'response.output_text.done')[0]?.text).toBe('You said: classify me');
  });

  it('calls a function tool the user names, then reports its output', async () => {
    const sim = start();
    await sim.eventsAfterTimers();
    sim.send(
      ClientEvents.sessionUpdate(undefined, {
        type: 'realtime',
        output_modalities: ['text'],
        tools: [
          {
            type: 'function',
            name: 'get_weather',
            parameters: {
              type: 'object',
              properties: { query: { type: 'string' }, unit: { enum: ['c', 'f'] } },
              required: ['query'],
            },
          },
        ],
      }),
    );
    sim.send(userText('please get_weather for Oslo'));
    sim.send(ClientEvents.responseCreate());
    const events = await sim.eventsAfterTimers();
    expectValid(events);
    const call = only(events, 'response.function_call_arguments.done')[0];
    expect(call?.name).toBe('get_weather');
    expect(JSON.parse(call?.arguments ?? '')).toEqual({ query: 'please get_weather for Oslo' });
    sim.send(
      ClientEvents.conversationItemCreate(undefined, undefined, {
        type: 'function_call_output',
        call_id: call?.call_id as string,
        output: '{"temp":3}',
      }),
    );
    sim.send(ClientEvents.responseCreate());
    const next = await sim.eventsAfterTimers();
    expect(only(next, 'response.output_text.done')[0]?.text).toBe('The tool returned: {"temp":3}');
  });

  it('answers malformed frames with errors that never echo the payload', async () => {
    const sim = start();
    await sim.eventsAfterTimers();
    sim.send('{"type":"conversation.item.delete","event_id":"evt_bad"}');
    sim.send('not json SECRET');
    sim.send('{"type":"nonsense.event","event_id":"evt_x","secret":"SECRET"}');
    sim.send(ClientEvents.inputAudioBufferAppend('evt_a', '@@not base64 SECRET@@'));
    const errors = await sim.eventsAfterTimers();
    expectValid(errors);
    expect(errors.map((event) => (event as ServerEventOf<'error'>).error)).toMatchObject([
      { code: 'invalid_event', param: 'item_id', event_id: 'evt_bad' },
      { code: 'invalid_json', event_id: null },
      { code: 'invalid_value', param: 'type', event_id: 'evt_x' },
      { code: 'invalid_value', param: 'audio', event_id: 'evt_a' },
    ]);
    expect(JSON.stringify(errors)).not.toContain('SECRET');
  });

  it('sends nothing and leaves no timer after close', async () => {
    const sim = start('realtime');
    await sim.eventsAfterTimers();
    sim.send(userText('a long reply to interrupt'));
    sim.send(ClientEvents.responseCreate());
    await vi.advanceTimersByTimeAsync(150);
    sim.session.close();
    const count = sim.events.length;
    expect(vi.getTimerCount()).toBe(0);
    sim.send(ClientEvents.responseCreate());
    await vi.runAllTimersAsync();
    expect(sim.events).toHaveLength(count);
  });

  it('never throws and only sends spec-valid events, whatever valid events arrive', async () => {
    const itemId = fc.constantFrom('item_1', 'item_2', 'item_5', 'missing');
    const clientEvent: fc.Arbitrary<RealtimeClientEvent> = fc.oneof(
      fc.string({ maxLength: 20 }).map((text) => userText(text)),
      fc.constant(ClientEvents.responseCreate()),
      fc.constant(ClientEvents.responseCreate(undefined, { output_modalities: ['text'] })),
      fc.constant(ClientEvents.responseCancel()),
      fc.boolean().map((loud) => ClientEvents.inputAudioBufferAppend(undefined, pcm(100, loud))),
      fc.constant(ClientEvents.inputAudioBufferCommit()),
      fc.constant(ClientEvents.inputAudioBufferClear()),
      fc.constant(ClientEvents.outputAudioBufferClear()),
      itemId.map((id) => ClientEvents.conversationItemRetrieve(undefined, id)),
      itemId.map((id) => ClientEvents.conversationItemDelete(undefined, id)),
      fc
        .tuple(itemId, fc.nat(3), fc.nat(2_000))
        .map(([id, index, ms]) => ClientEvents.conversationItemTruncate(undefined, id, index, ms)),
      fc.constantFrom<'text' | 'audio'>('text', 'audio').map((modality) =>
        ClientEvents.sessionUpdate(undefined, {
          type: 'realtime',
          output_modalities: [modality],
        }),
      ),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(clientEvent, { maxLength: 25 }), async (script) => {
        const sim = start();
        for (const event of script) {
          sim.send(event);
          await vi.advanceTimersByTimeAsync(1);
        }
        await sim.eventsAfterTimers();
        expectValid(sim.events);
        sim.session.close();
      }),
      { numRuns: 40 },
    );
  });
});
