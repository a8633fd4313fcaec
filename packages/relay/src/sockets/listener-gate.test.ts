import { describe, expect, it } from 'vitest';
import { createListenerGate } from './listener-gate.ts';

const recorder = () => {
  const seen: string[] = [];
  return {
    seen,
    handlers: {
      message: (data: string | Uint8Array, binary: boolean) =>
        seen.push(`message ${String(data)} ${binary}`),
      close: (code: number, reason: string) => seen.push(`close ${code} ${reason}`),
      drain: () => seen.push('drain'),
    },
  };
};

describe('createListenerGate', () => {
  it('hands over what came before listen, in order, the close last; then passes through', () => {
    const gate = createListenerGate();
    gate.message('a', false);
    gate.drain();
    gate.message('b', true);
    const { seen, handlers } = recorder();
    gate.listen(handlers);
    expect(seen).toEqual(['message a false', 'message b true']);
    gate.message('c', false);
    gate.drain();
    gate.close(1000, 'bye');
    expect(seen).toEqual([
      'message a false',
      'message b true',
      'message c false',
      'drain',
      'close 1000 bye',
    ]);
  });

  it('keeps the first close before listen and nothing after it', () => {
    const gate = createListenerGate();
    gate.message('a', false);
    gate.close(1006, 'gone');
    gate.message('late', false);
    gate.close(1000, 'second');
    const { seen, handlers } = recorder();
    gate.listen(handlers);
    expect(seen).toEqual(['message a false', 'close 1006 gone']);
  });
});
