import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { gaTraffic } from '../test/spec.ts';
import { redactForLog } from './redact-for-log.ts';

const audio = 'UklGRg'.repeat(1000);

describe('redactForLog', () => {
  it('replaces input audio and states its length', () => {
    const event = { type: 'input_audio_buffer.append', event_id: 'e', audio };
    expect(redactForLog(event)).toEqual({
      type: 'input_audio_buffer.append',
      event_id: 'e',
      audio: `[redacted audio: ${audio.length} chars]`,
    });
    expect(event.audio).toBe(audio);
  });

  it('replaces output audio deltas (GA and beta names) but not text deltas', () => {
    for (const type of ['response.output_audio.delta', 'response.audio.delta']) {
      expect(JSON.stringify(redactForLog({ type, delta: audio }))).not.toContain(audio);
    }
    expect(redactForLog({ type: 'response.output_text.delta', delta: 'Hi' }).delta).toBe('Hi');
  });

  it('replaces nested audio, inline images, files and client secrets', () => {
    const event = {
      type: 'conversation.item.create',
      item: {
        type: 'message',
        role: 'user',
        content: [
          { type: 'input_audio', audio },
          { type: 'input_image', image_url: `data:image/png;base64,${audio}` },
          { type: 'input_image', image_url: 'https://example.com/cat.png' },
          { type: 'input_file', file_data: audio },
        ],
      },
      session: { client_secret: { value: 'ek_123', expires_at: 1 } },
    };
    const text = JSON.stringify(redactForLog(event));
    expect(text).not.toContain(audio);
    expect(text).not.toContain('ek_123');
    expect(text).toContain('https://example.com/cat.png');
    expect(text).toContain('[redacted image:');
    expect(text).toContain('[redacted file:');
  });

  it('keeps no audio payload of any captured frame, and keeps everything else', () => {
    for (const line of gaTraffic) {
      const event = JSON.parse(line);
      const redacted = redactForLog(event);
      if (event.type === 'response.output_audio.delta') {
        expect(JSON.stringify(redacted)).not.toContain(event.delta);
      } else {
        expect(redacted).toEqual(event);
      }
    }
  });

  it('never leaks an audio payload wherever it sits', () => {
    fc.assert(
      fc.property(
        fc.base64String({ minLength: 8 }),
        fc.array(fc.constantFrom('item', 'content', 'part')),
        (payload, path) => {
          const marked = `AUDIO${payload}`;
          let nested: Record<string, unknown> = { audio: marked };
          for (const key of path) nested = { [key]: [nested] };
          const text = JSON.stringify(redactForLog({ type: 'x', ...nested }));
          expect(text).not.toContain(marked);
        },
      ),
    );
  });

  it('keeps __proto__ keys as data, without polluting prototypes', () => {
    const event = JSON.parse('{"type":"x","__proto__":{"audio":"QUJD"}}');
    const redacted = redactForLog(event) as Record<string, unknown>;
    expect(Object.getPrototypeOf(redacted)).toBe(Object.prototype);
    expect(JSON.stringify(redacted)).toBe(
      '{"type":"x","__proto__":{"audio":"[redacted audio: 4 chars]"}}',
    );
  });
});
