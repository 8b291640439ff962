import type {
  LogQuery,
  LogSource,
  MetricsSource,
  QueryOptions,
  RangePair,
  RangePairRequest,
} from '../../domain/ports.js';
import type { TimeWindow } from '../../domain/time-window.js';
import type { CircuitBreaker } from './circuit-breaker.js';

/** Prometheus behind a circuit breaker (placed under the cache: cache hits never touch the breaker). */
export class BreakerMetricsSource implements MetricsSource {
  readonly #inner: MetricsSource;
  readonly breaker: CircuitBreaker;

  constructor(inner: MetricsSource, breaker: CircuitBreaker) {
    this.#inner = inner;
    this.breaker = breaker;
  }

  queryRange(query: string, window: TimeWindow, stepSeconds: number, options?: QueryOptions) {
    return this.breaker.call(() => this.#inner.queryRange(query, window, stepSeconds, options));
  }

  queryRangeAndEarlier(request: RangePairRequest, options?: QueryOptions): Promise<RangePair> {
    return this.breaker.call(() => this.#inner.queryRangeAndEarlier(request, options));
  }

  queryInstant(query: string, time: Date, options?: QueryOptions) {
    return this.breaker.call(() => this.#inner.queryInstant(query, time, options));
  }

  series(matchers: readonly string[], window: TimeWindow, options?: QueryOptions) {
    return this.breaker.call(() => this.#inner.series(matchers, window, options));
  }

  labelValues(label: string, window: TimeWindow, matchers?: readonly string[], options?: QueryOptions) {
    return this.breaker.call(() => this.#inner.labelValues(label, window, matchers, options));
  }

  linkFor(query: string, window: TimeWindow): string {
    return this.#inner.linkFor(query, window);
  }
}

/** Loki or Elasticsearch behind a circuit breaker. */
export class BreakerLogSource implements LogSource {
  readonly #inner: LogSource;
  readonly breaker: CircuitBreaker;
  readonly name: LogSource['name'];
  readonly errorTimeline?: NonNullable<LogSource['errorTimeline']>;

  constructor(inner: LogSource, breaker: CircuitBreaker) {
    this.#inner = inner;
    this.breaker = breaker;
    this.name = inner.name;
    const timeline = inner.errorTimeline?.bind(inner);
    if (timeline) this.errorTimeline = (query, options) => breaker.call(() => timeline(query, options));
  }

  countErrors(query: LogQuery, options?: QueryOptions) {
    return this.breaker.call(() => this.#inner.countErrors(query, options));
  }

  errorLines(query: LogQuery & { limit: number }, options?: QueryOptions) {
    return this.breaker.call(() => this.#inner.errorLines(query, options));
  }

  linkFor(query: LogQuery): string | undefined {
    return this.#inner.linkFor(query);
  }
}
