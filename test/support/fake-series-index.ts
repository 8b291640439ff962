import type { MetricsSource, QueryOptions, RangePair, RangePairRequest, Series } from '../../src/domain/ports.js';
import { rangePairFromTwoQueries } from '../../src/domain/range-pair.js';
import type { TimeWindow } from '../../src/domain/time-window.js';
import { matchesSelector } from './match-selector.js';

/**
 * A Prometheus index in memory: label sets answered to `/api/v1/series` and label-values requests the way
 * Prometheus selects them, with every request counted. Range and instant queries answer nothing.
 */
export class FakeSeriesIndex implements MetricsSource {
  readonly requests: { method: 'series' | 'labelValues'; detail: string }[] = [];
  readonly sets: Record<string, string>[];

  constructor(sets: Record<string, string>[]) {
    this.sets = sets;
  }

  async series(matchers: readonly string[]): Promise<Record<string, string>[]> {
    this.requests.push({ method: 'series', detail: matchers.join(' ') });
    return this.sets.filter((labels) => matchers.some((m) => matchesSelector(labels, m)));
  }

  async labelValues(label: string): Promise<string[]> {
    this.requests.push({ method: 'labelValues', detail: label });
    return [...new Set(this.sets.map((s) => s[label]).filter((v): v is string => v !== undefined))].sort();
  }

  async queryRange(): Promise<Series[]> {
    return [];
  }

  queryRangeAndEarlier(request: RangePairRequest, options?: QueryOptions): Promise<RangePair> {
    return rangePairFromTwoQueries(this, request, options);
  }

  async queryInstant(): Promise<Series[]> {
    return [];
  }

  linkFor(query: string, _window: TimeWindow): string {
    return `fake://graph?q=${encodeURIComponent(query)}`;
  }
}

/** Series of one family for one target. */
export function family(name: string, labels: Record<string, string>, more: Record<string, string>[] = [{}]) {
  return more.map((m) => ({ __name__: name, ...labels, ...m }));
}
