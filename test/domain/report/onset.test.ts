import { describe, expect, it } from 'vitest';
import type { Evidence } from '../../../src/domain/engine/types.js';
import { isChronic, onsetOf, recoveryOf, stillPastAtEnd } from '../../../src/domain/report/onset.js';

function ev(over: Partial<Evidence>): Evidence {
  return {
    summary: '',
    value: null,
    baseline: null,
    baselineSource: null,
    thresholds: null,
    change: null,
    ratio: null,
    verdict: 'crit',
    unit: 'ratio',
    signal: 's',
    convention: 'c',
    query: 'q',
    link: '',
    series: [],
    ...over,
  };
}

const s = (pairs: [number, number][]) => pairs.map(([t, v]) => ({ t, v }));

describe('onsetOf', () => {
  it('is the first sample at or over the warn line when higher is worse', () => {
    const e = ev({
      value: 0.05,
      thresholds: { warn: 0.01, crit: 0.05 },
      series: s([
        [100, 0.001],
        [160, 0.02],
        [220, 0.06],
      ]),
    });
    expect(onsetOf(e)).toBe(160);
  });

  it('is the first sample at or under the line when lower is worse', () => {
    const e = ev({
      value: 0.5,
      thresholds: { warn: 0.9, crit: 0.8 },
      series: s([
        [100, 0.99],
        [160, 0.95],
        [220, 0.85],
        [280, 0.5],
      ]),
    });
    expect(onsetOf(e)).toBe(220);
  });

  it('uses crit when there is no warn level, and sorts the series by time', () => {
    const e = ev({
      value: 9,
      thresholds: { crit: 5 },
      series: s([
        [300, 9],
        [100, 1],
        [200, 6],
      ]),
    });
    expect(onsetOf(e)).toBe(200);
  });

  it('falls back to the change point against the baseline without thresholds', () => {
    const e = ev({
      value: 40,
      baseline: 10,
      ratio: 4,
      change: { warn: 3, crit: 5 },
      series: s([
        [100, 12],
        [160, 25],
        [220, 31],
        [280, 40],
      ]),
    });
    expect(onsetOf(e)).toBe(220);
  });

  it('reads a falling change point from a ratio computed as baseline ÷ value', () => {
    const e = ev({
      value: 10,
      baseline: 100,
      ratio: 10,
      series: s([
        [100, 95],
        [160, 60],
        [220, 40],
        [280, 10],
      ]),
    });
    expect(onsetOf(e)).toBe(220);
  });

  it('is null when the series never crosses, has no samples, or nothing to judge by', () => {
    expect(
      onsetOf(ev({ value: 0.001, verdict: 'ok', thresholds: { warn: 0.01 }, series: s([[100, 0.001]]) })),
    ).toBeNull();
    expect(onsetOf(ev({ value: 5, thresholds: { warn: 1 }, series: [] }))).toBeNull();
    expect(onsetOf(ev({ value: 5, series: s([[100, 5]]) }))).toBeNull();
  });

  it('ignores non-finite samples', () => {
    const e = ev({
      value: 2,
      thresholds: { warn: 1 },
      series: s([
        [100, Number.NaN],
        [160, 2],
      ]),
    });
    expect(onsetOf(e)).toBe(160);
  });
});

describe('recoveryOf and stillPastAtEnd', () => {
  it('finds the first sample back under the line after the last one over it', () => {
    const e = ev({
      value: 3,
      thresholds: { warn: 1 },
      series: s([
        [100, 0],
        [160, 3],
        [220, 0.5],
        [280, 2],
        [340, 0.2],
        [400, 0.1],
      ]),
    });
    expect(recoveryOf(e)).toBe(340);
    expect(stillPastAtEnd(e)).toBe(false);
  });

  it('is null while still over at the window end', () => {
    const e = ev({
      value: 3,
      thresholds: { warn: 1 },
      series: s([
        [100, 0],
        [160, 3],
      ]),
    });
    expect(recoveryOf(e)).toBeNull();
    expect(stillPastAtEnd(e)).toBe(true);
  });
});

describe('onsetOf fallback', () => {
  it('does not take noise around a small baseline for the change point', () => {
    const e = ev({
      value: 4.8,
      baseline: 0.01,
      ratio: 480,
      series: s([
        [100, 0.03],
        [160, 0.01],
        [220, 0.04],
        [280, 4.1],
        [340, 4.8],
      ]),
    });
    expect(onsetOf(e)).toBe(280);
  });

  it('calls evidence high as usual chronic', () => {
    expect(isChronic({ ratio: 1.001, baseline: 818, change: null })).toBe(true);
    expect(isChronic({ ratio: 480, baseline: 0.01, change: null })).toBe(false);
    expect(isChronic({ ratio: 2.5, baseline: 1, change: { warn: 3 } })).toBe(true);
    expect(isChronic({ ratio: null, baseline: null, change: null })).toBe(false);
  });

  it('uses the change point in the threshold’s direction when the series never reaches the line', () => {
    const e = ev({
      value: 0.042,
      baseline: 0.0005,
      ratio: 2.39,
      thresholds: { warn: 0.8, crit: 0.95 },
      series: s([
        [100, 0.0004],
        [160, 0.0006],
        [220, 0.01],
        [280, 0.03],
      ]),
    });
    // Past twice the baseline from 220, but halfway from the baseline to the value (2.1%) only at 280.
    expect(onsetOf(e)).toBe(280);
  });
});
