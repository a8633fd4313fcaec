import { afterEach, describe, expect, it, vi } from 'vitest';
import { createStepClock } from '../src/simulator/steps.ts';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('createStepClock (realtime)', () => {
  it('keeps to the schedule: a late step shortens the next wait, a stall starts the schedule again', async () => {
    let now = 0;
    vi.spyOn(performance, 'now').mockImplementation(() => now);
    const waits: number[] = [];
    // Every timer fires at once; what is checked is the wait each step asked for.
    vi.spyOn(globalThis, 'setTimeout').mockImplementation(((callback: () => void, ms: number) => {
      waits.push(ms);
      queueMicrotask(callback);
      return 0 as unknown as ReturnType<typeof setTimeout>;
    }) as typeof setTimeout);
    const step = createStepClock('realtime', new AbortController().signal);
    await step(100); // at 0: due at 100
    now = 130; // its timer fired 30 ms late
    await step(100); // due at 200: 70 to wait
    now = 200;
    await step(100); // due at 300
    now = 900; // a stall far past the schedule
    await step(100); // begins again: due at 1000
    expect(waits).toEqual([100, 70, 100, 100]);
  });

  it('never asks for a negative wait, however late', async () => {
    let now = 0;
    vi.spyOn(performance, 'now').mockImplementation(() => now);
    const waits: number[] = [];
    vi.spyOn(globalThis, 'setTimeout').mockImplementation(((callback: () => void, ms: number) => {
      waits.push(ms);
      queueMicrotask(callback);
      return 0 as unknown as ReturnType<typeof setTimeout>;
    }) as typeof setTimeout);
    const step = createStepClock('realtime', new AbortController().signal);
    await step(20);
    now = 200; // 180 ms late, inside the catch-up bound
    await step(20);
    expect(waits).toEqual([20, 0]);
  });
});
