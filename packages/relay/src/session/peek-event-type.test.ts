import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PEEK_LIMIT, peekEventType } from './peek-event-type.ts';

const bytes = (text: string) => new TextEncoder().encode(text);

describe('peekEventType', () => {
  it('reads the top-level type from text and bytes', () => {
    const frame = '{"type":"response.output_text.delta","event_id":"e1","delta":"hi"}';
    expect(peekEventType(frame)).toBe('response.output_text.delta');
    expect(peekEventType(bytes(frame))).toBe('response.output_text.delta');
  });

  it('skips nested types and strings that look like keys', () => {
    const frame =
      '{"event_id":"\\"type\\":\\"x\\"","response":{"type":"nested"},"type" : "response.done"}';
    expect(peekEventType(frame)).toBe('response.done');
    expect(peekEventType(bytes(frame))).toBe('response.done');
  });

  it('returns undefined when there is no readable type', () => {
    expect(peekEventType('not json')).toBeUndefined();
    expect(peekEventType('{"type":1}')).toBeUndefined();
    expect(peekEventType('{"item":{"type":"message"}}')).toBeUndefined();
    expect(peekEventType('{"type":"a\\u0062"}')).toBeUndefined();
    expect(peekEventType(`{"pad":"${'x'.repeat(PEEK_LIMIT)}","type":"late"}`)).toBeUndefined();
  });

  it('agrees with JSON.parse on generated frames', () => {
    const key = fc.string({ maxLength: 8 }).filter((k) => k !== 'type');
    const value = fc.jsonValue({ maxDepth: 2 });
    fc.assert(
      fc.property(
        fc.dictionary(key, value, { maxKeys: 4 }),
        fc.stringMatching(/^[a-z_.]{1,40}$/),
        fc.nat(4),
        (fields, type, position) => {
          const entries = Object.entries(fields);
          entries.splice(Math.min(position, entries.length), 0, ['type', type]);
          const frame = JSON.stringify(Object.fromEntries(entries));
          fc.pre(frame.indexOf('"type"') < PEEK_LIMIT - 50);
          expect(peekEventType(frame)).toBe(JSON.parse(frame).type);
          expect(peekEventType(bytes(frame))).toBe(JSON.parse(frame).type);
        },
      ),
    );
  });
});
