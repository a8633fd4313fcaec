import { ResponseWriter } from '@rtwire/builders';
import type { RealtimeServerEvent } from '@rtwire/types';
import { describe, expect, it } from 'vitest';
import { openSession, session } from '../../../test/resume-harness.ts';
import { until } from '../../../test/wait.ts';

/** The events of a response started and left streaming: one output item open, a text delta. */
function streaming(responseId: string, itemId: string): RealtimeServerEvent[] {
  const events: RealtimeServerEvent[] = [];
  const writer = new ResponseWriter({ responseId, emit: (event) => events.push(event) });
  writer.start();
  writer.message({ itemId, modality: 'text' }).text('Hal');
  return events;
}

describe('a drop closes every response in flight for the client', () => {
  it('the conversation response and an out-of-band one beside it both end failed, their items incomplete', async () => {
    const { client, upstreams, play, latest } = openSession();
    await until(() => upstreams.length === 1, 'the upstream');
    const first = latest();
    play(first, [{ type: 'session.created', event_id: 'u0', session }]);
    client.deliver('{"type":"response.create"}');
    client.deliver('{"type":"response.create","response":{"conversation":"none"}}');
    // Interleaved, as the upstream streams them side by side.
    const main = streaming('resp_main', 'item_main');
    const side = streaming('resp_side', 'item_side');
    for (let index = 0; index < Math.max(main.length, side.length); index++) {
      play(
        first,
        [main[index], side[index]].filter((event) => event !== undefined),
      );
    }
    const seen = client.sent.length;
    first.peerClose(1006);
    await until(() => upstreams.length === 2, 'a second upstream');
    const settled = client.events().slice(seen);
    const done = settled.filter((event) => event.type === 'response.done');
    expect(done.map((event) => (event.response as { id: string }).id).sort()).toEqual([
      'resp_main',
      'resp_side',
    ]);
    for (const event of done) {
      expect(event).toMatchObject({
        response: { status: 'failed', status_details: { error: { code: 'upstream_lost' } } },
      });
    }
    const itemsDone = settled.filter((event) => event.type === 'response.output_item.done');
    expect(
      itemsDone.map((event) => [event.response_id, (event.item as { id: string }).id]),
    ).toEqual(
      expect.arrayContaining([
        ['resp_main', 'item_main'],
        ['resp_side', 'item_side'],
      ]),
    );
    expect(itemsDone).toHaveLength(2);
    // Every response.created the client saw has its response.done.
    const created = client
      .events()
      .filter((event) => event.type === 'response.created')
      .map((event) => (event.response as { id: string }).id);
    const ended = client
      .events()
      .filter((event) => event.type === 'response.done')
      .map((event) => (event.response as { id: string }).id);
    expect(ended.sort()).toEqual(created.sort());
  });

  it('a response that finished before the drop is not closed again', async () => {
    const { client, upstreams, play, latest } = openSession();
    await until(() => upstreams.length === 1, 'the upstream');
    const first = latest();
    play(first, [{ type: 'session.created', event_id: 'u0', session }]);
    const events: RealtimeServerEvent[] = [];
    const writer = new ResponseWriter({
      responseId: 'resp_done',
      emit: (event) => events.push(event),
    });
    writer.start();
    const message = writer.message({ itemId: 'item_done', modality: 'text' });
    message.text('Hi');
    message.done();
    writer.done();
    play(first, events);
    play(first, streaming('resp_open', 'item_open'));
    const seen = client.sent.length;
    first.peerClose(1006);
    await until(() => upstreams.length === 2, 'a second upstream');
    const done = client
      .events()
      .slice(seen)
      .filter((event) => event.type === 'response.done');
    expect(done.map((event) => (event.response as { id: string }).id)).toEqual(['resp_open']);
  });
});

describe('the lost response stream, as the client sees it', () => {
  it('closes every content part and item it opened before its response.done, in protocol order', async () => {
    const { client, upstreams, play, latest } = openSession();
    await until(() => upstreams.length === 1, 'the upstream');
    const first = latest();
    play(first, [{ type: 'session.created', event_id: 'u0', session }]);
    client.deliver('{"type":"response.create"}');
    // An audio message with its part open, after a finished text message of the same response.
    const events: RealtimeServerEvent[] = [];
    const writer = new ResponseWriter({
      responseId: 'resp_a',
      emit: (event) => events.push(event),
    });
    writer.start();
    const said = writer.message({ itemId: 'item_t', modality: 'text' });
    said.text('Hi');
    said.done();
    writer.message({ itemId: 'item_a', modality: 'audio' }).audio('AAAAAAAA');
    play(first, events);
    first.peerClose(1006);
    await until(() => upstreams.length === 2, 'a second upstream');

    // Every part and item the client saw opened is closed, and before its response.done.
    const open = new Set<string>();
    for (const event of client.events()) {
      const key = `${String(event.response_id)}/${String(event.item_id ?? (event.item as { id?: string } | undefined)?.id)}`;
      switch (event.type) {
        case 'response.output_item.added':
          open.add(`item ${key}`);
          break;
        case 'response.content_part.added':
          open.add(`part ${key}/${String(event.content_index)}`);
          break;
        case 'response.content_part.done':
          expect(open.delete(`part ${key}/${String(event.content_index)}`)).toBe(true);
          break;
        case 'response.output_item.done':
          expect([...open].filter((entry) => entry.startsWith(`part ${key}/`))).toEqual([]);
          expect(open.delete(`item ${key}`)).toBe(true);
          break;
        case 'response.done':
          expect([...open]).toEqual([]);
          break;
      }
    }
    const lost = client.events().filter((event) => event.type === 'response.content_part.done');
    expect(lost.at(-1)).toMatchObject({
      response_id: 'resp_a',
      item_id: 'item_a',
      content_index: 0,
      part: { type: 'audio' },
    });
  });
});
