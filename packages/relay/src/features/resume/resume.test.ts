import { ResponseWriter } from '@rtwire/builders';
import { encodeServerEvent } from '@rtwire/serializer';
import type { RealtimeServerEvent } from '@rtwire/types';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MemorySocket } from '../../../test/memory-socket.ts';
import {
  limits,
  openSession,
  session,
  untilOnFakeClock,
  userItem,
} from '../../../test/resume-harness.ts';
import { tick, until } from '../../../test/wait.ts';
import { RelayMetrics } from '../../observe/relay-metrics.ts';
import { type RelaySessionLimits, startRelaySession } from '../../relay-session.ts';

/**
 * A resume window no wait on the fake clock can outlast. `untilOnFakeClock` moves the clock
 * 10 ms a step while it waits, also for work that is not on the fake clock; on a busy machine
 * that wait once passed the default 5 s window, which reset the budget (7 upstreams, not 4).
 */
const WIDE_WINDOW_MS = 600_000;

/** A session whose connector hands out a fresh upstream each time (or fails, as told). */
async function open(
  options: { fail?: (attempt: number) => boolean; limits?: Partial<RelaySessionLimits> } = {},
) {
  const client = new MemorySocket();
  const upstreams: MemorySocket[] = [];
  const metrics = new RelayMetrics();
  let attempts = 0;
  startRelaySession({
    client,
    connectUpstream: async () => {
      attempts++;
      if (options.fail?.(attempts)) throw new Error('connection refused');
      const upstream = new MemorySocket();
      upstreams.push(upstream);
      return upstream;
    },
    model: 'gpt-realtime',
    limits: { ...limits, ...options.limits },
    metrics,
  });
  await tick();
  const play = (upstream: MemorySocket, events: unknown[]) => {
    for (const event of events) upstream.deliver(encodeServerEvent(event as RealtimeServerEvent));
  };
  return { client, upstreams, metrics, play, attempts: () => attempts };
}

/** The upstream side of a conversation the relay has seen: the session, two user turns, an answer. */
function history(play: (events: unknown[]) => void) {
  play([
    { type: 'session.created', event_id: 'u0', session },
    {
      type: 'session.updated',
      event_id: 'u1',
      session: { ...session, instructions: 'Be very brief.' },
    },
  ]);
  for (const [index, item] of [
    userItem('item_a', 'my name is Ada'),
    userItem('item_b', 'hi'),
  ].entries()) {
    play([
      { type: 'conversation.item.added', event_id: `a${index}`, previous_item_id: null, item },
      { type: 'conversation.item.done', event_id: `d${index}`, previous_item_id: null, item },
    ]);
  }
  const events: RealtimeServerEvent[] = [];
  const writer = new ResponseWriter({ responseId: 'resp_1', emit: (event) => events.push(event) });
  writer.start();
  const message = writer.message({ itemId: 'item_c', modality: 'audio' });
  message.transcript('Hello Ada');
  message.done();
  writer.done();
  play(events);
}

// The tests of failing reconnects run on the fake clock, so their backoff costs no real time.
afterEach(() => {
  vi.useRealTimers();
});

describe('resume after the upstream drops', () => {
  it('replays the confirmed session and the items with their ids, in order, and withholds the acknowledgements', async () => {
    const { client, upstreams, metrics, play } = await open();
    const first = upstreams[0] as MemorySocket;
    history((events) => play(first, events));
    const seenBefore = client.sent.length;
    first.peerClose(1006);
    await until(() => (upstreams[1]?.sent.length ?? 0) > 0, 'a second upstream, replayed onto');
    const second = upstreams[1] as MemorySocket;
    const replay = second.events();
    expect(replay[0]).toEqual({
      type: 'session.update',
      event_id: expect.stringMatching(/^event_relay_resume_/),
      session: { type: 'realtime', instructions: 'Be very brief.', output_modalities: ['text'] },
    });
    expect(replay.slice(1)).toEqual([
      {
        type: 'conversation.item.create',
        event_id: expect.any(String),
        item: {
          id: 'item_a',
          type: 'message',
          role: 'user',
          content: [{ type: 'input_text', text: 'my name is Ada' }],
        },
      },
      {
        type: 'conversation.item.create',
        event_id: expect.any(String),
        item: {
          id: 'item_b',
          type: 'message',
          role: 'user',
          content: [{ type: 'input_text', text: 'hi' }],
        },
      },
      // Assistant audio replays as its transcript.
      {
        type: 'conversation.item.create',
        event_id: expect.any(String),
        item: {
          id: 'item_c',
          type: 'message',
          role: 'assistant',
          content: [{ type: 'output_text', text: 'Hello Ada' }],
        },
      },
    ]);
    // The new upstream acknowledges all of it; the client sees none of that, only one error.
    play(second, [
      { type: 'session.created', event_id: 'v0', session: { ...session, id: 'sess_2' } },
      {
        type: 'session.updated',
        event_id: 'v1',
        session: { ...session, id: 'sess_2', instructions: 'Be very brief.' },
      },
      ...['item_a', 'item_b'].flatMap((id, index) => [
        {
          type: 'conversation.item.added',
          event_id: `x${index}`,
          previous_item_id: null,
          item: userItem(id, 'x'),
        },
        {
          type: 'conversation.item.done',
          event_id: `y${index}`,
          previous_item_id: null,
          item: userItem(id, 'x'),
        },
      ]),
    ]);
    const after = client.events().slice(seenBefore);
    expect(
      client
        .events()
        .slice(seenBefore)
        .map((event) => event.type),
    ).toEqual(['error']);
    expect(after.at(-1)).toMatchObject({
      error: { type: 'server_error', code: 'upstream_reconnected' },
    });
    expect(metrics.resumes.get('resumed')).toBe(1);
    expect(metrics.replayedItems).toBe(3);
    expect(client.closedWith).toBeUndefined();
  });

  it('ends a streaming response as failed, reports uncommitted audio lost, and holds client frames until the replay is sent', async () => {
    const { client, upstreams, play } = await open();
    const first = upstreams[0] as MemorySocket;
    play(first, [{ type: 'session.created', event_id: 'u0', session }]);
    client.deliver('{"type":"input_audio_buffer.append","audio":"AAAA"}');
    const events: RealtimeServerEvent[] = [];
    const writer = new ResponseWriter({
      responseId: 'resp_9',
      emit: (event) => events.push(event),
    });
    writer.start();
    const message = writer.message({ itemId: 'item_9', modality: 'text' });
    message.text('Hal');
    play(first, events);
    first.peerClose(1011);
    client.deliver('{"type":"response.create","event_id":"later"}');
    await until(() => (upstreams[1]?.sent.length ?? 0) > 0, 'a second upstream, replayed onto');
    const types = client.events().map((event) => event.type);
    expect(types.slice(-4)).toEqual([
      'response.output_item.done',
      'response.done',
      'error',
      'error',
    ]);
    const [itemDone, done, lost, reconnected] = client.events().slice(-4);
    expect(itemDone).toMatchObject({
      response_id: 'resp_9',
      output_index: 0,
      item: { id: 'item_9', status: 'incomplete' },
    });
    expect(done).toMatchObject({
      response: {
        id: 'resp_9',
        status: 'failed',
        status_details: { type: 'failed', error: { code: 'upstream_lost' } },
      },
    });
    expect(lost).toMatchObject({ error: { code: 'input_audio_lost' } });
    expect(reconnected).toMatchObject({ error: { code: 'upstream_reconnected' } });
    // The client's frame sent during the drop went to the new upstream, after the replay.
    expect((upstreams[1] as MemorySocket).events().at(-1)).toEqual({
      type: 'response.create',
      event_id: 'later',
    });
  });

  it('resumes twice in a row', async () => {
    const { client, upstreams, play } = await open();
    history((events) => play(upstreams[0] as MemorySocket, events));
    (upstreams[0] as MemorySocket).peerClose(1006);
    await until(() => (upstreams[1]?.sent.length ?? 0) > 0, 'a second upstream, replayed onto');
    (upstreams[1] as MemorySocket).peerClose(1006);
    await until(() => (upstreams[2]?.sent.length ?? 0) > 0, 'a third upstream, replayed onto');
    const ids = (upstreams[2] as MemorySocket)
      .events()
      .filter((event) => event.type === 'conversation.item.create')
      .map((event) => (event.item as { id: string }).id);
    expect(ids).toEqual(['item_a', 'item_b', 'item_c']);
    expect(client.events().filter((event) => event.type === 'error')).toHaveLength(2);
  });

  it('when every attempt fails, sends an error and closes with 1011', async () => {
    vi.useFakeTimers();
    const { client, upstreams, metrics, attempts } = openSession({
      fail: (attempt) => attempt > 1,
      limits: { resumeWindowMs: WIDE_WINDOW_MS },
    });
    await untilOnFakeClock(() => upstreams.length === 1, 'the upstream');
    (upstreams[0] as MemorySocket).peerClose(1006);
    await untilOnFakeClock(() => client.closedWith !== undefined, 'the close');
    expect(attempts()).toBe(4);
    expect(client.closedWith).toEqual({ code: 1011, reason: 'upstream closed' });
    expect(client.events().at(-1)).toMatchObject({ error: { code: 'upstream_closed' } });
    expect(metrics.resumes.get('failed')).toBe(1);
  });

  it('gives up on an upstream that drops again and again within the window', async () => {
    vi.useFakeTimers();
    const { client, upstreams } = openSession({ limits: { resumeWindowMs: WIDE_WINDOW_MS } });
    await untilOnFakeClock(() => upstreams.length === 1, 'the upstream');
    for (let drop = 0; drop < 10 && client.closedWith === undefined; drop++) {
      const current = upstreams.at(-1) as MemorySocket;
      current.peerClose(1006);
      await untilOnFakeClock(
        () => client.closedWith !== undefined || upstreams.length > drop + 1,
        'a resume or the close',
      );
    }
    // Three reconnects in the window, then the close a drop without resume gets.
    expect(upstreams).toHaveLength(4);
    expect(client.closedWith).toEqual({ code: 1011, reason: 'upstream closed' });
  });

  it('keeps its hands off a normal close, an application close, and when resume is off', async () => {
    const normal = await open();
    (normal.upstreams[0] as MemorySocket).peerClose(1000);
    await tick();
    expect(normal.upstreams).toHaveLength(1);
    expect(normal.client.closedWith?.code).toBe(1000);
    const quota = await open();
    (quota.upstreams[0] as MemorySocket).peerClose(4001);
    await tick();
    expect(quota.upstreams).toHaveLength(1);
    expect(quota.client.closedWith?.code).toBe(4001);
    const off = await open({ limits: { resumeAttempts: 0 } });
    (off.upstreams[0] as MemorySocket).peerClose(1006);
    await tick();
    expect(off.upstreams).toHaveLength(1);
    expect(off.client.closedWith?.code).toBe(1011);
  });

  it('drops the oldest items past the byte bound', async () => {
    const { upstreams, play } = await open({ limits: { resumeMaxBytes: 400 } });
    const first = upstreams[0] as MemorySocket;
    for (let index = 0; index < 10; index++) {
      const item = userItem(`item_${index}`, `turn ${index}`);
      play(first, [
        { type: 'conversation.item.done', event_id: `d${index}`, previous_item_id: null, item },
      ]);
    }
    first.peerClose(1006);
    await until(() => (upstreams[1]?.sent.length ?? 0) > 0, 'a second upstream, replayed onto');
    const ids = (upstreams[1] as MemorySocket)
      .events()
      .filter((event) => event.type === 'conversation.item.create')
      .map((event) => (event.item as { id: string }).id);
    expect(ids.length).toBeLessThan(10);
    expect(ids.length).toBeGreaterThan(0);
    expect(ids).toEqual(
      Array.from({ length: ids.length }, (_, index) => `item_${10 - ids.length + index}`),
    );
  });
});

describe('rollover before the upstream session expires', () => {
  it('moves an idle session to a fresh upstream with the conversation replayed, the client noticing nothing', async () => {
    const { client, upstreams, play, metrics } = await open();
    const first = upstreams[0] as MemorySocket;
    // Expires in 30 s: inside the lead, so the rollover is due at once.
    play(first, [
      {
        type: 'session.created',
        event_id: 'u0',
        session: { ...session, expires_at: Math.floor(Date.now() / 1000) + 30 },
      },
    ]);
    const item = userItem('item_a', 'hello');
    play(first, [{ type: 'conversation.item.done', event_id: 'd0', previous_item_id: null, item }]);
    await until(() => (upstreams[1]?.sent.length ?? 0) > 0, 'the fresh upstream, replayed onto');
    const seen = client.sent.length;
    expect(first.closedWith).toEqual({
      code: 1000,
      reason: 'rolled over to a fresh upstream session',
    });
    expect((upstreams[1] as MemorySocket).events().map((event) => event.type)).toEqual([
      'session.update',
      'conversation.item.create',
    ]);
    play(upstreams[1] as MemorySocket, [
      { type: 'session.created', event_id: 'v0', session: { ...session, id: 'sess_2' } },
    ]);
    client.deliver('{"type":"response.create","event_id":"next"}');
    expect((upstreams[1] as MemorySocket).events().at(-1)).toEqual({
      type: 'response.create',
      event_id: 'next',
    });
    first.peerClose(1000);
    await tick();
    expect(client.sent.length).toBe(seen);
    expect(client.closedWith).toBeUndefined();
    expect(metrics.resumes.get('rolled_over')).toBe(1);
  });

  it('waits for the response in flight before rolling over', async () => {
    const { upstreams, play } = await open();
    const first = upstreams[0] as MemorySocket;
    play(first, [
      {
        type: 'session.created',
        event_id: 'u0',
        session: { ...session, expires_at: Math.floor(Date.now() / 1000) + 30 },
      },
      {
        type: 'response.created',
        event_id: 'u1',
        response: { id: 'resp_1', object: 'realtime.response', status: 'in_progress', output: [] },
      },
    ]);
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(upstreams).toHaveLength(1);
    play(first, [
      {
        type: 'response.done',
        event_id: 'u2',
        response: { id: 'resp_1', object: 'realtime.response', status: 'completed', output: [] },
      },
    ]);
    await until(() => (upstreams[1]?.sent.length ?? 0) > 0, 'the fresh upstream, replayed onto');
  });
});
