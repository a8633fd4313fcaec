import { describe, expect, it } from 'vitest';
import { officialExamples } from '../test/spec.ts';
import { isClientEvent, isServerEvent } from './guards.ts';
import { isTranslationClientEvent, isTranslationServerEvent } from './translation-guards.ts';

const server = officialExamples('RealtimeTranslationServerEvent');
const client = officialExamples('RealtimeTranslationClientEvent');
const audioDelta = server.find(({ type }) => type === 'session.output_audio.delta')!.example;

describe('translation guards', () => {
  it('accept the valid known events of their side only', () => {
    for (const { type, example } of server) {
      expect(isTranslationServerEvent(example), type).toBe(true);
      expect(isTranslationClientEvent(example), type).toBe(false);
    }
    for (const { type, example } of client) {
      expect(isTranslationClientEvent(example), type).toBe(true);
      expect(isTranslationServerEvent(example), type).toBe(false);
    }
  });

  it('refuse invalid events, unknown types, text and bytes', () => {
    expect(isTranslationServerEvent({ ...audioDelta, delta: 1 })).toBe(false);
    expect(isTranslationServerEvent({ type: 'response.done', event_id: 'e', response: {} })).toBe(
      false,
    );
    expect(isTranslationServerEvent(JSON.stringify(audioDelta))).toBe(false);
    expect(isTranslationServerEvent(new TextEncoder().encode(JSON.stringify(audioDelta)))).toBe(
      false,
    );
    expect(isTranslationServerEvent(new ArrayBuffer(8))).toBe(false);
    expect(isTranslationClientEvent(null)).toBe(false);
    expect(isTranslationClientEvent({ type: 'session.input_audio_buffer.append' })).toBe(false);
  });

  it('are not the realtime guards: an audio delta of a translation is no realtime event', () => {
    expect(isServerEvent(audioDelta)).toBe(false);
    const append = client.find(({ type }) => type === 'session.input_audio_buffer.append')!.example;
    expect(isClientEvent(append)).toBe(false);
  });
});
