// biome-ignore-all lint/suspicious/noExplicitAny: examples are untyped JSON by nature
import { CLIENT_EVENT_TYPES, type ClientEventType, type RealtimeClientEvent } from '@rtwire/types';
import { describe, expect, it } from 'vitest';
import {
  clientSchemaNames,
  officialExample,
  schemas,
  specErrors,
} from '../../../test-support/spec-validator.ts';
import { ClientEvents } from '../src/index.ts';

type Example = Record<string, any>;

const buildFromExample: { [T in ClientEventType]: (x: Example) => RealtimeClientEvent } = {
  'session.update': (x) => ClientEvents.sessionUpdate(x.event_id, x.session),
  'input_audio_buffer.append': (x) => ClientEvents.inputAudioBufferAppend(x.event_id, x.audio),
  'input_audio_buffer.commit': (x) => ClientEvents.inputAudioBufferCommit(x.event_id),
  'input_audio_buffer.clear': (x) => ClientEvents.inputAudioBufferClear(x.event_id),
  'conversation.item.create': (x) =>
    ClientEvents.conversationItemCreate(x.event_id, x.previous_item_id, x.item),
  'conversation.item.retrieve': (x) => ClientEvents.conversationItemRetrieve(x.event_id, x.item_id),
  'conversation.item.truncate': (x) =>
    ClientEvents.conversationItemTruncate(x.event_id, x.item_id, x.content_index, x.audio_end_ms),
  'conversation.item.delete': (x) => ClientEvents.conversationItemDelete(x.event_id, x.item_id),
  'response.create': (x) => ClientEvents.responseCreate(x.event_id, x.response),
  'response.cancel': (x) => ClientEvents.responseCancel(x.event_id, x.response_id),
  'output_audio_buffer.clear': (x) => ClientEvents.outputAudioBufferClear(x.event_id),
};

describe('ClientEvents', () => {
  it('covers the 11 client events of the spec', () => {
    expect([...clientSchemaNames.keys()].sort()).toEqual([...CLIENT_EVENT_TYPES].sort());
    expect(Object.keys(buildFromExample).sort()).toEqual([...CLIENT_EVENT_TYPES].sort());
  });

  const withExamples = [...clientSchemaNames].filter(
    ([, name]) => schemas[name]?.['x-oaiMeta']?.example !== undefined,
  );
  it.each(withExamples)('%s rebuilds its official example and validates', (type, name) => {
    const example = officialExample(name);
    const built = buildFromExample[type as ClientEventType](example);
    expect(built).toEqual(example);
    expect(specErrors(built)).toBeUndefined();
  });

  it('builds a response.create (the spec has no example) with and without overrides', () => {
    const bare = ClientEvents.responseCreate();
    expect(bare).toEqual({ type: 'response.create' });
    expect(specErrors(bare)).toBeUndefined();
    const full = ClientEvents.responseCreate('evt_1', {
      output_modalities: ['text'],
      instructions: 'Be brief.',
      conversation: 'none',
      metadata: { topic: 'test' },
    });
    expect(full).toMatchObject({ event_id: 'evt_1', response: { conversation: 'none' } });
    expect(specErrors(full)).toBeUndefined();
  });

  it('leaves an undefined event_id out and writes a null previous_item_id', () => {
    const event = ClientEvents.conversationItemCreate(undefined, null, {
      type: 'message',
      role: 'user',
      content: [{ type: 'input_text', text: 'hi' }],
    });
    expect('event_id' in event).toBe(false);
    expect(event.previous_item_id).toBeNull();
  });
});
