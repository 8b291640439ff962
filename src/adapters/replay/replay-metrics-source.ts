import { z } from 'zod';
import { DatasourceNotFoundError } from '../../domain/errors.js';
import type { MetricsSource, RangePair, RangePairRequest, Series } from '../../domain/ports.js';
import { rangePairFromTwoQueries } from '../../domain/range-pair.js';
import type { TimeWindow } from '../../domain/time-window.js';
import { callKey, decodeSeries, type Recording } from './recording.js';

/** Answers from a recording instead of Prometheus: the real engine runs offline, exactly as it ran live. */
export class ReplayMetricsSource implements MetricsSource {
  private readonly calls: Map<string, unknown>;
  private readonly recording: Recording;
  constructor(recording: Recording) {
    this.recording = recording;
    this.calls = new Map(recording.calls.map((c) => [c.key, c.result]));
  }

  private lookup(method: string, args: readonly unknown[], query: string): unknown {
    const key = callKey(method, args);
    if (!this.calls.has(key)) {
      throw new DatasourceNotFoundError(
        `The recording "${this.recording.name}" has no answer for this ${method} call. Playbooks that use new raw queries need a new recording (npm run record).`,
        { source: 'prometheus', url: this.recording.prometheusUrl, query },
      );
    }
    return this.calls.get(key);
  }

  async queryRange(query: string, window: TimeWindow, stepSeconds: number): Promise<Series[]> {
    return decodeSeries(this.lookup('queryRange', [query, window, stepSeconds], query));
  }

  /** From the two range queries a recording holds for a pair. */
  queryRangeAndEarlier(request: RangePairRequest): Promise<RangePair> {
    return rangePairFromTwoQueries(this, request);
  }

  async queryInstant(query: string, time: Date): Promise<Series[]> {
    return decodeSeries(this.lookup('queryInstant', [query, time], query));
  }

  async series(matchers: readonly string[], window: TimeWindow): Promise<Record<string, string>[]> {
    return z
      .array(z.record(z.string(), z.string()))
      .parse(this.lookup('series', [matchers, window], matchers.join(' ')));
  }

  async labelValues(label: string, window: TimeWindow, matchers?: readonly string[]): Promise<string[]> {
    return z.array(z.string()).parse(this.lookup('labelValues', [label, window, matchers ?? []], label));
  }

  linkFor(query: string, window: TimeWindow): string {
    const end = window.end.toISOString().slice(0, 19).replace('T', ' ');
    const range = Math.round((window.end.getTime() - window.start.getTime()) / 60_000);
    return `${this.recording.prometheusUrl}/graph?g0.expr=${encodeURIComponent(query)}&g0.tab=0&g0.range_input=${range}m&g0.end_input=${encodeURIComponent(end)}`;
  }
}
