import type {
  HistogramHandle,
  Labels,
  OpenMetricsWriter,
  SeriesHandle,
} from '../../support/prometheus/openmetrics-writer.js';
import { type Latency, lognormalCappedMean, lognormalCdf, lognormalMaxOf } from './stats.js';

/**
 * Observations of one latency-timed series (a histogram, a Micrometer timer or a counter with a duration), kept as
 * floats since the process started and rounded when written, so counts stay integers and never decrease.
 */
export class TimedAccumulator {
  count = 0;
  sum = 0;
  readonly cumulative: Float64Array;
  /** Max observed since the last scrape (Micrometer `_max`). */
  windowMax = 0;
  /** Whether this series was written since the process started (its first sample marks a counter reset). */
  written = false;

  readonly bounds: readonly number[];

  constructor(bounds: readonly number[]) {
    this.bounds = bounds;
    this.cumulative = new Float64Array(bounds.length);
  }

  /** Records `n` requests drawn from `latency` (seconds; `scale` converts for millisecond histograms). */
  observe(n: number, latency: Latency, scale = 1): void {
    if (n <= 0) return;
    this.count += n;
    this.sum += n * lognormalCappedMean(latency) * scale;
    for (let i = 0; i < this.bounds.length; i++) {
      this.cumulative[i] = (this.cumulative[i] ?? 0) + n * lognormalCdf(latency, (this.bounds[i] ?? 0) / scale);
    }
    const max = lognormalMaxOf(latency, n) * scale;
    if (max > this.windowMax) this.windowMax = max;
  }

  /** The integer count as an exporter would show it; a series exists once it is ≥ 1. */
  get shownCount(): number {
    return Math.round(this.count);
  }

  bucketCounts(): number[] {
    const count = this.shownCount;
    return Array.from(this.cumulative, (c) => Math.min(count, Math.round(c)));
  }
}

/** A float counter rounded when written (requests, restarts of a GC, log events …). */
export class CountAccumulator {
  value = 0;
  written = false;

  add(n: number): void {
    if (n > 0) this.value += n;
  }
}

/** Caches writer handles per (family, label text) so hot loops render labels once. */
export class HandleCache {
  readonly #series = new Map<string, SeriesHandle>();
  readonly #histograms = new Map<string, HistogramHandle>();

  readonly writer: OpenMetricsWriter;

  constructor(writer: OpenMetricsWriter) {
    this.writer = writer;
  }

  series(family: string, sampleName: string, key: string, labels: () => Labels): SeriesHandle {
    const id = `${sampleName}|${key}`;
    let h = this.#series.get(id);
    if (!h) {
      h = this.writer.series(family, sampleName, labels());
      this.#series.set(id, h);
    }
    return h;
  }

  histogram(family: string, key: string, labels: () => Labels, bounds: readonly number[]): HistogramHandle {
    const id = `${family}|${key}`;
    let h = this.#histograms.get(id);
    if (!h) {
      h = this.writer.histogramSeries(family, labels(), bounds);
      this.#histograms.set(id, h);
    }
    return h;
  }
}
