import { ClientEvents } from '@rtwire/builders';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  createSimulatorRateLimits,
  type RateLimit,
  type RealtimeModel,
  type ResponseRequest,
} from '../src/index.ts';
import { echoModel, openSession, types, userText } from './harness.ts';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

const recording = (requests: ResponseRequest[]): RealtimeModel => ({
  respond(request, output) {
    requests.push(request);
    output.text('ok');
  },
});

describe('rate_limits.updated', () => {
  it('follows response.created with what rateLimits reports', async () => {
    const limits: RateLimit[] = [
      { name: 'requests', limit: 100, remaining: 99, reset_seconds: 60 },
      { name: 'tokens', limit: 5000, remaining: 4000, reset_seconds: 12.5 },
    ];
    const asked: string[] = [];
    const harness = openSession(echoModel(), {
      rateLimits: ({ responseId }) => {
        asked.push(responseId);
        return limits;
      },
    });
    harness.send(ClientEvents.responseCreate());
    const events = await harness.eventsAfterTimers();
    expect(types(events).slice(1, 3)).toEqual(['response.created', 'rate_limits.updated']);
    expect(harness.only('rate_limits.updated')[0]?.rate_limits).toEqual(limits);
    expect(asked).toEqual([harness.only('response.created')[0]?.response.id]);
    harness.expectWellFormed();
  });

  it('is left out when there are none or the callback throws', async () => {
    let call = 0;
    const harness = openSession(echoModel(), {
      rateLimits: () => {
        call++;
        if (call === 1) return [];
        throw new Error('limits backend down');
      },
    });
    for (let index = 0; index < 2; index++) {
      harness.send(ClientEvents.responseCreate());
      await harness.eventsAfterTimers();
    }
    expect(harness.only('response.done')).toHaveLength(2);
    expect(harness.only('rate_limits.updated')).toHaveLength(0);
  });

  it("the simulator's window counts responses down and recovers after a minute", () => {
    let now = 0;
    const limits = createSimulatorRateLimits({ requestsPerMinute: 3, now: () => now });
    const remaining = () => limits()[0]?.remaining;
    expect([remaining(), remaining(), remaining(), remaining()]).toEqual([2, 1, 0, 0]);
    now = 60_001;
    expect(remaining()).toBe(2);
  });
});

describe('the conversation', () => {
  it('hands the model frozen items, the same snapshot until the conversation changes', async () => {
    const requests: ResponseRequest[] = [];
    const harness = openSession(recording(requests));
    harness.send(userText('one'));
    harness.send(ClientEvents.responseCreate());
    await harness.eventsAfterTimers();
    const [first] = requests;
    expect(Object.isFrozen(first?.items)).toBe(true);
    expect(Object.isFrozen(first?.items[0])).toBe(true);
    expect(() => {
      (first?.items[0] as { id: string }).id = 'changed';
    }).toThrow(TypeError);
    harness.send(ClientEvents.conversationItemRetrieve(undefined, first?.items[0]?.id as string));
    expect(harness.only('conversation.item.retrieved')[0]?.item.id).toBe(first?.items[0]?.id);
  });

  it('keeps at most maxConversationItems, dropping the oldest', async () => {
    const requests: ResponseRequest[] = [];
    const harness = openSession(recording(requests), { maxConversationItems: 3 });
    for (const text of ['a', 'b', 'c', 'd']) harness.send(userText(text));
    harness.send(ClientEvents.responseCreate());
    await harness.eventsAfterTimers();
    const texts = requests[0]?.items.map((item) =>
      item.type === 'message' ? (item.content[0] as { text?: string }).text : undefined,
    );
    expect(texts).toEqual(['b', 'c', 'd']);
    const firstId = harness.only('conversation.item.added')[0]?.item.id as string;
    harness.send(ClientEvents.conversationItemRetrieve('evt_old', firstId));
    expect(harness.only('error')[0]?.error).toMatchObject({
      code: 'item_not_found',
      event_id: 'evt_old',
    });
  });

  it('sends session.created before answering a frame that came sooner', async () => {
    const harness = openSession(echoModel());
    harness.send(userText('straight away'));
    expect(types(harness.events)).toEqual([
      'session.created',
      'conversation.item.added',
      'conversation.item.done',
    ]);
    await harness.eventsAfterTimers();
    expect(harness.only('session.created')).toHaveLength(1);
  });
});
