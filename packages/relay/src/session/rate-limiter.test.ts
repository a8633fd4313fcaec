import { expect, it } from 'vitest';
import { createRateLimiter } from './rate-limiter.ts';

it('allows a burst, then the sustained rate', () => {
  const limiter = createRateLimiter(10, 3);
  expect([0, 0, 0, 0].map((time) => limiter.take(time))).toEqual([true, true, true, false]);
  expect(limiter.take(50)).toBe(false);
  expect(limiter.take(100)).toBe(true);
  expect(createRateLimiter(0, 1).take(0)).toBe(true);
});
