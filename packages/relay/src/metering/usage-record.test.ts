import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { usageRecordTime } from './usage-record.ts';

/** Milliseconds a Date can hold (±100,000,000 days around 1970). */
const DATE_LIMIT = 8.64e15;

describe('the time of a usage record', () => {
  it('is what toISOString gives, for any instant, one call after another (property)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.integer({ min: -DATE_LIMIT, max: DATE_LIMIT }),
            // Runs within one second and across its edges, the cache's cases.
            fc.integer({ min: 1_767_225_599_990, max: 1_767_225_600_010 }),
            fc.double({ min: 0, max: 2e12, noNaN: true }),
          ),
          { minLength: 1, maxLength: 20 },
        ),
        (instants) => {
          for (const ms of instants) expect(usageRecordTime(ms)).toBe(new Date(ms).toISOString());
        },
      ),
    );
  });

  it('is now by default, and throws as toISOString does for no instant', () => {
    const before = Date.now();
    const time = Date.parse(usageRecordTime());
    expect(time).toBeGreaterThanOrEqual(before);
    expect(time).toBeLessThanOrEqual(Date.now());
    expect(usageRecordTime(Date.UTC(2026, 0, 2, 3, 4, 5, 67))).toBe('2026-01-02T03:04:05.067Z');
    expect(() => usageRecordTime(Number.NaN)).toThrow(RangeError);
    expect(() => usageRecordTime(DATE_LIMIT + 1)).toThrow(RangeError);
  });
});
