import { describe, expect, it } from 'vitest';
import { ClientEvents } from './client-events.ts';
import { ResponseEventBuilder } from './generated/context-builders.ts';
import { ServerEvents } from './server-events.ts';

// Plain JavaScript has no compiler to catch these: the builders throw a TypeError that names
// the builder and the argument, as the encoder does, and never show the value.
const untyped = <T>(value: T) =>
  value as unknown as Record<string, (...args: unknown[]) => unknown>;

describe('builders called with the wrong arguments', () => {
  it("throws for the issue's two examples instead of building a bad event", () => {
    const content = new ResponseEventBuilder('resp_1').forItem('item_1', 0).forContent(0);
    expect(() => untyped(content).outputTextDelta?.('e1', 123)).toThrow(
      new TypeError('ContentEventBuilder.outputTextDelta: delta must be a string'),
    );
    expect(() => untyped(ServerEvents).responseCreated?.('e2')).toThrow(
      new TypeError('ServerEvents.responseCreated: response must be an object'),
    );
  });

  it('every server one-shot refuses a missing event id', () => {
    for (const [name, build] of Object.entries(untyped(ServerEvents))) {
      expect(() => build(), name).toThrow(TypeError);
      expect(() => build(), name).toThrow(
        new RegExp(`^ServerEvents\\.${name}: (eventId|event) must be a string$`),
      );
    }
  });

  it('client events take an optional event id but refuse a wrong one, and need their required arguments', () => {
    for (const [name, build] of Object.entries(untyped(ClientEvents))) {
      expect(() => build(42), name).toThrow(
        `ClientEvents.${name}: eventId must be a string when given`,
      );
    }
    expect(() => ClientEvents.inputAudioBufferCommit()).not.toThrow();
    expect(() => ClientEvents.responseCreate()).not.toThrow();
    expect(() => untyped(ClientEvents).inputAudioBufferAppend?.(undefined, 42)).toThrow(
      'ClientEvents.inputAudioBufferAppend: audio must be a string',
    );
    expect(() =>
      untyped(ClientEvents).conversationItemTruncate?.(undefined, 'item_1', 0, '300'),
    ).toThrow('ClientEvents.conversationItemTruncate: audioEndMs must be a number');
  });

  it('every context builder method refuses a non-string event id, and the contexts their ids', () => {
    const response = new ResponseEventBuilder('resp_1');
    const item = response.forItem('item_1', 0);
    const content = item.forContent(0);
    for (const [owner, builder] of [
      ['ResponseEventBuilder', response],
      ['ItemEventBuilder', item],
      ['ContentEventBuilder', content],
    ] as const) {
      const methods = Object.getOwnPropertyNames(Object.getPrototypeOf(builder)).filter(
        (name) => name !== 'constructor' && !name.startsWith('for'),
      );
      expect(methods.length, owner).toBeGreaterThan(0);
      for (const name of methods) {
        expect(() => untyped(builder)[name]?.(7), `${owner}.${name}`).toThrow(
          `${owner}.${name}: eventId must be a string`,
        );
      }
    }
    expect(() => untyped(response).forItem?.(5, 0)).toThrow(
      'new ItemEventBuilder: itemId must be a string',
    );
    expect(() => untyped(item).forContent?.('0')).toThrow(
      'new ContentEventBuilder: contentIndex must be a number',
    );
  });

  it('never puts the value in the message (it may be a transcript or audio)', () => {
    const secret = 'my secret transcript';
    try {
      untyped(ServerEvents).conversationItemTruncated?.('e1', 'item_1', secret, 0);
      expect.unreachable();
    } catch (error) {
      expect((error as Error).message).toBe(
        'ServerEvents.conversationItemTruncated: contentIndex must be a number',
      );
      expect((error as Error).message).not.toContain(secret);
    }
  });
});
