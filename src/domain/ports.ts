import type { TimeWindow } from './time-window.js';

/** One sample: Unix time in seconds and its value (NaN and ±Inf are kept as numbers). */
export interface Sample {
  t: number;
  v: number;
}

/** One time series as the metrics source returned it. */
export interface Series {
  labels: Readonly<Record<string, string>>;
  samples: readonly Sample[];
}

export interface QueryOptions {
  /** Aborts the query (the run's deadline). */
  signal?: AbortSignal;
}

/**
 * Read-only access to a Prometheus-compatible metrics API. Implementations translate their failures into
 * `DatasourceError` subclasses; they never throw library errors.
 */
export interface MetricsSource {
  /** Range query: one `Series` per result series, samples in time order. */
  queryRange(query: string, window: TimeWindow, stepSeconds: number, options?: QueryOptions): Promise<Series[]>;
  /** Instant query at `time`: one `Series` with a single sample per result element (scalars have no labels). */
  queryInstant(query: string, time: Date, options?: QueryOptions): Promise<Series[]>;
  /** Label sets of the series matching any of the selectors within the window (`/api/v1/series`). */
  series(matchers: readonly string[], window: TimeWindow, options?: QueryOptions): Promise<Record<string, string>[]>;
  /** Values of one label within the window (`/api/v1/label/<name>/values`), optionally restricted by selectors. */
  labelValues(
    label: string,
    window: TimeWindow,
    matchers?: readonly string[],
    options?: QueryOptions,
  ): Promise<string[]>;
  /** A link a human can open to see this query over this window. */
  linkFor(query: string, window: TimeWindow): string;
}

/** The clock, injected so the domain never reads the wall time itself. */
export interface Clock {
  now(): Date;
}
