import { describe, expect, it } from 'vitest';
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
    { value: 0.0009, baseline: 0.00001, status: 'ok', why: 'a big relative jump under the thresholds' },
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
