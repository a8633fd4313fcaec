import { ClientEvents } from '@rtwire/builders';
import type { ServerEventOf } from '@rtwire/types';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createSimulatorModel, type RealtimeModel } from '../src/index.ts';
import { appendAudio, echoModel, openSession, userText } from './harness.ts';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

const KIB = 1024;
/** What the session holds beside its conversation: its settings and no audio here. */
const SETTINGS_ALLOWANCE = 16 * KIB;

const retrieve = (itemId: string) => ClientEvents.conversationItemRetrieve(undefined, itemId);

describe('the conversation byte budget', () => {
  it('keeps a session adding large items under its budget: the oldest leave, later ones stay coherent', async () => {
    const budget = 256 * KIB;
    const harness = openSession(echoModel(), { maxConversationBytes: budget });
    await harness.eventsAfterTimers();
    for (let index = 0; index < 40; index++) {
      harness.send(userText(`${index} ${'x'.repeat(20 * KIB)}`));
      expect(harness.session.heldBytes).toBeLessThanOrEqual(budget + SETTINGS_ALLOWANCE);
    }
    expect(harness.session.heldBytes).toBeGreaterThan(budget / 2);
    const added = harness.only('conversation.item.added');
    expect(added).toHaveLength(40);
    expect(harness.only('error')).toHaveLength(0);
    await harness.eventsAfterTimers();
    // The first items left; the last is there; every added item named a previous item that
    // was in the conversation when it was added, or none.
    harness.send(retrieve(added[0]?.item.id as string));
    harness.send(retrieve(added[39]?.item.id as string));
    const answers = await harness.eventsAfterTimers();
    expect(answers.map((event) => event.type)).toEqual(['error', 'conversation.item.retrieved']);
    for (const [index, event] of added.entries()) {
      if (index === 0) expect(event.previous_item_id).toBeNull();
      else expect(event.previous_item_id).toBe(added[index - 1]?.item.id);
    }
    // A later item placed after an evicted one is refused as the API refuses an unknown id.
    harness.send(
      ClientEvents.conversationItemCreate(undefined, added[0]?.item.id as string, {
        type: 'message',
        role: 'user',
        content: [{ type: 'input_text', text: 'late' }],
      }),
    );
    expect((await harness.eventsAfterTimers()).at(-1)).toMatchObject({
      type: 'error',
      error: { code: 'item_not_found', param: 'previous_item_id' },
    });
    harness.expectWellFormed();
  });

  it('refuses with one error an item that alone passes the budget, and keeps the rest', async () => {
    const budget = 64 * KIB;
    const harness = openSession(echoModel(), { maxConversationBytes: budget });
    harness.send(userText('small'));
    await harness.eventsAfterTimers();
    const held = harness.session.heldBytes;
    harness.send({ ...userText('y'.repeat(100 * KIB)), event_id: 'big_1' });
    const answer = await harness.eventsAfterTimers();
    expect(answer).toHaveLength(1);
    expect(answer[0]).toMatchObject({
      type: 'error',
      error: { code: 'item_too_large', param: 'item', event_id: 'big_1' },
    });
    expect(JSON.stringify(answer)).not.toContain('yyyy');
    expect(harness.session.heldBytes).toBe(held);
    const first = harness.only('conversation.item.added')[0]?.item.id as string;
    harness.send(retrieve(first));
    expect((await harness.eventsAfterTimers())[0]?.type).toBe('conversation.item.retrieved');
  });

  it('a response after eviction sees only the items left', async () => {
    const budget = 64 * KIB;
    const harness = openSession(createSimulatorModel({ pace: 'fast' }), {
      maxConversationBytes: budget,
    });
    for (let index = 0; index < 20; index++) harness.send(userText('z'.repeat(10 * KIB)));
    harness.send(userText('what did I say before?'));
    harness.send(ClientEvents.responseCreate(undefined, { output_modalities: ['text'] }));
    await harness.eventsAfterTimers();
    const done = harness.only('response.done')[0] as ServerEventOf<'response.done'>;
    const [message] = done.response.output ?? [];
    const text =
      message?.type === 'message' && message.content?.[0]?.type === 'output_text'
        ? message.content[0].text
        : '';
    const count = Number(/has (\d+) items/.exec(text ?? '')?.[1]);
    expect(count).toBeGreaterThan(1);
    expect(count).toBeLessThan(10);
  });

  it('counts input audio kept for transcription, and lets it go at the commit', async () => {
    const model: RealtimeModel = { ...echoModel(), transcribe: async () => 'heard' };
    const harness = openSession(model);
    harness.send(
      ClientEvents.sessionUpdate(undefined, {
        type: 'realtime',
        audio: { input: { turn_detection: null, transcription: { model: 'whisper-1' } } },
      }),
    );
    await harness.eventsAfterTimers();
    const idle = harness.session.heldBytes;
    harness.send(appendAudio(1000, false));
    expect(harness.session.heldBytes - idle).toBe(48_000);
    harness.send(ClientEvents.inputAudioBufferCommit());
    await harness.eventsAfterTimers();
    expect(harness.session.heldBytes - idle).toBeLessThan(1024);
  });

  it('defaults to 16 MiB: 24 items of 1 MiB hold at most that', async () => {
    const harness = openSession(echoModel());
    const big = 'w'.repeat(1024 * KIB);
    for (let index = 0; index < 24; index++) harness.send(userText(big));
    expect(harness.session.heldBytes).toBeLessThanOrEqual(16 * 1024 * KIB + SETTINGS_ALLOWANCE);
    expect(harness.session.heldBytes).toBeGreaterThan(12 * 1024 * KIB);
    expect(harness.only('error')).toHaveLength(0);
  });
});
