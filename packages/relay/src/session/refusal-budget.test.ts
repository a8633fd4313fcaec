import { describe, expect, it } from 'vitest';
import { createLogSampler } from '../observe/log-sampler.ts';
import { createRefusalBudget } from './refusal-budget.ts';

describe('createRefusalBudget', () => {
  it('answers a burst, then drops, then closes a flood', () => {
    const budget = createRefusalBudget({ replyBurst: 3, closeAfter: 20 });
    const verdicts = Array.from({ length: 25 }, () => budget.judge(1000));
    expect(verdicts.slice(0, 3)).toEqual(['answer', 'answer', 'answer']);
    expect(verdicts.slice(3, 20).every((verdict) => verdict === 'drop')).toBe(true);
    expect(verdicts.slice(20)).toEqual(['close', 'close', 'close', 'close', 'close']);
  });

  it('never closes a client refused now and then, and answers it again after a pause', () => {
    const budget = createRefusalBudget({ replyBurst: 2, closeAfter: 5 });
    const verdicts: string[] = [];
    // Five refusals a second for a minute: under the ten forgiven each second.
    for (let ms = 0; ms < 60_000; ms += 200) verdicts.push(budget.judge(ms));
    expect(verdicts).not.toContain('close');
    expect(verdicts.filter((verdict) => verdict === 'answer').length).toBeGreaterThanOrEqual(60);
  });

  it('with a reply burst of 0 answers nothing', () => {
    const budget = createRefusalBudget({ replyBurst: 0, closeAfter: 100 });
    expect(budget.judge(0)).toBe('drop');
  });
});

describe('createLogSampler', () => {
  it('lets the first record through, then one per interval with the count held back', () => {
    const sampler = createLogSampler(1000);
    expect(sampler.take(0)).toBe(0);
    expect(sampler.take(10)).toBeUndefined();
    expect(sampler.take(999)).toBeUndefined();
    expect(sampler.take(1000)).toBe(2);
    expect(sampler.take(1001)).toBeUndefined();
    expect(sampler.take(5000)).toBe(1);
  });
});
