import type { BaselineSource, Evidence } from '../engine/types.js';
import type { Sample } from '../ports.js';

type OnsetInput = Pick<Evidence, 'series' | 'value' | 'baseline' | 'thresholds' | 'change' | 'ratio'> & {
  verdict?: Evidence['verdict'];
  baselineSource?: BaselineSource | null;
};

/** Which way is worse for this evidence: from its levels, else from where the value sits, else from its ratio. */
export function worseDirection(
  e: Pick<Evidence, 'value' | 'baseline' | 'thresholds' | 'ratio'> & { verdict?: Evidence['verdict'] },
): 'up' | 'down' {
  const { warn, crit } = e.thresholds ?? {};
  if (warn !== undefined && crit !== undefined && warn !== crit) return warn < crit ? 'up' : 'down';
  const line = crit ?? warn;
  // One level: a value judged ok sits on the good side of it, an abnormal one on the bad side.
  if (line !== undefined && e.value !== null) {
    const past = e.verdict === undefined || e.verdict === 'warn' || e.verdict === 'crit';
    return e.value >= line === past ? 'up' : 'down';
  }
  if (e.ratio !== null && e.value !== null && e.baseline !== null && e.value !== 0 && e.baseline !== 0) {
    // The judge computes the ratio as value ÷ baseline when higher is worse, baseline ÷ value when lower is.
    const up = Math.abs(e.ratio - e.value / e.baseline);
    const down = Math.abs(e.ratio - e.baseline / e.value);
    return down < up ? 'down' : 'up';
  }
  return 'up';
}

/** The first level a value reaches on its way to worse: warn, else crit. */
function firstLine(e: Pick<Evidence, 'thresholds'>): number | undefined {
  return e.thresholds?.warn ?? e.thresholds?.crit;
}

function finite(series: readonly Sample[]): Sample[] {
  return series.filter((p) => Number.isFinite(p.v) && Number.isFinite(p.t)).sort((a, b) => a.t - b.t);
}

function changeRatio(value: number, baseline: number, direction: 'up' | 'down'): number {
  const [num, den] = direction === 'up' ? [value, baseline] : [baseline, value];
  if (den === 0) return num > 0 ? Number.POSITIVE_INFINITY : 1;
  return num / den;
}

/**
 * True when the evidence is bad but no worse than its baseline (the judge's "chronic"): high as usual, not the
 * incident's news, so it has no onset worth dating the incident by.
 */
export function isChronic(e: Pick<Evidence, 'ratio' | 'change' | 'baseline'>): boolean {
  if (e.ratio === null || e.baseline === null || !Number.isFinite(e.ratio)) return false;
  return e.ratio < (e.change?.warn ?? 1.5);
}

/** True when `v` is at or past `line` in the worse direction. */
export function isPast(v: number, line: number, direction: 'up' | 'down'): boolean {
  return direction === 'up' ? v >= line : v <= line;
}

/** What "bad" means for a sample: past the threshold, else moved from the baseline by the change level (or 2×). */
function badTestOf(
  evidence: OnsetInput,
  direction: 'up' | 'down',
  line: number | undefined,
): ((v: number) => boolean) | null {
  if (line !== undefined) return (v) => isPast(v, line, direction);
  const baseline = evidence.baseline;
  if (baseline === null || !Number.isFinite(baseline)) return null;
  const factor = evidence.change?.warn ?? evidence.change?.crit ?? 2;
  // The change point of a level shift: past the change factor and at least halfway from the baseline to the value
  // judged, so that noise around a small baseline is not taken for the start.
  const value = evidence.value;
  const halfway = value !== null && Number.isFinite(value) ? (baseline + value) / 2 : null;
  return (v) =>
    (direction === 'up' ? v > baseline : v < baseline) &&
    changeRatio(v, baseline, direction) >= factor &&
    (halfway === null || isPast(v, halfway, direction));
}

/**
 * When the evidence turned bad, in unix seconds: the first sample of its series at or past its threshold (the warn
 * level, else crit; "past" is below it for signals where lower is worse), else the change point against the baseline:
 * the first sample past the change level (twice the baseline without one) and halfway from the baseline to the value
 * judged. Null without a series, or when it never crossed.
 */
export function onsetOf(evidence: OnsetInput): number | null {
  const series = finite(evidence.series);
  const direction = worseDirection(evidence);
  const line = firstLine(evidence);
  const overLine = badTestOf(evidence, direction, line);
  const first = overLine ? series.find((p) => overLine(p.v)) : undefined;
  if (first) return first.t;
  if (line === undefined) return null;
  // Never past the threshold in the series: the change point against the baseline, in the same direction.
  const moved = badTestOf(evidence, direction, undefined);
  return (moved && series.find((p) => moved(p.v))?.t) ?? null;
}

/**
 * When the evidence was back on the good side within the window: the first sample after the last bad one, provided
 * one exists. Null when it was still bad at the window's last sample, never bad, or there is nothing to judge by.
 */
export function recoveryOf(evidence: OnsetInput): number | null {
  const series = finite(evidence.series);
  const bad = badTestOf(evidence, worseDirection(evidence), firstLine(evidence));
  if (!bad) return null;
  let lastBad = -1;
  series.forEach((p, i) => {
    if (bad(p.v)) lastBad = i;
  });
  if (lastBad === -1 || lastBad === series.length - 1) return null;
  return series[lastBad + 1]?.t ?? null;
}

/** True when the series' last sample is still bad (the incident was ongoing at the window's end). */
export function stillPastAtEnd(evidence: OnsetInput): boolean {
  const last = finite(evidence.series).at(-1);
  const bad = badTestOf(evidence, worseDirection(evidence), firstLine(evidence));
  return last !== undefined && bad?.(last.v) === true;
}
