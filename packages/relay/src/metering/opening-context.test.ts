import { describe, expect, it } from 'vitest';
import { OpeningContext } from './opening-context.ts';

describe('OpeningContext', () => {
  it('remembers the last first response per tenant and model, and nothing for others', () => {
    const opening = new OpeningContext();
    opening.learn('acme', 'gpt-realtime', 300);
    opening.learn('acme', 'gpt-realtime', 120);
    opening.learn('beta', undefined, 40);
    expect(opening.expected('acme', 'gpt-realtime')).toBe(120);
    expect(opening.expected('acme', 'gpt-realtime-mini')).toBe(0);
    expect(opening.expected('beta', undefined)).toBe(40);
    expect(opening.expected('beta', '')).toBe(40);
  });

  it('ignores amounts that are not counts, and forgets the stalest pair past its bound', () => {
    const opening = new OpeningContext(2);
    opening.learn('a', 'm', 10);
    opening.learn('a', 'm', Number.NaN);
    opening.learn('a', 'm', -5);
    expect(opening.expected('a', 'm')).toBe(10);
    opening.learn('b', 'm', 20);
    // `a` is used again, so `b` is now the stalest.
    opening.learn('a', 'm', 11);
    opening.learn('c', 'm', 30);
    expect(opening.size).toBe(2);
    expect(opening.expected('b', 'm')).toBe(0);
    expect(opening.expected('a', 'm')).toBe(11);
    expect(opening.expected('c', 'm')).toBe(30);
  });
});
