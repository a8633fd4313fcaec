import { MAX_NESTING_DEPTH } from '@rtwire/types';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { deepFrame, nested, openSession, session, userItem } from '../../../test/resume-harness.ts';
import { until } from '../../../test/wait.ts';
import { createConversationCopy, observeUpstreamEvent, replayEvents } from './conversation-copy.ts';

/** An item done by the upstream with `extra` (any JSON) under an unknown field. */
const itemDone = (id: string, extra: unknown) => ({
  type: 'conversation.item.done',
  event_id: `d_${id}`,
  previous_item_id: null,
  item: { ...userItem(id, 'hi'), extra },
});

describe('resume keeps no value nested past the limit', () => {
  it('an item echoed 4,500 levels deep is not kept: no throw, the conversation is not resumed, the log holds no payload', async () => {
    const { client, upstreams, play, logs, latest } = openSession();
    await until(() => upstreams.length === 1, 'the upstream');
    play(latest(), [{ type: 'session.created', event_id: 'u0', session }]);
    play(latest(), [itemDone('item_a', 'kept')]);
    expect(() => play(latest(), [deepFrame(itemDone('item_deep', '$deep'), 4500)])).not.toThrow();
    // The item is withheld from nothing: the client still gets the upstream's frame.
    expect(client.events().at(-1)).toMatchObject({ item: { id: 'item_deep' } });
    const refused = logs.find((record) => record.message === 'resume.item_refused');
    expect(refused?.fields).toEqual({
      session: expect.any(String),
      type: 'conversation.item.done',
      reason: 'too_deep',
    });
    latest().peerClose(1006);
    await until(() => client.closedWith !== undefined, 'the close');
    // A conversation with a hole is not replayed: the drop ends the session as without resume.
    expect(upstreams).toHaveLength(1);
    expect(client.closedWith?.code).toBe(1011);
    expect(client.events().at(-1)).toMatchObject({ error: { code: 'upstream_closed' } });
    expect(JSON.stringify(logs)).not.toContain('"a":{"a"');
  });

  it('a session echoed too deep is not kept either', async () => {
    const { client, upstreams, play, latest } = openSession();
    await until(() => upstreams.length === 1, 'the upstream');
    const deep = { ...session, tools: [{ type: 'function', name: 'f', parameters: '$deep' }] };
    expect(() =>
      play(latest(), [
        { type: 'session.created', event_id: 'u0', session },
        deepFrame({ type: 'session.updated', event_id: 'u1', session: deep }, 5000),
      ]),
    ).not.toThrow();
    latest().peerClose(1006);
    await until(() => client.closedWith !== undefined, 'the close');
    expect(upstreams).toHaveLength(1);
    expect(client.closedWith?.code).toBe(1011);
  });

  it('an output item added too deep still ends as incomplete on a drop, as a shell', async () => {
    const { client, upstreams, play, latest } = openSession();
    await until(() => upstreams.length === 1, 'the upstream');
    play(latest(), [
      { type: 'session.created', event_id: 'u0', session },
      {
        type: 'response.created',
        event_id: 'u1',
        response: { id: 'resp_1', object: 'realtime.response', status: 'in_progress', output: [] },
      },
      deepFrame(
        {
          type: 'response.output_item.added',
          event_id: 'u2',
          response_id: 'resp_1',
          output_index: 0,
          item: {
            id: 'item_out',
            object: 'realtime.item',
            type: 'message',
            role: 'assistant',
            status: 'in_progress',
            content: [],
            extra: '$deep',
          },
        },
        4500,
      ),
    ]);
    expect(() => latest().peerClose(1006)).not.toThrow();
    await until(() => upstreams.length === 2, 'a second upstream');
    const done = client.events().find((event) => event.type === 'response.output_item.done');
    expect(done).toMatchObject({
      response_id: 'resp_1',
      item: { id: 'item_out', type: 'message', role: 'assistant', status: 'incomplete' },
    });
    expect(done?.item).not.toHaveProperty('extra');
  });

  it('the copy, on its own, never throws and keeps only what is within the limit (any depth to 100,000)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 100_000 }), { minLength: 1, maxLength: 6 }),
        (depths) => {
          const copy = createConversationCopy(1 << 20);
          for (const [index, depth] of depths.entries()) {
            observeUpstreamEvent(copy, itemDone(`item_${index}`, nested(depth)));
          }
          // The event is level 1, the item level 2, `extra` level 3.
          const fits = depths.map((depth) => depth + 2 <= MAX_NESTING_DEPTH);
          const resumable = fits.every(Boolean);
          expect(copy.resumable).toBe(resumable);
          // Once one is refused, nothing is kept: the conversation would have a hole.
          expect([...copy.items.keys()]).toEqual(
            resumable ? depths.map((_, index) => `item_${index}`) : [],
          );
          expect(copy.bytes > 0).toBe(resumable);
          expect(() => replayEvents(copy, 'event_')).not.toThrow();
        },
      ),
      { numRuns: 40 },
    );
  });

  it('counts the bytes of what it keeps without JSON.stringify: its JSON length, escapes aside', () => {
    const copy = createConversationCopy(1 << 20);
    const item = {
      ...userItem('item_a', 'héllo there'),
      extra: nested(100),
      list: [1, null, true, false, -2.5, [], {}],
    };
    observeUpstreamEvent(copy, {
      type: 'conversation.item.done',
      event_id: 'd',
      previous_item_id: null,
      item,
    });
    expect(copy.bytes).toBe(JSON.stringify(item).length);
  });
});
