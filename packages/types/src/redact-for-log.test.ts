import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { gaTraffic } from '../test/spec.ts';
import { MAX_LOG_DEPTH, redactForLog } from './redact-for-log.ts';

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

  describe('never throws', () => {
    const TOO_DEEP = '[redacted: nested deeper than 32]';
    const thrower = () => {
      throw new Error('sk-THROWN');
    };

    /** `count` objects `{ a: { a: … } }`, the top one at level 0, built iteratively. */
    function nested(count: number, leaf: unknown = 'leaf') {
      let value: unknown = leaf;
      for (let level = 0; level < count; level++) value = { a: value };
      return value as Record<string, unknown>;
    }
    /** How many levels `{ a: … }` the copy keeps, and what sits below them. */
    function walk(value: unknown): [number, unknown] {
      let levels = 0;
      while (typeof value === 'object' && value !== null && 'a' in value) {
        value = (value as { a: unknown }).a;
        levels++;
      }
      return [levels, value];
    }

    it('bounds the depth: deeper objects and arrays become a marker', () => {
      expect(MAX_LOG_DEPTH).toBe(32);
      expect(
        JSON.stringify(redactForLog(JSON.parse(`${'['.repeat(2000)}${']'.repeat(2000)}`))),
      ).toBe(`${'['.repeat(33)}"${TOO_DEEP}"${']'.repeat(33)}`);
      // The top object is level 0: objects down to level 32 are kept, level 33 is the marker.
      expect(walk(redactForLog(nested(100_000)))).toEqual([33, TOO_DEEP]);
      expect(walk(redactForLog(nested(33)))).toEqual([33, 'leaf']);
      expect(walk(redactForLog(nested(34)))).toEqual([33, TOO_DEEP]);
    });

    it('drops the payloads below the limit too', () => {
      const deep = nested(50, { audio });
      expect(JSON.stringify(redactForLog({ type: 'x', deep }))).not.toContain(audio);
    });

    it('marks cycles, and keeps shared (acyclic) references', () => {
      const event: Record<string, unknown> = { type: 'x' };
      event.self = event;
      const list: unknown[] = [event];
      list.push(list);
      event.list = list;
      expect(redactForLog(event)).toEqual({
        type: 'x',
        self: '[circular]',
        list: ['[circular]', '[circular]'],
      });
      const shared = { audio };
      expect(redactForLog({ type: 'x', a: shared, b: [shared] })).toEqual({
        type: 'x',
        a: { audio: `[redacted audio: ${audio.length} chars]` },
        b: [{ audio: `[redacted audio: ${audio.length} chars]` }],
      });
    });

    it('marks what cannot be read: throwing getters, proxy traps, revoked proxies', () => {
      const { proxy: revoked, revoke } = Proxy.revocable({}, {});
      revoke();
      expect(redactForLog(revoked)).toBe('[unreadable]');
      const event = {
        type: 'x',
        get text() {
          return thrower();
        },
        revoked,
        keys: new Proxy({}, { ownKeys: thrower }),
        fields: new Proxy({ a: 1, b: 2 }, { get: thrower }),
        length: new Proxy([1, 2], { get: thrower }),
        items: new Proxy([1, 2], { has: thrower }),
        client_secret: new Proxy({}, { get: thrower }),
      };
      const redacted = redactForLog(event);
      expect(redacted).toEqual({
        type: 'x',
        text: '[unreadable]',
        revoked: '[unreadable]',
        keys: '[unreadable]',
        fields: { a: '[unreadable]', b: '[unreadable]' },
        length: '[unreadable]',
        items: ['[unreadable]', '[unreadable]'],
        client_secret: '[redacted secret: 0 chars]',
      });
      expect(JSON.stringify(redacted)).not.toContain('sk-THROWN');
    });

    it('redacts delta as audio when the type cannot be read', () => {
      const event = {
        get type(): string {
          return thrower();
        },
        delta: audio,
      };
      expect(redactForLog(event)).toEqual({
        type: '[unreadable]',
        delta: `[redacted audio: ${audio.length} chars]`,
      });
    });

    it('returns plain data JSON.stringify takes: no bigints, no functions, no toJSON', () => {
      const event = { type: 'x', big: 12345678901234567890n, toJSON: thrower, run: thrower };
      const redacted = redactForLog(event);
      expect(JSON.stringify(redacted)).toBe('{"type":"x","big":"12345678901234567890"}');
      expect(redactForLog([thrower, 1n])).toEqual([undefined, '1']);
    });

    it('measures huge strings without copying them, and keeps other huge strings as they are', () => {
      const huge = 'A'.repeat(16 * 1024 * 1024);
      const event = { type: 'input_audio_buffer.append', audio: huge, text: huge };
      const redacted = redactForLog(event);
      expect(redacted.audio).toBe(`[redacted audio: ${huge.length} chars]`);
      expect(redacted.text).toBe(huge);
      expect(event.audio).toBe(huge);
    });

    it('replaces bytes by a marker, without copying them index by index', () => {
      const bytes = new Uint8Array(16 * 1024 * 1024);
      const event = { type: 'x', bytes, buffer: bytes.buffer, view: new DataView(bytes.buffer, 8) };
      expect(redactForLog(event)).toEqual({
        type: 'x',
        bytes: '[redacted binary: 16777216 bytes]',
        buffer: '[redacted binary: 16777216 bytes]',
        view: '[redacted binary: 16777208 bytes]',
      });
      expect(redactForLog(new Float32Array(4))).toBe('[redacted binary: 16 bytes]');
    });

    it('keeps sparse arrays sparse', () => {
      const sparse: unknown[] = [];
      sparse[1_000_000] = { audio };
      const redacted = redactForLog(sparse);
      expect(redacted).toHaveLength(1_000_001);
      expect(Object.keys(redacted)).toEqual(['1000000']);
    });
  });
});
