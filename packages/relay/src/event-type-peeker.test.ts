import fc from 'fast-check';
import { expect, it } from 'vitest';
import { createEventTypePeeker } from './event-type-peeker.ts';
import { peekEventType } from './peek-event-type.ts';

const bytes = (text: string) => new TextEncoder().encode(text);

it('returns the cached string for runs of the same type', () => {
  const peek = createEventTypePeeker();
  const first = peek(bytes('{"type":"response.output_audio.delta","delta":"AA"}'));
  const second = peek(bytes('{"type":"response.output_audio.delta","delta":"BB"}'));
  expect(first).toBe('response.output_audio.delta');
  expect(second).toBe(first);
  expect(peek(bytes('{"type":"response.output_audio.delta_x"}'))).toBe(
    'response.output_audio.delta_x',
  );
  expect(peek(bytes('{"type":"response.output_audio.delta"}'))).toBe('response.output_audio.delta');
  expect(peek('{"type":"response.done"}')).toBe('response.done');
  expect(peek('{"type":"response.done2"}')).toBe('response.done2');
});

it('agrees with peekEventType on any sequence of frames', () => {
  const type = fc.constantFrom('a', 'ab', 'a.b', 'response.done', 'x\\"y', '');
  const frame = fc
    .tuple(type, fc.constantFrom('', ' ', '"nested":{"type":"n"},'), fc.boolean())
    .map(([name, before, asBytes]) => {
      const text = `{${before}"type":"${name}","x":1}`;
      return asBytes ? bytes(text) : text;
    });
  fc.assert(
    fc.property(fc.array(frame, { maxLength: 12 }), (frames) => {
      const peek = createEventTypePeeker();
      for (const item of frames) expect(peek(item)).toBe(peekEventType(item));
    }),
  );
});
