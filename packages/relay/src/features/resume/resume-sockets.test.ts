import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  CountedSocket,
  deepFrame,
  openSession,
  session,
  untilOnFakeClock as until,
  userItem,
} from '../../../test/resume-harness.ts';

// The reconnects' backoff runs on the fake clock: nothing here waits for real time.
beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});
const tick = () => vi.advanceTimersByTimeAsync(0);

/** An upstream whose sends throw, as a web-standard WebSocket's do before it is open. */
class SendThrows extends CountedSocket {
  override send(): void {
    throw new Error('InvalidStateError: still connecting');
  }
}

/** An upstream that cannot be listened to: setting the session up on it throws. */
class ListenThrows extends CountedSocket {
  override listen(): void {
    throw new Error('InvalidStateError: already closed');
  }
}

type Failing = new (live: Set<CountedSocket>) => CountedSocket;

/** The first upstream works; every later one is a `Failing`. */
const laterOnes =
  (Failing: Failing) =>
  (live: Set<CountedSocket>, attempt: number): CountedSocket =>
    attempt === 1 ? new CountedSocket(live) : new Failing(live);

/**
 * Five sessions, each with a conversation, whose upstream drops. Their resume window is wider
 * than any wait on the fake clock (which moves 10 ms a step also while work off the fake clock
 * runs): on a busy machine the default 5 s could run out and cut the attempts short.
 */
async function fiveDroppedSessions(options: Parameters<typeof openSession>[0], frames: unknown[]) {
  const wide = { ...options, limits: { resumeWindowMs: 600_000, ...options?.limits } };
  const sessions = Array.from({ length: 5 }, () => openSession(wide));
  for (const { upstreams } of sessions) await until(() => upstreams.length === 1, 'upstream');
  for (const { play, latest } of sessions) {
    play(latest(), [
      { type: 'session.created', event_id: 'u0', session },
      {
        type: 'conversation.item.done',
        event_id: 'u1',
        previous_item_id: null,
        item: userItem('item_a', 'hi'),
      },
      ...frames,
    ]);
    latest().peerClose(1006);
  }
  for (const { client } of sessions) await until(() => client.closedWith !== undefined, 'close');
  return sessions;
}

describe('every upstream socket a session opened is closed', () => {
  it('an upstream session echoed too deep to replay: 5 sessions end 1011 and leave no upstream open', async () => {
    const deep = { ...session, tools: [{ type: 'function', name: 'f', parameters: '$deep' }] };
    const sessions = await fiveDroppedSessions({}, [
      deepFrame({ type: 'session.updated', event_id: 'u2', session: deep }, 300),
    ]);
    for (const { client, live } of sessions) {
      expect(client.closedWith?.code).toBe(1011);
      expect(live.size).toBe(0);
    }
  });

  it('when setting up every new upstream throws: each attempt is closed, 5 sessions end 1011 and leave no upstream open', async () => {
    const sessions = await fiveDroppedSessions({ socket: laterOnes(ListenThrows) }, []);
    for (const { client, upstreams, live, logs } of sessions) {
      expect(client.closedWith?.code).toBe(1011);
      expect(upstreams).toHaveLength(4);
      expect(live.size).toBe(0);
      expect(logs.filter((record) => record.message === 'resume.attempt_failed')).toHaveLength(3);
    }
  });

  it('when a replay send throws: 5 sessions end 1011 and leave no upstream open', async () => {
    const sessions = await fiveDroppedSessions({ socket: laterOnes(SendThrows) }, []);
    for (const { client, live } of sessions) {
      expect(client.closedWith?.code).toBe(1011);
      expect(live.size).toBe(0);
    }
  });

  it('when the client leaves during a resume, the upstream that opens afterwards is closed', async () => {
    let open: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      open = resolve;
    });
    const { client, upstreams, live, attempts } = openSession({
      gate: (attempt) => (attempt === 2 ? held : undefined),
    });
    await until(() => upstreams.length === 1, 'the upstream');
    (upstreams[0] as CountedSocket).peerClose(1006);
    await until(() => attempts() === 2, 'the reconnect under way');
    client.peerClose(1000);
    open();
    await until(() => upstreams.length === 2, 'the late upstream');
    await tick();
    expect(live.size).toBe(0);
  });

  it('when setting up a rollover upstream throws, it is closed and the old one carries on', async () => {
    const { client, upstreams, live, play, latest } = openSession({
      socket: laterOnes(ListenThrows),
    });
    await until(() => upstreams.length === 1, 'the upstream');
    const first = latest();
    play(first, [
      {
        type: 'session.created',
        event_id: 'u0',
        // Inside the rollover lead: due at once.
        session: { ...session, expires_at: Math.floor(Date.now() / 1000) + 30 },
      },
    ]);
    await until(() => upstreams.length === 2, 'the fresh upstream');
    await tick();
    expect([...live]).toEqual([first]);
    client.deliver('{"type":"response.create","event_id":"next"}');
    expect(first.events().at(-1)).toEqual({ type: 'response.create', event_id: 'next' });
    client.peerClose(1000);
    expect(live.size).toBe(0);
  });
});
