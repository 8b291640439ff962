import { describe, expect, it } from 'vitest';
import { countRiseIsNoise } from '../../../src/domain/engine/evaluate-metric-step.js';
import { judge } from '../../../src/domain/engine/judge.js';

describe('judge', () => {
  const thresholds = { warn: 0.001, crit: 0.01 };
  const change = { warn: 3, crit: 10 };

  it.each([
    { value: 0.0002, baseline: 0.0001, status: 'ok', why: 'under every threshold' },
    { value: 0.2, baseline: 0.0004, status: 'crit', why: 'past crit and far above the baseline' },
    { value: 0.005, baseline: 0.0001, status: 'warn', why: 'past warn and above the baseline' },
    { value: 0.2, baseline: 0.19, status: 'warn', why: 'past crit but as high as usual (chronic)' },
    { value: 0.2, baseline: null, status: 'crit', why: 'past crit with no baseline' },
    { value: 0.0009, baseline: 0.00001, status: 'ok', why: 'a big relative jump well under the thresholds' },
    { value: 0.006, baseline: 0.0001, status: 'warn', why: 'past warn and far above the baseline' },
    { value: 0.0009, baseline: 0.00001, status: 'ok', why: 'a big jump under warn, under half the crit line' },
  ] as const)('is $status when $why', ({ value, baseline, status }) => {
    expect(judge({ value, baseline, thresholds, change, direction: 'up' }).status).toBe(status);
  });

  it('judges signals where lower is worse', () => {
    expect(judge({ value: 0.66, baseline: 1, thresholds: { warn: 0.99, crit: 0.9 }, direction: 'down' }).status).toBe(
      'crit',
    );
    expect(judge({ value: 1, baseline: 1, thresholds: { warn: 0.99, crit: 0.9 }, direction: 'down' }).status).toBe(
      'ok',
    );
  });

  it('uses the baseline alone when a step has no thresholds', () => {
    const only = { warn: 1.6, crit: 2.5 };
    expect(judge({ value: 400, baseline: 100, change: only, direction: 'up' })).toMatchObject({
      status: 'crit',
      ratio: 4,
    });
    expect(judge({ value: 180, baseline: 100, change: only, direction: 'up' }).status).toBe('warn');
    expect(judge({ value: 110, baseline: 100, change: only, direction: 'up' }).status).toBe('ok');
  });

  it('treats any rise from a zero baseline as infinitely larger', () => {
    expect(judge({ value: 3, baseline: 0, change: { crit: 5 }, direction: 'up' }).ratio).toBe(Number.POSITIVE_INFINITY);
  });
});

describe('a large move on its own', () => {
  it('is warn once halfway to the crit line, however far under warn', () => {
    const cpu = { thresholds: { warn: 0.7, crit: 0.9 }, change: { warn: 3, crit: 6 }, direction: 'up' as const };
    expect(judge({ ...cpu, value: 0.6, baseline: 0.06 }).status).toBe('warn');
    expect(judge({ ...cpu, value: 0.3, baseline: 0.03 }).status).toBe('ok');
    expect(judge({ ...cpu, value: 0.6, baseline: 0.2 }).status).toBe('ok');
  });
});

describe('countRiseIsNoise', () => {
  it('takes a rise of a quiet count within chance for noise, and a real surge for a surge', () => {
    // 0.05/s against 0.03/s: 15 requests in five minutes where 9 were expected.
    expect(countRiseIsNoise(0.05, 0.03, undefined)).toMatch(/within chance/);
    // 0.26/s against 0.16/s is beyond chance, but the day before reached 0.3/s in the same window.
    expect(countRiseIsNoise(0.26, 0.16, 0.3)).toMatch(/no higher than the day before/);
    expect(countRiseIsNoise(0.26, 0.16, 0.2)).toBeUndefined();
    expect(countRiseIsNoise(120, 40, 45)).toBeUndefined();
  });
});
