import { decodeServerEvent } from '@rtwire/types';
import { describe, expect, it } from 'vitest';
import { createSequentialIds, interruptedResponseEvents } from '../src/index.ts';

describe('interruptedResponseEvents', () => {
  it('closes every open part, then its item as incomplete, then the response, all spec-valid', () => {
    const events = interruptedResponseEvents(
      {
        responseId: 'resp_1',
        items: [
          {
            outputIndex: 1,
            item: {
              id: 'item_a',
              object: 'realtime.item',
              type: 'message',
              role: 'assistant',
              status: 'in_progress',
              content: [],
            },
            parts: [
              { contentIndex: 0, part: { type: 'audio', transcript: '' } },
              { contentIndex: 1, part: { type: 'text', text: '' } },
            ],
          },
        ],
      },
      {
        eventIds: createSequentialIds('evt_'),
        statusDetails: {
          type: 'failed',
          error: { type: 'server_error', code: 'upstream_lost' },
        },
      },
    );
    expect(events.map((event) => event.type)).toEqual([
      'response.content_part.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.done',
    ]);
    expect(events[0]).toMatchObject({
      response_id: 'resp_1',
      item_id: 'item_a',
      output_index: 1,
      content_index: 0,
    });
    expect(events[3]).toMatchObject({
      response: {
        id: 'resp_1',
        status: 'failed',
        output: [{ id: 'item_a', status: 'incomplete' }],
      },
    });
    for (const event of events) {
      expect(decodeServerEvent(JSON.stringify(event))).toMatchObject({ ok: true, known: true });
    }
    // Every event of the stream carries its own id.
    const ids = events.map((event) => (event as { readonly event_id?: unknown }).event_id);
    expect(ids.every((id) => typeof id === 'string')).toBe(true);
    expect(new Set(ids).size).toBe(4);
  });
});
