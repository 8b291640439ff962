/**
 * Writing one scrape's samples: gauges, counters, classic histograms and summaries from the simulator's
 * accumulators, family declarations, and the server accumulators grouped by the labels a library has. Every
 * emitter of the application's scrape (emit-app.ts, emit-servers.ts, emit-runtimes.ts, emit-pools.ts,
 * emit-custom.ts) and the exporters' scrapes (emit-stores.ts, emit-exporters.ts) write through these.
 */
import type { Labels, MetricType } from '../../support/prometheus/openmetrics-writer.js';
import type { HandleCache, TimedAccumulator } from './accumulators.js';
import type { RunState, ScrapeContext } from './simulate.js';
import type { Outcome, RouteModel } from './types.js';

export function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

/** name, type, HELP of a family an emitter writes besides the catalogue's (families.ts). */
export type Declaration = readonly [string, MetricType, string];

/** Declares families (a family already declared keeps its first HELP). */
export function declare(handles: HandleCache, families: readonly Declaration[]): void {
  for (const [name, type, help] of families) handles.writer.declare({ name, type, help });
}

export function gauge(sc: ScrapeContext, family: string, key: string, labels: () => Labels, value: number): void {
  sc.handles.series(family, family, `${sc.pod.name}|${key}`, labels).add(sc.ts, value);
}

/** A counter (`<family>_total`) that restarts with the process. */
export function counter(
  sc: ScrapeContext,
  rs: RunState,
  family: string,
  key: string,
  labels: () => Labels,
  value: number,
): void {
  const reset = rs.firstWrite(`${family}|${key}`);
  sc.handles.series(family, `${family}_total`, `${sc.pod.name}|${key}`, labels).add(sc.ts, value, reset);
}

interface Sum {
  count: number;
  sum: number;
  cumulative: number[];
}

/** Adds up accumulators with the same bounds (counts as shown, buckets rounded). */
export function sumOf(accs: readonly TimedAccumulator[]): Sum {
  const n = accs[0]?.bounds.length ?? 0;
  const out: Sum = { count: 0, sum: 0, cumulative: new Array<number>(n).fill(0) };
  for (const acc of accs) {
    out.count += acc.shownCount;
    out.sum += acc.sum;
    acc.bucketCounts().forEach((c, i) => {
      out.cumulative[i] = (out.cumulative[i] ?? 0) + c;
    });
  }
  return out;
}

export interface HistogramOptions {
  /** The `le` values written (same length as the accumulators' bounds), e.g. milliseconds for second bounds. */
  le?: readonly number[];
  /** Multiplies `_sum` (1000 for milliseconds). */
  scale?: number;
  /** Only these bucket indices are written (a library whose buckets are a subset of the accumulators'). */
  pick?: readonly number[];
  /** Extra `le` bounds above the accumulators' last, filled with the count (nothing observed beyond it). */
  extra?: readonly number[];
  /** Extra `le` bounds below the accumulators' first, with nothing in them (e.g. OpenTelemetry's 0 ms). */
  empty?: readonly number[];
}

/** One classic histogram from one or more accumulators (e.g. every status of a route); nothing before a count of 1. */
export function writeHistogram(
  sc: ScrapeContext,
  rs: RunState,
  family: string,
  key: string,
  labels: () => Labels,
  accs: readonly TimedAccumulator[],
  options: HistogramOptions = {},
): void {
  const s = sumOf(accs);
  if (s.count < 1) return;
  const bounds = options.le ?? accs[0]?.bounds ?? [];
  const pick = options.pick ?? bounds.map((_, i) => i);
  const le = [...(options.empty ?? []), ...pick.map((i) => bounds[i] ?? 0), ...(options.extra ?? [])];
  const counts = [
    ...(options.empty ?? []).map(() => 0),
    ...pick.map((i) => Math.min(s.count, s.cumulative[i] ?? 0)),
    ...(options.extra ?? []).map(() => s.count),
  ];
  const reset = rs.firstWrite(`${family}|${key}`);
  sc.handles
    .histogram(family, `${sc.pod.name}|${key}`, labels, le)
    .add(sc.ts, { cumulative: counts, sum: round6(s.sum * (options.scale ?? 1)), count: s.count }, reset);
}

/** One accumulator as a classic histogram (`scale` multiplies `_sum`). */
export function histogram(
  sc: ScrapeContext,
  rs: RunState,
  family: string,
  key: string,
  labels: () => Labels,
  acc: TimedAccumulator,
  scale = 1,
): void {
  writeHistogram(sc, rs, family, key, labels, [acc], { scale });
}

/** One accumulator as a summary without quantiles (`_count` and `_sum`). */
export function summary(
  sc: ScrapeContext,
  rs: RunState,
  family: string,
  key: string,
  labels: () => Labels,
  acc: TimedAccumulator,
): void {
  const reset = rs.firstWrite(`${family}|${key}`);
  const k = `${sc.pod.name}|${key}`;
  sc.handles.series(family, `${family}_count`, k, labels).add(sc.ts, acc.shownCount, reset);
  sc.handles.series(family, `${family}_sum`, k, labels).add(sc.ts, round6(acc.sum), reset);
}

/** `process_start_time_seconds`: with milliseconds (client_golang, client_python, Micrometer, .NET) or whole seconds. */
export function processStart(sc: ScrapeContext, start: number, fractional = true): number {
  return fractional ? start + ((sc.pod.scrapeMs * 7) % 1000) / 1000 : Math.round(start);
}

export interface HttpGroup {
  labels: Labels;
  accs: TimedAccumulator[];
  route: RouteModel;
  outcome: Outcome;
}

/** The server accumulators grouped by the label set `labelsOf` gives (undefined leaves an entry out). */
export function groupHttp(
  rs: RunState,
  labelsOf: (route: RouteModel, outcome: Outcome) => Labels | undefined,
): Map<string, HttpGroup> {
  const groups = new Map<string, HttpGroup>();
  for (const { route, outcome, acc } of rs.http.values()) {
    const labels = labelsOf(route, outcome);
    if (!labels) continue;
    const key = Object.entries(labels)
      .map(([k, v]) => `${k}=${v}`)
      .join(',');
    const g = groups.get(key);
    if (g) g.accs.push(acc);
    else groups.set(key, { labels, accs: [acc], route, outcome });
  }
  return groups;
}

/** One scrape of an exporter: gauges, counters (with or without `_total`) and histograms with its target labels. */
export class Scrape {
  readonly ts: number;
  readonly handles: HandleCache;
  readonly key: string;
  readonly target: Labels;

  constructor(handles: HandleCache, key: string, target: Labels, ts: number) {
    this.handles = handles;
    this.key = key;
    this.target = target;
    this.ts = ts;
  }

  declare(name: string, type: MetricType, help: string): void {
    this.handles.writer.declare({ name, type, help });
  }

  g(family: string, extra: Labels, value: number): void {
    const k = `${this.key}|${JSON.stringify(extra)}`;
    this.handles.series(family, family, k, () => ({ ...this.target, ...extra })).add(this.ts, value);
  }

  /** A counter: `<family>_total`, or the bare family name (client_golang const metrics named without `_total`). */
  c(family: string, extra: Labels, value: number, options: { bare?: boolean; reset?: boolean } = {}): void {
    const k = `${this.key}|${JSON.stringify(extra)}`;
    this.handles
      .series(family, options.bare ? family : `${family}_total`, k, () => ({ ...this.target, ...extra }))
      .add(this.ts, value, options.reset ?? false);
  }

  h(family: string, extra: Labels, le: readonly number[], data: HistogramData, reset = false): void {
    if (data.count < 1) return;
    const k = `${this.key}|${JSON.stringify(extra)}`;
    this.handles
      .histogram(family, k, () => ({ ...this.target, ...extra }), le)
      .add(
        this.ts,
        {
          cumulative: data.cumulative.map((c) => Math.min(Math.round(data.count), Math.round(c))),
          sum: round6(data.sum),
          count: Math.round(data.count),
        },
        reset,
      );
  }
}

export interface HistogramData {
  cumulative: number[];
  count: number;
  sum: number;
}

/** The q-quantile (seconds) of the observations between two snapshots, interpolated geometrically in a bucket. */
export function windowQuantile(
  bounds: readonly number[],
  from: { count: number; cumulative: number[] },
  to: { count: number; cumulative: number[] },
  q: number,
): number {
  const rank = q * (to.count - from.count);
  let previous = 0;
  for (let i = 0; i < bounds.length; i++) {
    const below = (to.cumulative[i] ?? 0) - (from.cumulative[i] ?? 0);
    if (below >= rank) {
      const lower = i === 0 ? (bounds[0] ?? 0) / 2 : (bounds[i - 1] ?? 0);
      const upper = bounds[i] ?? lower;
      const inBucket = below - previous;
      const f = inBucket > 0 ? (rank - previous) / inBucket : 1;
      return lower * (upper / lower) ** f;
    }
    previous = below;
  }
  return bounds.at(-1) ?? 0;
}
