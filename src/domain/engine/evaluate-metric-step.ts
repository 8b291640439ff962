import type { MetricStep, StepStatus } from '../playbook/schema.js';
import type { Sample, Series } from '../ports.js';
import { expandTemplate, resolveVariant } from '../signals/resolve-signal.js';
import type { Reduce, Signal, SignalCatalog, SignalVariant, Unit } from '../signals/signal.js';
import { windowSeconds } from '../time-window.js';
import { childSignal } from './child-signal.js';
import { formatValue } from './format-value.js';
import { judge } from './judge.js';
import {
  DAY,
  describeError,
  judgedEvidence,
  queryStepSeconds,
  type StepContext,
  untilAborted,
} from './step-context.js';
import type { BaselineSource, Evidence, StepResult } from './types.js';

/** The signal a step reads: one from the catalogue, or an ad-hoc one built from the step's raw query. */
export function signalForStep(step: MetricStep, catalog: SignalCatalog): Signal | undefined {
  if (step.signal !== undefined) return catalog.signals.get(step.signal);
  const variant: SignalVariant = { convention: 'custom', requires: step.requires ?? [], query: step.query ?? '' };
  return {
    name: step.id,
    title: step.title,
    unit: step.unit ?? 'count',
    reduce: step.reduce ?? 'max',
    direction: step.direction ?? 'up',
    scope: 'service',
    variants: [variant],
  };
}

function finite(samples: readonly Sample[]): Sample[] {
  return samples.filter((s) => Number.isFinite(s.v));
}

function reduce(samples: readonly Sample[], how: Reduce): number | null {
  const values = finite(samples).map((s) => s.v);
  if (values.length === 0) return null;
  switch (how) {
    case 'max':
      return Math.max(...values);
    case 'min':
      return Math.min(...values);
    case 'last':
      return values[values.length - 1] ?? null;
    default:
      return values.reduce((a, b) => a + b, 0) / values.length;
  }
}

/** How far around the window's peak the day before is read for a peak or a trough (seconds either way). */
const ALIGN_SECONDS = 600;

/** When a max (or min) reduction took its value; undefined for the other reductions. */
function peakTime(samples: readonly Sample[], how: Reduce): number | undefined {
  if (how !== 'max' && how !== 'min') return undefined;
  const values = finite(samples);
  if (values.length === 0) return undefined;
  return values.reduce((best, x) => ((how === 'max' ? x.v > best.v : x.v < best.v) ? x : best)).t;
}

function median(samples: readonly Sample[]): number | null {
  const values = finite(samples)
    .map((s) => s.v)
    .sort((a, b) => a - b);
  if (values.length === 0) return null;
  const mid = Math.floor(values.length / 2);
  return values.length % 2 ? (values[mid] ?? null) : ((values[mid - 1] ?? 0) + (values[mid] ?? 0)) / 2;
}

function between(samples: readonly Sample[], fromS: number, toS: number): Sample[] {
  return samples.filter((s) => s.t >= fromS && s.t <= toS);
}

function downsample(samples: readonly Sample[], max: number): Sample[] {
  if (samples.length <= max) return [...samples];
  const stride = samples.length / max;
  return Array.from({ length: max }, (_, i) => samples[Math.floor(i * stride)] as Sample);
}

interface Worst {
  series: Series;
  value: number;
}

function worstSeries(
  series: readonly Series[],
  pick: (s: Series) => number | null,
  direction: 'up' | 'down',
): Worst | null {
  let best: Worst | null = null;
  for (const s of series) {
    const value = pick(s);
    if (value === null) continue;
    if (!best || (direction === 'up' ? value > best.value : value < best.value)) best = { series: s, value };
  }
  return best;
}

function pickLabels(labels: Readonly<Record<string, string>>, wanted: readonly string[] | undefined) {
  if (!wanted) return undefined;
  const picked: Record<string, string> = {};
  for (const name of wanted) {
    const v = labels[name];
    if (v !== undefined) picked[name] = v;
  }
  return Object.keys(picked).length ? picked : undefined;
}

function summarize(signal: Signal, unit: Unit, e: Omit<Evidence, 'summary'>): string {
  const parts = [`${signal.title}: ${formatValue(e.value, unit)}`];
  if (e.labels) parts[0] += ` (${Object.values(e.labels).join(', ')})`;
  if (e.baseline !== null) {
    const when = e.baselineSource === 'day-before' ? 'same time one day earlier' : 'before the window';
    parts.push(`baseline ${formatValue(e.baseline, unit)} ${when}`);
  } else {
    parts.push('no baseline');
  }
  const t = e.thresholds;
  if (t) {
    const op = signal.direction === 'up' ? '≥' : '≤';
    const levels = [
      t.warn !== undefined ? `warn ${op} ${formatValue(t.warn, unit)}` : '',
      t.crit !== undefined ? `crit ${op} ${formatValue(t.crit, unit)}` : '',
    ].filter(Boolean);
    parts.push(levels.join(', '));
  }
  return parts.join('; ');
}

/** What one query of a step reads: an entity (the service or one of its dependencies) through one variant. */
interface Target {
  entity: string;
  dependency: boolean;
  variant: SignalVariant;
  query: string;
}

/** Cap on the dependencies one step queries (the worst one decides): a service rarely has more stores than this. */
const MAX_DEPENDENCIES = 4;

/** The queries a step runs, or why it has none. */
function targetsFor(
  signal: Signal,
  ctx: StepContext,
  of: MetricStep['of'] = 'service',
): { targets: Target[] } | { reason: string } {
  const values = {
    windowSeconds: windowSeconds(ctx.window),
    rateSeconds: ctx.rateSeconds,
    trendSeconds: ctx.trendSeconds,
  };
  if (of === 'callees') {
    // Each service it calls, read on its own metrics as a service: is the callee itself slow or failing?
    const callees = ctx.profile.dependencies.filter((d) => d.via === 'calls');
    if (callees.length === 0) {
      return {
        reason: `no service ${ctx.profile.service} calls was found with metrics of its own (client or mesh metrics name the peers; a mapping can too)`,
      };
    }
    const targets: Target[] = [];
    for (const callee of callees) {
      const resolution = resolveVariant(signal.variants, callee);
      if (!resolution.ok) continue;
      const query = expandTemplate(resolution.variant.query, { ...values, selector: resolution.selector });
      targets.push({ entity: callee.name, dependency: true, variant: resolution.variant, query });
      if (targets.length === MAX_DEPENDENCIES) break;
    }
    if (targets.length > 0) return { targets };
    return {
      reason: `${callees.map((c) => c.name).join(', ')}: none of the metrics for "${signal.title}" on their own series`,
    };
  }
  if (signal.scope === 'dependency') {
    const targets: Target[] = [];
    const missing = new Set<string>();
    for (const dependency of ctx.profile.dependencies) {
      const resolution = resolveVariant(signal.variants, dependency);
      if (!resolution.ok) {
        for (const m of resolution.missing) missing.add(m);
        continue;
      }
      const query = expandTemplate(resolution.variant.query, { ...values, selector: resolution.selector });
      targets.push({ entity: dependency.name, dependency: true, variant: resolution.variant, query });
      if (targets.length === MAX_DEPENDENCIES) break;
    }
    if (targets.length > 0) return { targets };
    if (ctx.profile.dependencies.length === 0) {
      return {
        reason: `no data store, cache or queue was found for ${ctx.profile.service} (name one in a signals file under "services:")`,
      };
    }
    const names = ctx.profile.dependencies.map((d) => d.name).join(', ');
    return { reason: `${names}: none of the metrics for "${signal.title}" (looked for ${[...missing].join('; ')})` };
  }
  const variants = [...signal.variants, ...(ctx.profile.inferred?.get(signal.name) ?? [])];
  const resolution = resolveVariant(variants, ctx.profile);
  if (!resolution.ok) {
    return {
      reason:
        resolution.unavailable ??
        `${ctx.profile.service} exposes none of the metrics for "${signal.title}" (looked for ${resolution.missing.join('; ')})`,
    };
  }
  const query = expandTemplate(resolution.variant.query, { ...values, selector: resolution.selector });
  return { targets: [{ entity: ctx.profile.service, dependency: false, variant: resolution.variant, query }] };
}

interface Measured {
  target: Target;
  worst: Worst;
  baseline: number | null;
  baselineSource: BaselineSource | null;
  /** The highest the day before went anywhere in its window (for rates of events: their own range). */
  dayHigh?: number;
}

/** The span a per-second rate is taken over (`$rate`), so a rate times it is a count of events. */
const RATE_SPAN_SECONDS = 300;
/** Below this Poisson z, a count's rise is chance. */
const COUNT_SIGNIFICANCE_Z = 3;

/**
 * Events per second judged only by their change (requests, say) rise as counts: 78 requests in five minutes where 49
 * were seen is chance and wander on a quiet service, not a surge. A rise counts when it is beyond chance as a
 * Poisson count and above anything the day before reached in its whole window.
 */
export function countRiseIsNoise(value: number, baseline: number, dayHigh: number | undefined): string | undefined {
  const observed = value * RATE_SPAN_SECONDS;
  const expected = baseline * RATE_SPAN_SECONDS;
  const z = (observed - expected) / Math.sqrt(expected + 1);
  if (z < COUNT_SIGNIFICANCE_Z) {
    return `${Math.round(observed)} events in 5 minutes where ${Math.round(expected)} were expected is within chance`;
  }
  if (dayHigh !== undefined && value <= dayHigh) return 'no higher than the day before went in the same window';
  return undefined;
}

/** Runs one metric step: resolve the signal, query the window and its baselines, judge the value. */
export async function evaluateMetricStep(step: MetricStep, ctx: StepContext): Promise<Omit<StepResult, 'durationMs'>> {
  const base = { id: step.id, title: step.title, ...(step.explain ? { explain: step.explain } : {}) };
  const signal = signalForStep(step, ctx.signals);
  if (!signal) return { ...base, status: 'errored', evidence: [], reason: `unknown signal ${step.signal}` };
  const planned = targetsFor(signal, ctx, step.of);
  if ('reason' in planned) return { ...base, status: 'no_data', evidence: [], reason: planned.reason };
  const direction = step.direction ?? signal.direction;
  const how = step.reduce ?? signal.reduce;
  const unit = step.unit ?? signal.unit;
  const stepSeconds = queryStepSeconds(ctx.window);
  const startS = ctx.window.start.getTime() / 1000;
  const endS = ctx.window.end.getTime() / 1000;
  const inWindow = (s: Series) => between(s.samples, startS, endS);
  const child = childSignal(ctx.signal);
  const options = { signal: child.signal, priority: ctx.priority ?? 0 };
  const measure = async (target: Target): Promise<Measured | null> => {
    const { query } = target;
    const pair = ctx.metrics.queryRangeAndEarlier(
      { query, window: ctx.window, stepSeconds, shiftSeconds: DAY },
      options,
    );
    const { current, earlier: dayBefore } = await untilAborted(pair, child.signal);
    const worst = worstSeries(current, (s) => reduce(inWindow(s), how), direction);
    if (!worst) return null;
    // Like with like: a peak against the day before's peak around the same minutes (a nightly job or a morning ramp
    // the day before also had is not new; a saturation today against a brief spike at another hour yesterday is),
    // a mean against its mean, a last value against its last.
    const around = peakTime(inWindow(worst.series), how);
    const near = (s: Series) =>
      around === undefined ? s.samples : s.samples.filter((x) => Math.abs(x.t + DAY - around) <= ALIGN_SECONDS);
    const dayWorst = worstSeries(dayBefore, (s) => reduce(near(s), how), direction);
    const dayHigh = worstSeries(dayBefore, (s) => reduce(s.samples, 'max'), 'up')?.value;
    if (dayWorst) {
      return {
        target,
        worst,
        baseline: dayWorst.value,
        baselineSource: 'day-before',
        ...(dayHigh !== undefined ? { dayHigh } : {}),
      };
    }
    // No data a day earlier (a new service, a short retention): the hours before the window are the baseline,
    // asked for only now, as most steps never need them.
    const fromS = startS - ctx.precedingSeconds;
    const window = { start: new Date(fromS * 1000), end: new Date((startS - 1) * 1000) };
    const earlier = await untilAborted(ctx.metrics.queryRange(query, window, stepSeconds, options), child.signal);
    const preceding = worstSeries(earlier, (s) => median(between(s.samples, fromS, startS - 1)), direction);
    return preceding
      ? { target, worst, baseline: preceding.value, baselineSource: 'preceding' }
      : { target, worst, baseline: null, baselineSource: null };
  };
  let measured: Measured | null = null;
  try {
    const all = await Promise.all(planned.targets.map(measure));
    for (const m of all) {
      if (!m) continue;
      const worse =
        direction === 'up'
          ? m.worst.value > (measured?.worst.value ?? -Infinity)
          : m.worst.value < (measured?.worst.value ?? Infinity);
      if (!measured || worse) measured = m;
    }
  } catch (err) {
    const error = describeError(err);
    return { ...base, status: 'errored', evidence: [], reason: error.message, error };
  } finally {
    child.release();
  }
  if (!measured) {
    return { ...base, status: 'no_data', evidence: [], reason: `the query returned no values in the window` };
  }
  const { target, worst, baseline, baselineSource, dayHigh } = measured;
  if (baseline === null && step.change && !step.thresholds) {
    return {
      ...base,
      status: 'no_data',
      evidence: [],
      reason: `no baseline to compare ${signal.title.toLowerCase()} with (no data one day earlier or before the window)`,
    };
  }
  const judged = judge({ value: worst.value, baseline, thresholds: step.thresholds, change: step.change, direction });
  const noise =
    unit === 'per_second' && direction === 'up' && !step.thresholds && baseline !== null && judged.status !== 'ok'
      ? countRiseIsNoise(worst.value, baseline, dayHigh)
      : undefined;
  const verdict = noise === undefined ? judged : { ...judged, status: 'ok' as const };
  const picked = pickLabels(worst.series.labels, signal.detailLabel);
  const labels = target.dependency ? { dependency: target.entity, ...picked } : picked;
  const { variant, query } = target;
  const partial: Omit<Evidence, 'summary'> = {
    value: worst.value,
    ...judgedEvidence(step, verdict, baseline, baselineSource),
    unit,
    signal: signal.name,
    convention: variant.convention,
    ...(variant.note ? { note: variant.note } : {}),
    ...(variant.inferredFrom ? { inferredFrom: variant.inferredFrom } : {}),
    ...(labels ? { labels } : {}),
    query,
    link: ctx.metrics.linkFor(query, ctx.window),
    series: downsample(inWindow(worst.series), 60),
  };
  let summary = summarize(signal, unit, partial);
  if (verdict.chronic) summary += ' — high, but no worse than the baseline';
  if (noise !== undefined) summary += ` — ${noise}`;
  if (variant.inferredFrom) summary += ` (inferred from ${variant.inferredFrom})`;
  const status: StepStatus = verdict.status;
  return { ...base, status, evidence: [{ summary, ...partial }] };
}
