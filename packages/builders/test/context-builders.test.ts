import { describe, expect, it } from 'vitest';
import { specErrors } from '../../../test-support/spec-validator.ts';
import {
  ContentEventBuilder,
  createEventIds,
  createSequentialIds,
  ItemEventBuilder,
  RealtimeResponseBuilder,
  ResponseEventBuilder,
  ServerEvents,
} from '../src/index.ts';

describe('context builders', () => {
  it('one ContentEventBuilder yields many deltas, each with its own id and the shared context', () => {
    const content = new ResponseEventBuilder('resp_1').forItem('item_1', 2).forContent(1);
    const nextId = createEventIds();
    const deltas = Array.from({ length: 500 }, (_, i) =>
      content.outputTextDelta(nextId(), `t${i}`),
    );
    expect(new Set(deltas.map((d) => d.event_id)).size).toBe(500);
    for (const [i, delta] of deltas.entries()) {
      expect(delta).toEqual({
        type: 'response.output_text.delta',
        event_id: delta.event_id,
        response_id: 'resp_1',
        item_id: 'item_1',
        output_index: 2,
        content_index: 1,
        delta: `t${i}`,
      });
      expect(specErrors(delta)).toBeUndefined();
    }
    // Fresh objects: changing one event never reaches another.
    (deltas[0] as { delta: string }).delta = 'changed';
    expect(deltas[1]?.delta).toBe('t1');
  });

  it('writes keys in wire order: type, event_id, context, payload', () => {
    const content = new ContentEventBuilder('r', 'i', 0, 0);
    expect(Object.keys(content.outputAudioDelta('e', 'AAA='))).toEqual([
      'type',
      'event_id',
      'response_id',
      'item_id',
      'output_index',
      'content_index',
      'delta',
    ]);
  });

  it('descending returns a new builder and leaves the parent unchanged', () => {
    const response = new ResponseEventBuilder('resp_1');
    const first = response.forItem('item_1', 0);
    const second = response.forItem('item_2', 1);
    expect(first).not.toBe(second);
    expect(response).toEqual(new ResponseEventBuilder('resp_1'));
    expect([first.itemId, second.itemId]).toEqual(['item_1', 'item_2']);
    const part = first.forContent(3);
    expect(part).toBeInstanceOf(ContentEventBuilder);
    expect(first).toEqual(new ItemEventBuilder('resp_1', 'item_1', 0));
    expect([part.level, first.level, response.level]).toEqual(['content', 'item', 'response']);
  });

  it('writes a null option and omits an undefined one', () => {
    const item = new ItemEventBuilder('resp_1', 'item_1', 0);
    expect(item.mcpCallArgumentsDelta('e', '{}', null)).toHaveProperty('obfuscation', null);
    expect('obfuscation' in item.mcpCallArgumentsDelta('e', '{}')).toBe(false);
    expect(ServerEvents.inputAudioBufferCommitted('e', 'item_1', null).previous_item_id).toBeNull();
    expect('previous_item_id' in ServerEvents.inputAudioBufferCommitted('e', 'item_1')).toBe(false);
    const delta = ServerEvents.inputAudioTranscriptionDelta('e', 'item_1', undefined, 'he');
    expect(Object.keys(delta)).toEqual(['type', 'event_id', 'item_id', 'delta']);
  });

  it('builds the dtmf event without an event_id, as the spec defines it', () => {
    const event = ServerEvents.dtmfEventReceived('5', 1_763_605_109);
    expect(event).toEqual({
      type: 'input_audio_buffer.dtmf_event_received',
      event: '5',
      received_at: 1_763_605_109,
    });
    expect(specErrors(event)).toBeUndefined();
  });
});

describe('RealtimeResponseBuilder', () => {
  it('defaults to the Rust crate (object, in_progress) and the live API (nulls, empty output)', () => {
    const response = new RealtimeResponseBuilder('resp_1').build();
    expect(response).toEqual({
      object: 'realtime.response',
      id: 'resp_1',
      status: 'in_progress',
      status_details: null,
      output: [],
      conversation_id: null,
      usage: null,
      metadata: null,
    });
    expect(specErrors(ServerEvents.responseCreated('e', response))).toBeUndefined();
  });

  it('is immutable: every setter returns a new builder', () => {
    const base = new RealtimeResponseBuilder('resp_1').conversationId('conv_1');
    const done = base
      .status('cancelled')
      .statusDetails({ type: 'cancelled', reason: 'turn_detected' })
      .addOutput({ type: 'function_call', name: 'f', arguments: '{}', call_id: 'c' })
      .addMetadata('a', '1')
      .outputModalities(['audio'])
      .maxOutputTokens('inf')
      .usage({ total_tokens: 3, input_tokens: 1, output_tokens: 2 });
    expect(base.build().status).toBe('in_progress');
    expect(base.build().output).toEqual([]);
    const built = done.build();
    expect(built).toMatchObject({
      status: 'cancelled',
      conversation_id: 'conv_1',
      metadata: { a: '1' },
      output_modalities: ['audio'],
      max_output_tokens: 'inf',
    });
    built.output?.push({ type: 'function_call', name: 'g', arguments: '{}' });
    expect(done.build().output).toHaveLength(1);
    expect(specErrors(ServerEvents.responseDone('e', built))).toBeUndefined();
  });
});

describe('event ids', () => {
  it('createEventIds yields unique evt_ ids, also across generators', () => {
    const a = createEventIds();
    const b = createEventIds();
    const ids = Array.from({ length: 20_000 }, (_, i) => (i % 2 === 0 ? a() : b()));
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids.slice(0, 50)) expect(id).toMatch(/^evt_[0-9A-Za-z]{12}[0-9a-z]+$/);
    expect(createEventIds('event_')()).toMatch(/^event_/);
  });

  it('createSequentialIds is deterministic', () => {
    const ids = createSequentialIds('e');
    expect([ids(), ids(), ids()]).toEqual(['e1', 'e2', 'e3']);
  });
});
