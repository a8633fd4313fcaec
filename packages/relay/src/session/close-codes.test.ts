import { expect, it } from 'vitest';
import { clientCloseCode, isAbnormalClose, isResumableClose } from './close-codes.ts';

it('passes sendable upstream codes on and maps the rest to 1011', () => {
  expect([1000, 1001, 1008, 1009, 1011, 4001].map(clientCloseCode)).toEqual([
    1000, 1001, 1008, 1009, 1011, 4001,
  ]);
  expect([1005, 1006, 1015, 999, 2000, 5000].map(clientCloseCode)).toEqual([
    1011, 1011, 1011, 1011, 1011, 1011,
  ]);
  expect(isAbnormalClose(1000)).toBe(false);
  expect(isAbnormalClose(1006)).toBe(true);
});

it('resumes after a server that went away or failed, not after a close for what the session did', () => {
  expect([1001, 1005, 1006, 1011, 1012, 1013, 1014].every(isResumableClose)).toBe(true);
  expect([1000, 1002, 1003, 1007, 1008, 1009, 1010, 4001, 3000].some(isResumableClose)).toBe(false);
});
