import type { Sample } from '../ports.js';

/** How far one family moved against its baseline, and which way. */
export interface Change {
  /** The window's level at its worst moment (a rate for counters, a level for gauges, a mean for timers). */
  value: number;
  /** The baseline's typical level (median). */
  baseline: number;
  /** value ÷ baseline (Infinity from zero). */
  ratio: number;
  /** Robust significance of the move (a Poisson z for counts, a MAD z for levels), signed: + up, − down. */
  z: number;
  /** The ranking score: the significance, discounted when the move is small in relative terms. */
  score: number;
  /** Share of the window's points beyond the baseline's usual range. */
  sustained: number;
}

function finite(samples: readonly Sample[]): Sample[] {
  return samples.filter((s) => Number.isFinite(s.v));
}

function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
}

function mad(values: readonly number[], center: number): number {
  return median(values.map((v) => Math.abs(v - center)));
}

/**
 * Per-step increases of a cumulative series; the first point has none. The series may be a sum across
 * instances, so a drop (one instance restarting, or going away) says nothing of that step's increase: it is taken
 * to be the step before's, rather than the whole remaining sum (Prometheus' reading of a single counter's reset).
 */
export function increases(samples: readonly Sample[]): Sample[] {
  const out: Sample[] = [];
  const s = finite(samples);
  let last = 0;
  for (let i = 1; i < s.length; i++) {
    const prev = s[i - 1] as Sample;
    const cur = s[i] as Sample;
    const d = cur.v - prev.v;
    if (d >= 0) last = d;
    out.push({ t: cur.t, v: d >= 0 ? d : last });
  }
  return out;
}

/** True when a series only goes up, but for resets: a counter that does not say so in its name. */
export function looksCumulative(samples: readonly Sample[]): boolean {
  const s = finite(samples);
  if (s.length < 4) return false;
  let rises = 0;
  let drops = 0;
  for (let i = 1; i < s.length; i++) {
    const d = (s[i]?.v ?? 0) - (s[i - 1]?.v ?? 0);
    if (d > 0) rises++;
    else if (d < 0) drops++;
  }
  return rises >= s.length / 2 && drops <= 1;
}

/**
 * A level that counts things (workers, connections, jobs in a set: whole numbers) wanders like a count: its spread is
 * at least half of √level, so 0 → 2 readers is not a move and 0 → 511 queued requests is.
 */
function countFloor(values: readonly number[], center: number): number {
  return values.every((v) => Number.isInteger(v)) ? 0.5 * Math.sqrt(Math.max(Math.abs(center), 1)) : 0;
}

/** A move of this factor counts fully; smaller ones are discounted (a busy counter's +10 % is significant, and dull). */
const FULL_MOVE = Math.log(2);

/** The size of a move, as |log ratio| (a doubling and a halving weigh the same). */
export function moveSize(ratio: number): number {
  return Math.abs(Math.log(Number.isFinite(ratio) ? Math.max(ratio, 1e-9) : 1e9));
}

function scoreOf(z: number, ratio: number): number {
  return Math.min(Math.abs(z), 100) * Math.min(1, moveSize(ratio) / FULL_MOVE);
}

/**
 * A count's move: the window's busiest (or quietest) run of `span` steps against the busiest (or quietest) run of
 * the same length in the baseline, as a Poisson z-score (so 6 events where 0.5 were expected matter, 52 where 47
 * were expected do not). Against the baseline's extremes rather than its mean, so a bursty count (an hourly batch,
 * a GC that runs in waves) is judged by its own bursts. `baselineSpan` is the run's length in baseline steps when
 * the baseline is read at a coarser step (its values already rescaled to the window's step).
 */
export function countChange(
  window: readonly Sample[],
  baseline: readonly Sample[],
  span: number,
  stepSeconds: number,
  aligned = false,
  baselineSpan = span,
): Change | null {
  if (aligned) return alignedCountChange(window, baseline, span, stepSeconds);
  const w = finite(window).map((s) => s.v);
  const b = finite(baseline).map((s) => s.v);
  if (w.length === 0 || b.length === 0) return null;
  const k = Math.max(1, Math.min(span, w.length));
  const runs = (xs: readonly number[], n: number) => {
    const m = Math.max(1, Math.min(n, xs.length));
    const out: number[] = [];
    for (let i = 0; i + m <= xs.length; i++) out.push(xs.slice(i, i + m).reduce((a, x) => a + x, 0) / m);
    return out;
  };
  const windowRuns = runs(w, k).map((x) => x * k);
  // The baseline's runs, as counts per `k` window steps.
  const baselineRuns = runs(b, baselineSpan).map((x) => x * k);
  const best = Math.max(...windowRuns);
  const least = Math.min(...windowRuns);
  const high = Math.max(...baselineRuns);
  const low = Math.min(...baselineRuns);
  const zUp = (best - high) / Math.sqrt(high + 1);
  const zDown = (least - low) / Math.sqrt(low + 1);
  const up = zUp >= -zDown;
  const observed = up ? best : least;
  const expected = up ? high : low;
  const ratio = expected > 0 ? observed / expected : observed > 0 ? Number.POSITIVE_INFINITY : 1;
  const z = up ? zUp : zDown;
  const perStepHigh = Math.max(...b);
  const perStepLow = Math.min(...b);
  const over = w.filter((x) => (up ? x > perStepHigh * 2 + 1 : x < perStepLow / 2)).length / w.length;
  return {
    value: observed / k / stepSeconds,
    baseline: expected / k / stepSeconds,
    ratio,
    z: up ? Math.max(0, z) : Math.min(0, z),
    score: scoreOf(up ? Math.max(0, z) : Math.min(0, z), ratio),
    sustained: over,
  };
}

/**
 * A level's move: the window's worst smoothed point (a running median of 3, so one odd scrape does not count)
 * against the baseline's median, in robust standard deviations (MAD), with a floor of 5 % of the level so a flat
 * baseline does not make every wiggle significant.
 */
export function levelChange(window: readonly Sample[], baseline: readonly Sample[], aligned = false): Change | null {
  if (aligned) return alignedLevelChange(window, baseline);
  const w = finite(window).map((s) => s.v);
  const b = finite(baseline).map((s) => s.v);
  if (w.length === 0 || b.length === 0) return null;
  const smooth = w.map((_, i) => median(w.slice(Math.max(0, i - 1), i + 2)));
  const smoothB = b.map((_, i) => median(b.slice(Math.max(0, i - 1), i + 2)));
  const center = median(b);
  const spread = Math.max(1.4826 * mad(b, center), 0.05 * Math.abs(center), countFloor([...w, ...b], center), 1e-9);
  // Against the baseline's own highs and lows: a level that swings (a queue drained every hour) is judged by them.
  const topB = Math.max(...smoothB);
  const bottomB = Math.min(...smoothB);
  const high = Math.max(...smooth);
  const low = Math.min(...smooth);
  const zUp = Math.max(0, (high - topB) / spread);
  const zDown = Math.min(0, (low - bottomB) / spread);
  const up = zUp >= -zDown;
  const value = up ? high : low;
  const reference = up ? topB : bottomB;
  const z = up ? zUp : zDown;
  const ratio = reference !== 0 ? value / reference : value !== 0 ? Number.POSITIVE_INFINITY : 1;
  const over = smooth.filter((x) => (up ? x > topB + 3 * spread : x < bottomB - 3 * spread)).length / smooth.length;
  return { value, baseline: reference, ratio, z, score: scoreOf(z, ratio), sustained: over };
}

/**
 * How far from the same moment a day earlier the baseline is read (seconds either way): a nightly job that starts a
 * few minutes later than yesterday is the same job.
 */
export const ALIGN_TOLERANCE_SECONDS = 600;

/** The baseline's values at each window time ± the tolerance (the day-before series carries the window's timestamps). */
function around(baseline: readonly Sample[], t: number): number[] {
  return baseline.filter((b) => Math.abs(b.t - t) <= ALIGN_TOLERANCE_SECONDS).map((b) => b.v);
}

/**
 * A count against the same minutes a day earlier: each run of `span` steps against the day before's runs near the
 * same time, the nearest in the direction of the move (the busiest for a rise, the quietest for a fall), as the
 * z-score of a difference of two counts. A daily job, a morning ramp or a nightly batch the day before also had does
 * not move; the same jump at a quiet hour does.
 */
function alignedCountChange(
  window: readonly Sample[],
  baseline: readonly Sample[],
  span: number,
  stepSeconds: number,
): Change | null {
  const w = finite(window);
  const b = finite(baseline);
  if (w.length === 0 || b.length === 0) return null;
  const k = Math.max(1, Math.min(span, w.length));
  const runSum = (xs: readonly Sample[], i: number) => xs.slice(i, i + k).reduce((a, x) => a + x.v, 0);
  const baselineRuns = b.flatMap((_, i) => (i + k <= b.length ? [{ t: b[i]?.t ?? 0, v: runSum(b, i) }] : []));
  if (baselineRuns.length === 0) return null;
  const overall = b.reduce((a, x) => a + x.v, 0) / b.length;
  let up: { z: number; observed: number; expected: number } | undefined;
  let down: typeof up;
  let overSteps = 0;
  for (let i = 0; i + k <= w.length; i++) {
    const observed = runSum(w, i);
    const near = around(baselineRuns, w[i]?.t ?? 0);
    const high = near.length ? Math.max(...near) : overall * k;
    const low = near.length ? Math.min(...near) : overall * k;
    const zUp = (observed - high) / Math.sqrt(observed + high + 1);
    const zDown = (observed - low) / Math.sqrt(observed + low + 1);
    if (!up || zUp > up.z) up = { z: zUp, observed, expected: high };
    if (!down || zDown < down.z) down = { z: zDown, observed, expected: low };
  }
  for (const x of w) {
    const near = around(b, x.t);
    if (near.length && (x.v > Math.max(...near) * 2 + 1 || x.v < Math.min(...near) / 2)) overSteps++;
  }
  if (!up || !down) return null;
  const pick = up.z >= -down.z ? up : down;
  const ratio = pick.expected > 0 ? pick.observed / pick.expected : pick.observed > 0 ? Number.POSITIVE_INFINITY : 1;
  return {
    value: pick.observed / k / stepSeconds,
    baseline: pick.expected / k / stepSeconds,
    ratio,
    z: pick.z,
    score: scoreOf(pick.z, ratio),
    sustained: overSteps / w.length,
  };
}

/**
 * A level against the same minutes a day earlier: each smoothed point against the day before's highest (for a rise)
 * or lowest (for a fall) smoothed level near the same time, in robust standard deviations of the day before.
 */
function alignedLevelChange(window: readonly Sample[], baseline: readonly Sample[]): Change | null {
  const w = finite(window);
  const b = finite(baseline);
  if (w.length === 0 || b.length === 0) return null;
  const smoothed = (xs: readonly Sample[]) =>
    xs.map((x, i) => ({ t: x.t, v: median(xs.slice(Math.max(0, i - 1), i + 2).map((y) => y.v)) }));
  const sw = smoothed(w);
  const sb = smoothed(b);
  const values = sb.map((x) => x.v);
  const center = median(values);
  const all = [...w, ...b].map((x) => x.v);
  const spread = Math.max(1.4826 * mad(values, center), 0.05 * Math.abs(center), countFloor(all, center), 1e-9);
  let best: { z: number; value: number; reference: number } | undefined;
  let over = 0;
  for (const x of sw) {
    const near = around(sb, x.t);
    const high = near.length ? Math.max(...near) : center;
    const low = near.length ? Math.min(...near) : center;
    const scale = Math.max(spread, 0.05 * Math.abs(x.v > high ? high : low), 1e-9);
    const zUp = (x.v - high) / scale;
    const zDown = (x.v - low) / scale;
    const z = zUp > 0 ? zUp : zDown < 0 ? zDown : 0;
    if (Math.abs(z) > 3) over++;
    if (!best || Math.abs(z) > Math.abs(best.z)) best = { z, value: x.v, reference: z > 0 ? high : z < 0 ? low : high };
  }
  if (!best) return null;
  const { z, value, reference } = best;
  const ratio = reference !== 0 ? value / reference : value !== 0 ? Number.POSITIVE_INFINITY : 1;
  return { value, baseline: reference, ratio, z, score: scoreOf(z, ratio), sustained: over / sw.length };
}
