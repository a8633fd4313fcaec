import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { overBufferBudget } from './buffer-budget.ts';

describe('overBufferBudget', () => {
  it('names nobody while the total fits', () => {
    const check = overBufferBudget([{ bufferedBytes: 10 }, { bufferedBytes: 20 }], 30);
    expect(check).toEqual({ total: 30, over: [] });
  });

  it('names the largest holders first, just enough to fit', () => {
    const small = { bufferedBytes: 5 };
    const large = { bufferedBytes: 50 };
    const middle = { bufferedBytes: 20 };
    const check = overBufferBudget([small, large, middle], 40);
    expect(check.total).toBe(75);
    expect(check.over).toEqual([large]);
  });

  it('always leaves what is not named within the budget, and names no one who holds nothing', () => {
    fc.assert(
      fc.property(
        fc.array(fc.nat({ max: 1_000_000 }), { maxLength: 200, size: 'max' }),
        fc.nat({ max: 10_000_000 }),
        (sizes, budget) => {
          const sessions = sizes.map((bufferedBytes) => ({ bufferedBytes }));
          const { total, over } = overBufferBudget(sessions, budget);
          const kept = sessions.filter((session) => !over.includes(session));
          const keptBytes = kept.reduce((sum, session) => sum + session.bufferedBytes, 0);
          expect(total).toBe(sizes.reduce((sum, size) => sum + size, 0));
          expect(keptBytes).toBeLessThanOrEqual(budget);
          expect(over.every((session) => session.bufferedBytes > 0)).toBe(true);
          // Largest first: nobody kept holds more than anybody named.
          const smallestNamed = Math.min(...over.map((session) => session.bufferedBytes));
          expect(kept.every((session) => session.bufferedBytes <= smallestNamed)).toBe(true);
        },
      ),
    );
  });
});
