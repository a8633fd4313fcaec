import fc from 'fast-check';
import { expect, it } from 'vitest';
import { createEventTypePeeker } from './cached-type-peeker.ts';
import { peekEventType } from './peek-event-type.ts';

const bytes = (text: string) => new TextEncoder().encode(text);

// String identity is not observable, so what is tested is the risk a cache brings: a type
// that shares the cached one's prefix, or a longer one, must not be taken for it.
it('answers runs of one type, and never takes a near miss for the type it remembers', () => {
  const peek = createEventTypePeeker();
  expect(peek(bytes('{"type":"response.output_audio.delta","delta":"AA"}'))).toBe(
    'response.output_audio.delta',
  );
  expect(peek(bytes('{"type":"response.output_audio.delta","delta":"BB"}'))).toBe(
    'response.output_audio.delta',
  );
  expect(peek(bytes('{"type":"response.output_audio.delt"}'))).toBe('response.output_audio.delt');
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
