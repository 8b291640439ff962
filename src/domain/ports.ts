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
  /**
   * When queries wait for a free slot, higher goes first (default 0): the engine gives a step on a chain of
   * dependent steps the chain's length, so the chain is not stuck behind steps nothing waits for.
   */
  priority?: number;
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
  /**
   * The range query over `window` and over the same window `shiftSeconds` earlier. A source that can ask for both in
   * one request does; any other answers with {@link rangePairFromTwoQueries} (`range-pair.ts`), two range queries
   * sent together. The answer is the same either way.
   */
  queryRangeAndEarlier(request: RangePairRequest, options?: QueryOptions): Promise<RangePair>;
  /** A link a human can open to see this query over this window. */
  linkFor(query: string, window: TimeWindow): string;
}

/** A range query over `window`, and over the same window `shiftSeconds` earlier. */
export interface RangePairRequest {
  query: string;
  window: TimeWindow;
  stepSeconds: number;
  shiftSeconds: number;
}

/** A range query's answer over its window and over the same window some time earlier. */
export interface RangePair {
  current: Series[];
  /** The answer over the earlier window, with that window's timestamps (a series may lack its `__name__`). */
  earlier: Series[];
}

/** The clock, injected so the domain and the use-cases never read the wall time or set a timer themselves. */
export interface Clock {
  now(): Date;
  /** Milliseconds on a clock that only moves forward, from any origin: a duration is the difference of two readings. */
  elapsedMs(): number;
  /** Calls `fire` once, `ms` milliseconds from now; the returned function cancels it. */
  after(ms: number, fire: () => void): () => void;
}

/** One log line as a log store returned it. */
export interface LogLine {
  /** Unix time in seconds (fractional). */
  time: number;
  line: string;
  /** Stream labels (Loki) or selected fields (Elasticsearch), e.g. `{ level: 'error', pod: '…' }`. */
  labels: Readonly<Record<string, string>>;
}

export interface LogQuery {
  /** The service's name as discovered; adapters match it on their configured service field or label. */
  service: string;
  window: TimeWindow;
}

/**
 * Read-only access to a log store (Loki, Elasticsearch/OpenSearch). Implementations quote every value from user
 * text as a literal, translate failures into `DatasourceError` subclasses and never throw library errors.
 */
export interface LogSource {
  readonly name: 'loki' | 'elasticsearch';
  /** Number of error-level (or error-looking) lines for the service in the window. */
  countErrors(query: LogQuery, options?: QueryOptions): Promise<number>;
  /** Error lines for the service in the window, newest first, at most `limit`. */
  errorLines(query: LogQuery & { limit: number }, options?: QueryOptions): Promise<LogLine[]>;
  /**
   * Error lines per step over the window and the most frequent error types, when the store can aggregate them
   * (Elasticsearch `date_histogram` and `terms`). Optional: stores without it give counts and lines only.
   */
  errorTimeline?(query: LogQuery & { stepSeconds: number }, options?: QueryOptions): Promise<ErrorTimeline>;
  /** A link a human can open to see these logs (Grafana Explore or Kibana Discover), when one is configured. */
  linkFor(query: LogQuery): string | undefined;
}

export interface ErrorTimeline {
  /** Error lines per step, one point per bucket (Unix seconds). */
  points: Sample[];
  /** The most frequent error types, most frequent first. */
  topTypes: { key: string; count: number }[];
}
