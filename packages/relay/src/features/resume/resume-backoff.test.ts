import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openSession } from '../../../test/resume-harness.ts';
import {
  RESUME_BACKOFF_BASE_MS,
  RESUME_BACKOFF_MAX_MS,
  resumeBackoffMs,
} from './resume-backoff.ts';
import { DEFAULT_RESUME_MAX_PER_SESSION } from './resume-feature.ts';

// Every wait here is on the fake clock: nothing waits for real time.
beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.restoreAllMocks();
  vi.useRealTimers();
});

const advance = (ms: number) => vi.advanceTimersByTimeAsync(ms);

describe('resume backoff and its cap per session', () => {
  it('an upstream that drops every 2 s is reconnected at most RESUME_MAX_PER_SESSION times, then the session ends 1011', async () => {
    const { client, upstreams, logs, latest, metrics } = openSession({
      limits: { resumeAttempts: 3, resumeWindowMs: 5000 },
    });
    await advance(0);
    expect(upstreams).toHaveLength(1);
    // Ten times the cap: before it, each window renewed the budget and this went on forever.
    for (let drop = 0; drop < 10 * DEFAULT_RESUME_MAX_PER_SESSION; drop++) {
      if (client.closedWith !== undefined) break;
      await advance(2000);
      latest().peerClose(1006);
      await advance(RESUME_BACKOFF_MAX_MS);
    }
    expect(client.closedWith).toEqual({ code: 1011, reason: 'upstream closed' });
    expect(upstreams).toHaveLength(1 + DEFAULT_RESUME_MAX_PER_SESSION);
    expect(client.events().at(-1)).toMatchObject({ error: { code: 'upstream_closed' } });
    expect(logs.find((record) => record.message === 'resume.skipped')?.fields).toEqual({
      session: expect.any(String),
      reason: 'cap_reached',
    });
    // Every resume the cap allowed, then the one it refused: a failed resume, as the session ended.
    expect(metrics.resumes.get('resumed')).toBe(DEFAULT_RESUME_MAX_PER_SESSION);
    expect(metrics.resumes.get('failed')).toBe(1);
  });

  it('waits an exponential, jittered, bounded delay before each attempt', async () => {
    for (const random of [0, 0.5, 0.999]) {
      vi.spyOn(Math, 'random').mockReturnValue(random);
      const connectedAt: number[] = [];
      const { client, upstreams } = openSession({
        limits: { resumeAttempts: 5, resumeWindowMs: 60_000 },
        gate: () => {
          connectedAt.push(Date.now());
          return undefined;
        },
        fail: (attempt) => attempt > 1,
      });
      await advance(0);
      const droppedAt = Date.now();
      (upstreams[0] as (typeof upstreams)[0]).peerClose(1006);
      // No attempt starts before its backoff has passed.
      await advance(resumeBackoffMs(0, () => random) - 1);
      expect(connectedAt).toHaveLength(1);
      await advance(60_000);
      expect(client.closedWith?.code).toBe(1011);
      // Each failed attempt fails at once: the time between two is the next one's backoff.
      const attempts = connectedAt.slice(1);
      const waits = attempts.map(
        (at, index) => at - (index === 0 ? droppedAt : attempts[index - 1]!),
      );
      expect(waits).toEqual(
        [0, 1, 2, 3, 4].map((attempt) => resumeBackoffMs(attempt, () => random)),
      );
      vi.restoreAllMocks();
    }
  });

  it('resumeBackoffMs grows fourfold from the base, stays in the upper half of its ceiling, and never passes the bound', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1000 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (attempt, random) => {
          const ceiling = Math.min(RESUME_BACKOFF_MAX_MS, RESUME_BACKOFF_BASE_MS * 4 ** attempt);
          const wait = resumeBackoffMs(attempt, () => random);
          expect(wait).toBeGreaterThanOrEqual(Math.floor(ceiling / 2));
          expect(wait).toBeLessThanOrEqual(ceiling);
          expect(wait).toBeLessThanOrEqual(RESUME_BACKOFF_MAX_MS);
        },
      ),
    );
  });
});
