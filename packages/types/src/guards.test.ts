import { describe, expect, it } from 'vitest';
import { gaTraffic } from '../test/spec.ts';
import { SERVER_EVENT_TYPES } from './generated/event-types.ts';
import {
  isClientEvent,
  isContentScopedEvent,
  isEventType,
  isItemScopedEvent,
  isResponseScopedEvent,
  isServerEvent,
} from './guards.ts';

const frames = gaTraffic.map((line) => JSON.parse(line));
const delta = frames.find((frame) => frame.type === 'response.output_text.delta');

describe('guards', () => {
  it('isServerEvent accepts valid known events only', () => {
    for (const frame of frames) expect(isServerEvent(frame)).toBe(true);
    expect(isServerEvent({ ...delta, delta: 1 })).toBe(false);
    expect(isServerEvent({ type: 'not.an.event' })).toBe(false);
    expect(isServerEvent(JSON.stringify(delta))).toBe(false);
    expect(isServerEvent(new TextEncoder().encode(JSON.stringify(delta)))).toBe(false);
    expect(isServerEvent(null)).toBe(false);
  });

  it('isClientEvent tells client events from server events', () => {
    expect(isClientEvent({ type: 'response.create' })).toBe(true);
    expect(isClientEvent({ type: 'input_audio_buffer.append', audio: 'AAAA' })).toBe(true);
    expect(isClientEvent({ type: 'input_audio_buffer.append' })).toBe(false);
    expect(isClientEvent(delta)).toBe(false);
  });

  it('isEventType compares the type', () => {
    expect(isEventType(delta, 'response.output_text.delta')).toBe(true);
    expect(isEventType(delta, 'response.done')).toBe(false);
  });

  it('family guards follow the fields each event carries', () => {
    const byType = new Map(frames.map((frame) => [frame.type, frame]));
    expect(isResponseScopedEvent(byType.get('response.done'))).toBe(false);
    expect(isResponseScopedEvent(byType.get('response.output_item.added'))).toBe(true);
    expect(isItemScopedEvent(byType.get('response.output_item.added'))).toBe(false);
    expect(isItemScopedEvent(byType.get('response.function_call_arguments.delta'))).toBe(true);
    expect(isContentScopedEvent(byType.get('response.function_call_arguments.delta'))).toBe(false);
    expect(isContentScopedEvent(delta)).toBe(true);
    expect(isContentScopedEvent(byType.get('session.created'))).toBe(false);
    const contentScoped = SERVER_EVENT_TYPES.filter((type) =>
      isContentScopedEvent({ type } as never),
    );
    expect(contentScoped).toHaveLength(8);
  });
});
