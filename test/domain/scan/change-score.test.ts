import { describe, expect, it } from 'vitest';
import type { Sample } from '../../../src/domain/ports.js';
import { countChange, increases, levelChange, looksCumulative } from '../../../src/domain/scan/change-score.js';

const series = (values: number[], step = 30): Sample[] => values.map((v, i) => ({ t: i * step, v }));
/** Deterministic noise around `level`: ±amp, no randomness. */
const noisy = (n: number, level: number, amp: number) =>
  Array.from({ length: n }, (_, i) => level + amp * Math.sin(i * 1.7) * Math.cos(i * 0.3));

describe('increases', () => {
  it('reads per-step increases, and a drop (an instance restarting) as the step before', () => {
    expect(increases(series([10, 15, 15, 3, 9])).map((s) => s.v)).toEqual([5, 0, 0, 6]);
    // A sum of three counters where one process restarts: its whole count vanishes, which is no increase at all.
    expect(increases(series([3000, 3010, 2020, 2030])).map((s) => s.v)).toEqual([10, 10, 10]);
  });
});

describe('looksCumulative', () => {
  it('tells a counter that does not say so in its name from a gauge', () => {
    expect(looksCumulative(series([1, 3, 4, 9, 12, 12, 20]))).toBe(true);
    expect(looksCumulative(series(noisy(20, 50, 5)))).toBe(false);
  });
});

describe('countChange', () => {
  it('takes a few events against none as significant, and 52 against 47 as noise', () => {
    const fewNew = countChange(series([0, 0, 0, 2, 3, 1, 0, 0, 0, 0]), series(Array(20).fill(0)), 5, 30);
    expect(fewNew?.score).toBeGreaterThan(3);
    const busy = countChange(series(Array(10).fill(52)), series(Array(20).fill(47)), 5, 30);
    expect(busy?.score).toBeLessThan(2);
  });

  it('sees a fault of a few minutes that an average over the window would hide', () => {
    const window = [...Array(50).fill(10), ...Array(8).fill(200), 10, 10];
    const change = countChange(series(window), series(Array(60).fill(10)), 10, 30);
    expect(change?.ratio).toBeGreaterThan(10);
    expect(change?.z).toBeGreaterThan(50);
    expect(change?.sustained).toBeGreaterThan(0.1);
  });

  it('reads a drop as a move down', () => {
    const change = countChange(series(Array(20).fill(0)), series(Array(20).fill(30)), 5, 30);
    expect(change?.z).toBeLessThan(-10);
    expect(change?.value).toBe(0);
  });
});

describe('levelChange', () => {
  it('is not fooled by noise the baseline already had', () => {
    const change = levelChange(series(noisy(60, 100, 8)), series(noisy(60, 100, 8)));
    expect(change?.score).toBeLessThan(3);
  });

  it('ranks a tripled level high, and one odd scrape low', () => {
    const tripled = levelChange(series([...noisy(30, 100, 3), ...noisy(30, 300, 3)]), series(noisy(60, 100, 3)));
    expect(tripled?.score).toBeGreaterThan(20);
    const blip = levelChange(series([...noisy(30, 100, 3), 900, ...noisy(29, 100, 3)]), series(noisy(60, 100, 3)));
    expect(blip?.score).toBeLessThan(3);
  });
});

describe('against the same minutes a day earlier', () => {
  // 60 steps of 30 s; the day before's samples carry the window's own times, as an `offset 1d` query returns them.
  const job = (from: number) => Array.from({ length: 60 }, (_, i) => (i >= from ? 400 : 100) + 10 * Math.sin(i));
  const level = (from: number) => Array.from({ length: 60 }, (_, i) => (i >= from ? 800 : 200) + 8 * Math.cos(i));

  it('does not move on a nightly job the day before also ran, even a few minutes later', () => {
    expect(countChange(series(job(30)), series(job(30)), 10, 30, true)?.score).toBeLessThan(3);
    expect(countChange(series(job(36)), series(job(30)), 10, 30, true)?.score).toBeLessThan(3);
    expect(levelChange(series(level(36)), series(level(30)), true)?.score).toBeLessThan(3);
  });

  it('moves on the same jump at an hour the day before was quiet', () => {
    const quiet = Array.from({ length: 60 }, (_, i) => 100 + 10 * Math.sin(i));
    const count = countChange(series(job(30)), series(quiet), 10, 30, true);
    expect(count?.score).toBeGreaterThan(12);
    expect(count?.ratio).toBeGreaterThan(3);
    const gauge = levelChange(
      series(level(30)),
      series(Array.from({ length: 60 }, (_, i) => 200 + 8 * Math.cos(i))),
      true,
    );
    expect(gauge?.score).toBeGreaterThan(12);
    expect(gauge?.baseline).toBeLessThan(220);
  });

  it('judges a baseline read as a whole (the hours before) by its own bursts too', () => {
    const bursty = [...job(30), ...job(30)];
    expect(countChange(series(job(30)), series(bursty), 10, 30)?.score).toBeLessThan(3);
    expect(levelChange(series(level(30)), series([...level(30), ...level(30)]))?.score).toBeLessThan(3);
    expect(countChange(series(job(30)), series(Array(120).fill(100)), 10, 30)?.score).toBeGreaterThan(12);
  });
});
