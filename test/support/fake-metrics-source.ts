import type { MetricsSource, QueryOptions, RangePair, RangePairRequest, Series } from '../../src/domain/ports.js';
import { rangePairFromTwoQueries } from '../../src/domain/range-pair.js';
import type { TimeWindow } from '../../src/domain/time-window.js';

/** One call the fake received, with the arguments it was given. */
export type FakeCall =
  | { method: 'queryRange'; query: string; window: TimeWindow; stepSeconds: number; signal?: AbortSignal }
  | { method: 'queryInstant'; query: string; time: Date; signal?: AbortSignal }
  | { method: 'series'; matchers: readonly string[]; window: TimeWindow; signal?: AbortSignal }
  | { method: 'labelValues'; label: string; matchers: readonly string[]; window: TimeWindow; signal?: AbortSignal };

/**
 * An in-memory `MetricsSource` for tests: records every call, answers from `seriesFor`, can be told to fail the
 * next calls or to answer only after `delayMs` (on the current timers, so `vi.useFakeTimers()` drives it), and
 * tracks how many calls run at once.
 */
export class FakeMetricsSource implements MetricsSource {
  readonly calls: FakeCall[] = [];
  /** Delay before each answer, in ms (0 = answer on a microtask, with no timer). */
  delayMs = 0;
  /** Calls currently running, and the most ever running at once. */
  inFlight = 0;
  maxInFlight = 0;
  /** What range and instant queries return; by default one series named after the query. */
  seriesFor: (query: string) => Series[] = (query) => [{ labels: { query }, samples: [{ t: 0, v: 1 }] }];
  labelValuesFor: (label: string) => string[] = (label) => [`${label}-a`, `${label}-b`];
  readonly #failures: Error[] = [];

  /** The next `times` calls reject with `error` (after the delay, like a real source). */
  failNext(error: Error, times = 1): void {
    for (let i = 0; i < times; i++) this.#failures.push(error);
  }

  callsTo(method: FakeCall['method']): FakeCall[] {
    return this.calls.filter((call) => call.method === method);
  }

  queryRange(query: string, window: TimeWindow, stepSeconds: number, options?: QueryOptions): Promise<Series[]> {
    this.calls.push({ method: 'queryRange', query, window, stepSeconds, ...signalOf(options) });
    return this.#answer(() => this.seriesFor(query), options);
  }

  queryRangeAndEarlier(request: RangePairRequest, options?: QueryOptions): Promise<RangePair> {
    return rangePairFromTwoQueries(this, request, options);
  }

  queryInstant(query: string, time: Date, options?: QueryOptions): Promise<Series[]> {
    this.calls.push({ method: 'queryInstant', query, time, ...signalOf(options) });
    return this.#answer(() => this.seriesFor(query), options);
  }

  series(matchers: readonly string[], window: TimeWindow, options?: QueryOptions): Promise<Record<string, string>[]> {
    this.calls.push({ method: 'series', matchers, window, ...signalOf(options) });
    return this.#answer(() => matchers.map((matcher) => ({ matcher })), options);
  }

  labelValues(
    label: string,
    window: TimeWindow,
    matchers: readonly string[] = [],
    options?: QueryOptions,
  ): Promise<string[]> {
    this.calls.push({ method: 'labelValues', label, matchers, window, ...signalOf(options) });
    return this.#answer(() => this.labelValuesFor(label), options);
  }

  linkFor(query: string, window: TimeWindow): string {
    return `fake://graph?q=${encodeURIComponent(query)}&end=${window.end.toISOString()}`;
  }

  async #answer<T>(produce: () => T, options: QueryOptions | undefined): Promise<T> {
    const failure = this.#failures.shift();
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      await wait(this.delayMs, options?.signal);
      if (failure !== undefined) throw failure;
      return produce();
    } finally {
      this.inFlight--;
    }
  }
}

function signalOf(options: QueryOptions | undefined): { signal?: AbortSignal } {
  return options?.signal === undefined ? {} : { signal: options.signal };
}

function wait(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    if (ms <= 0) {
      resolve();
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
