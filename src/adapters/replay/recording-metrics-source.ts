import type { MetricsSource, QueryOptions, RangePair, RangePairRequest, Series } from '../../domain/ports.js';
import { rangePairFromTwoQueries } from '../../domain/range-pair.js';
import type { TimeWindow } from '../../domain/time-window.js';
import { callKey, encodeSeries } from './recording.js';

/** Passes every call through and remembers its answer, to write a replayable recording. */
export class RecordingMetricsSource implements MetricsSource {
  readonly calls = new Map<string, unknown>();
  private readonly inner: MetricsSource;
  constructor(inner: MetricsSource) {
    this.inner = inner;
  }

  async queryRange(query: string, window: TimeWindow, stepSeconds: number, options?: QueryOptions): Promise<Series[]> {
    const result = await this.inner.queryRange(query, window, stepSeconds, options);
    this.calls.set(callKey('queryRange', [query, window, stepSeconds]), encodeSeries(result));
    return result;
  }

  /** As two recorded range queries, so a replay answers the pair the same way. */
  queryRangeAndEarlier(request: RangePairRequest, options?: QueryOptions): Promise<RangePair> {
    return rangePairFromTwoQueries(this, request, options);
  }

  async queryInstant(query: string, time: Date, options?: QueryOptions): Promise<Series[]> {
    const result = await this.inner.queryInstant(query, time, options);
    this.calls.set(callKey('queryInstant', [query, time]), encodeSeries(result));
    return result;
  }

  async series(matchers: readonly string[], window: TimeWindow, options?: QueryOptions) {
    const result = await this.inner.series(matchers, window, options);
    this.calls.set(callKey('series', [matchers, window]), result);
    return result;
  }

  async labelValues(label: string, window: TimeWindow, matchers?: readonly string[], options?: QueryOptions) {
    const result = await this.inner.labelValues(label, window, matchers, options);
    this.calls.set(callKey('labelValues', [label, window, matchers ?? []]), result);
    return result;
  }

  linkFor(query: string, window: TimeWindow): string {
    return this.inner.linkFor(query, window);
  }
}
