import { describe, expect, it } from 'vitest';
import { MethodBudget } from '../../../src/adapters/slack/method-budget.js';

describe('MethodBudget', () => {
  it('lets a burst through, then one call per 60/perMinute seconds, in order', async () => {
    let t = 0;
    const sleep = async (ms: number) => {
      t += ms;
    };
    const budget = new MethodBudget(60, { burst: 2, now: () => t, sleep });
    const at: number[] = [];
    await Promise.all([1, 2, 3, 4].map(() => budget.take().then(() => at.push(t))));
    expect(at).toEqual([0, 0, 1000, 2000]);
    // Idle time refills the bucket up to the burst, no further.
    t += 60_000;
    const later: number[] = [];
    await Promise.all([1, 2, 3].map(() => budget.take().then(() => later.push(t - 62_000))));
    expect(later).toEqual([0, 0, 1000]);
  });
});
