import { type RealtimeServerEvent, RtwireError, type ServerEventOf } from '@rtwire/types';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { specErrors } from '../../../test-support/spec-validator.ts';
import {
  createSequentialIds,
  ResponseWriter,
  ResponseWriterError,
  type ResponseWriterErrorCode,
  responseEvents,
} from '../src/index.ts';

const TEXT_ORDER = [
  'response.created',
  'response.output_item.added',
  'conversation.item.added',
  'response.content_part.added',
  'response.output_text.delta*',
  'response.output_text.done',
  'response.content_part.done',
  'response.output_item.done',
  'conversation.item.done',
  'response.done',
];

/** Collapses runs of the same delta type into one `type*`, to compare against an order. */
function shape(events: readonly RealtimeServerEvent[]): string[] {
  const out: string[] = [];
  for (const { type } of events) {
    const entry = type.endsWith('.delta') ? `${type}*` : type;
    if (entry.endsWith('*') && out.at(-1) === entry) continue;
    out.push(entry);
  }
  return out;
}

function only<T extends RealtimeServerEvent['type']>(
  events: readonly RealtimeServerEvent[],
  type: T,
): ServerEventOf<T>[] {
  return events.filter((event): event is ServerEventOf<T> => event.type === type);
}

function expectValidStream(events: readonly RealtimeServerEvent[]): void {
  for (const event of events) expect(specErrors(event), event.type).toBeUndefined();
  const ids = events.map((event) => ('event_id' in event ? event.event_id : undefined));
  expect(new Set(ids).size).toBe(events.length);
}

function expectWriterError(code: ResponseWriterErrorCode, run: () => unknown): void {
  try {
    run();
  } catch (error) {
    expect(ResponseWriterError.isInstance(error)).toBe(true);
    expect(RtwireError.isInstance(error)).toBe(true);
    // The older check still answers, for code written against it.
    expect(ResponseWriterError.is(error)).toBe(true);
    expect((error as ResponseWriterError).code).toBe(code);
    return;
  }
  throw new Error(`expected a ResponseWriterError ${code}`);
}

describe('responseEvents', () => {
  it('emits a text response in the live order with done payloads equal to the deltas', () => {
    const events = responseEvents({
      responseId: 'resp_1',
      itemId: 'item_1',
      modality: 'text',
      chunks: ['Hel', 'lo, ', 'world'],
      previousItemId: 'item_0',
      usage: { total_tokens: 7, input_tokens: 3, output_tokens: 4 },
    });
    expect(shape(events)).toEqual(TEXT_ORDER);
    expectValidStream(events);
    expect(only(events, 'response.output_text.done')[0]?.text).toBe('Hello, world');
    expect(only(events, 'response.content_part.added')[0]?.part).toEqual({
      type: 'text',
      text: '',
    });
    expect(only(events, 'response.content_part.done')[0]?.part).toEqual({
      type: 'text',
      text: 'Hello, world',
    });
    expect(only(events, 'conversation.item.added')[0]?.previous_item_id).toBe('item_0');
    const done = only(events, 'response.done')[0]?.response;
    expect(done).toMatchObject({
      id: 'resp_1',
      status: 'completed',
      status_details: null,
      output_modalities: ['text'],
      usage: { total_tokens: 7 },
      output: [
        {
          id: 'item_1',
          type: 'message',
          role: 'assistant',
          status: 'completed',
          content: [{ type: 'output_text', text: 'Hello, world' }],
        },
      ],
    });
    expect(only(events, 'response.created')[0]?.response.status).toBe('in_progress');
  });

  it('emits an audio response: transcript and audio deltas, then audio and transcript done', () => {
    const events = responseEvents({
      responseId: 'resp_2',
      itemId: 'item_2',
      modality: 'audio',
      chunks: ['Hi ', 'there'],
      audio: ['AAAA', 'AQID', 'BAUG'],
    });
    expect(shape(events)).toEqual([
      'response.created',
      'response.output_item.added',
      'conversation.item.added',
      'response.content_part.added',
      'response.output_audio_transcript.delta*',
      'response.output_audio.delta*',
      'response.output_audio_transcript.delta*',
      'response.output_audio.delta*',
      'response.output_audio.done',
      'response.output_audio_transcript.done',
      'response.content_part.done',
      'response.output_item.done',
      'conversation.item.done',
      'response.done',
    ]);
    expectValidStream(events);
    expect(only(events, 'response.output_audio.delta').map((e) => e.delta)).toEqual([
      'AAAA',
      'AQID',
      'BAUG',
    ]);
    expect(only(events, 'response.output_audio_transcript.done')[0]?.transcript).toBe('Hi there');
    expect(only(events, 'response.content_part.added')[0]?.part).toEqual({
      type: 'audio',
      transcript: '',
    });
    expect(only(events, 'response.output_item.done')[0]?.item).toMatchObject({
      content: [{ type: 'output_audio', transcript: 'Hi there' }],
    });
  });

  it('holds for any chunks: order, concatenation, unique ids, schema validity', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('text' as const, 'audio' as const),
        fc.array(fc.string({ unit: 'grapheme' }), { maxLength: 12 }),
        fc.array(fc.base64String(), { maxLength: 12 }),
        (modality, chunks, audio) => {
          const events = responseEvents({
            responseId: 'resp_p',
            itemId: 'item_p',
            modality,
            chunks,
            ...(modality === 'audio' ? { audio } : {}),
            eventIds: createSequentialIds(),
          });
          expectValidStream(events);
          const text = chunks.join('');
          const doneText =
            modality === 'text'
              ? only(events, 'response.output_text.done')[0]?.text
              : only(events, 'response.output_audio_transcript.done')[0]?.transcript;
          expect(doneText).toBe(text);
          expect(events[0]?.type).toBe('response.created');
          expect(events.at(-1)?.type).toBe('response.done');
          const deltas = events.filter((event) => event.type.endsWith('.delta'));
          expect(deltas).toHaveLength(chunks.length + (modality === 'audio' ? audio.length : 0));
        },
      ),
      { numRuns: 60 },
    );
  });

  it('rejects audio chunks for a text response', () => {
    expectWriterError('wrong_modality', () =>
      responseEvents({
        responseId: 'r',
        itemId: 'i',
        modality: 'text',
        chunks: [],
        audio: ['AA=='],
      }),
    );
  });
});

describe('ResponseWriter', () => {
  const collect = () => {
    const events: RealtimeServerEvent[] = [];
    const writer = new ResponseWriter({
      responseId: 'resp_1',
      emit: (event) => events.push(event),
      eventIds: createSequentialIds(),
      conversationId: 'conv_1',
    });
    return { events, writer };
  };

  it('streams a message then a function call, with output indexes and chained previous ids', () => {
    const { events, writer } = collect();
    const message = writer.message({ itemId: 'msg_1', modality: 'text' });
    message.text('Checking.');
    message.done();
    const call = writer.functionCall({ itemId: 'fc_1', callId: 'call_1', name: 'weather' });
    call.arguments('{"city":');
    call.arguments('"Oslo"}');
    call.done();
    const response = writer.done();
    expectValidStream(events);
    expect(only(events, 'response.function_call_arguments.done')[0]).toMatchObject({
      item_id: 'fc_1',
      output_index: 1,
      call_id: 'call_1',
      name: 'weather',
      arguments: '{"city":"Oslo"}',
    });
    expect(only(events, 'conversation.item.added').map((e) => e.previous_item_id)).toEqual([
      null,
      'msg_1',
    ]);
    expect(response.output?.map((item) => item.id)).toEqual(['msg_1', 'fc_1']);
    expect(response.output?.[1]).toMatchObject({
      status: 'completed',
      arguments: '{"city":"Oslo"}',
    });
    expect(response.conversation_id).toBe('conv_1');
    expect(writer.state).toBe('finished');
  });

  it('cancels mid-message: the item ends incomplete with what was sent', () => {
    const { events, writer } = collect();
    const message = writer.message({ itemId: 'msg_1', modality: 'audio' });
    message.transcript('Once upon');
    message.audio('AAAA');
    writer.cancel('turn_detected');
    expectValidStream(events);
    expect(only(events, 'response.output_audio_transcript.done')[0]?.transcript).toBe('Once upon');
    expect(only(events, 'response.output_item.done')[0]?.item).toMatchObject({
      status: 'incomplete',
    });
    expect(only(events, 'response.done')[0]?.response).toMatchObject({
      status: 'cancelled',
      status_details: { type: 'cancelled', reason: 'turn_detected' },
      output: [{ id: 'msg_1', status: 'incomplete' }],
    });
    expect(message.finished).toBe(true);
  });

  it('a response with no items still opens and closes', () => {
    const { events, writer } = collect();
    writer.done({ status: 'incomplete' });
    expect(events.map((e) => e.type)).toEqual(['response.created', 'response.done']);
    expect(only(events, 'response.done')[0]?.response.status_details).toEqual({
      type: 'incomplete',
    });
    expectValidStream(events);
  });

  it('out-of-band responses skip the conversation events', () => {
    const events: RealtimeServerEvent[] = [];
    const writer = new ResponseWriter({
      responseId: 'r',
      emit: (event) => events.push(event),
      inConversation: false,
    });
    const message = writer.message({ itemId: 'i', modality: 'text' });
    message.done();
    writer.done();
    expect(events.some((e) => e.type.startsWith('conversation.'))).toBe(false);
  });

  it('reports misuse with a typed error and emits nothing for it', () => {
    const { events, writer } = collect();
    const message = writer.message({ itemId: 'msg_1', modality: 'text' });
    expectWriterError('already_started', () => writer.start());
    expectWriterError('wrong_modality', () => message.audio('AAAA'));
    expectWriterError('wrong_modality', () => message.transcript('x'));
    expectWriterError('item_open', () => writer.message({ itemId: 'msg_2', modality: 'text' }));
    expectWriterError('item_open', () => writer.done());
    message.done();
    const count = events.length;
    expectWriterError('item_finished', () => message.text('late'));
    expectWriterError('item_finished', () => message.done());
    expect(events).toHaveLength(count);
    writer.done();
    expectWriterError('response_finished', () => writer.done());
    expectWriterError('response_finished', () => writer.cancel());
    expectWriterError('response_finished', () =>
      writer.functionCall({ itemId: 'x', callId: 'c', name: 'n' }),
    );
    expect(events).toHaveLength(count + 1);
  });

  it('never puts payload text in error messages', () => {
    const { writer } = collect();
    const message = writer.message({ itemId: 'msg_1', modality: 'text' });
    message.done();
    let thrown: unknown;
    try {
      message.text('SECRET-TRANSCRIPT');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ResponseWriterError);
    expect((thrown as Error).message).toContain('msg_1');
    expect((thrown as Error).message).not.toContain('SECRET');
  });

  it('emitted events share no objects, so later writes never change earlier events', () => {
    const { events, writer } = collect();
    const message = writer.message({ itemId: 'msg_1', modality: 'text' });
    message.text('a');
    const added = structuredClone(events);
    message.text('b');
    message.done();
    writer.done();
    expect(events.slice(0, added.length)).toEqual(added);
  });
});

describe('deltas a server sends itself', () => {
  it('record() emits nothing, and the done events carry what was recorded', () => {
    const events: RealtimeServerEvent[] = [];
    const writer = new ResponseWriter({
      responseId: 'resp_1',
      emit: (event) => events.push(event),
      eventIds: createSequentialIds(),
    });
    const message = writer.message({ itemId: 'item_1', modality: 'audio' });
    expect(message.content).toMatchObject({
      level: 'content',
      responseId: 'resp_1',
      itemId: 'item_1',
      outputIndex: 0,
      contentIndex: 0,
    });
    const before = events.length;
    message.record('Hel');
    message.record('lo');
    expect(events.length).toBe(before);
    message.done();
    const call = writer.functionCall({ itemId: 'item_2', callId: 'call_1', name: 'f' });
    expect(call.item).toMatchObject({ level: 'item', itemId: 'item_2', outputIndex: 1 });
    call.record('{"a":');
    call.record('1}');
    call.done();
    writer.done();
    expect(only(events, 'response.output_audio_transcript.done')[0]?.transcript).toBe('Hello');
    expect(only(events, 'response.function_call_arguments.done')[0]?.arguments).toBe('{"a":1}');
    expect(events.some((event) => event.type.endsWith('.delta'))).toBe(false);
    for (const event of events) expect(specErrors(event), event.type).toBeUndefined();
  });

  it('record() after done is misuse', () => {
    const writer = new ResponseWriter({ responseId: 'resp_1', emit: () => {} });
    const message = writer.message({ itemId: 'item_1', modality: 'text' });
    message.done();
    expect(() => message.record('late')).toThrow(ResponseWriterError);
  });
});
