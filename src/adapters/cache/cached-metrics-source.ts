import type { MetricsSource, QueryOptions, RangePair, RangePairRequest, Series } from '../../domain/ports.js';
import type { TimeWindow } from '../../domain/time-window.js';
import { type CacheStats, cacheKey, QueryCache, snapWindow } from './query-cache.js';

export { type CacheStats, snapWindow };

/** Options for {@link CachedMetricsSource}. */
export interface CachedMetricsSourceOptions {
  /** How long an answer stays cached; default 60. */
  ttlSeconds?: number;
  /** Most answers kept; when full, the oldest is evicted. Default 5000. */
  maxKeys?: number;
  /**
   * Most delegate calls running at once; later ones wait in FIFO order. Default 20, Prometheus's own default
   * `--query.max-concurrency`: a playbook's independent steps go out together (its wall time stays close to its
   * critical path), and Triage never keeps more queries running than one Prometheus runs at a time.
   */
  maxConcurrent?: number;
  /** Grid that `series` and `labelValues` windows are widened to, so nearby requests share a key; default 60. */
  metadataSnapSeconds?: number;
}

const DEFAULT_TTL_SECONDS = 60;
const DEFAULT_MAX_KEYS = 5000;
const DEFAULT_MAX_CONCURRENT = 20;
const DEFAULT_METADATA_SNAP_SECONDS = 60;

/**
 * A `MetricsSource` decorator that caches answers with a TTL, snaps windows so requests close in time share a key,
 * runs identical concurrent calls once, and bounds how many calls reach the delegate at the same time.
 */
export class CachedMetricsSource implements MetricsSource {
  readonly #delegate: MetricsSource;
  readonly #cache: QueryCache;
  readonly #metadataSnapMs: number;

  constructor(delegate: MetricsSource, options: CachedMetricsSourceOptions = {}) {
    const {
      ttlSeconds = DEFAULT_TTL_SECONDS,
      maxKeys = DEFAULT_MAX_KEYS,
      maxConcurrent = DEFAULT_MAX_CONCURRENT,
      metadataSnapSeconds = DEFAULT_METADATA_SNAP_SECONDS,
    } = options;
    if (!Number.isFinite(metadataSnapSeconds) || metadataSnapSeconds <= 0) {
      throw new RangeError(`QueryCache: metadataSnapSeconds must be a positive number, not ${metadataSnapSeconds}.`);
    }
    this.#delegate = delegate;
    this.#cache = new QueryCache({ ttlSeconds, maxKeys, maxConcurrent });
    this.#metadataSnapMs = metadataSnapSeconds * 1000;
  }

  queryRange(query: string, window: TimeWindow, stepSeconds: number, options?: QueryOptions): Promise<Series[]> {
    const snapped = snapWindow(window, stepSeconds * 1000);
    const key = cacheKey('range', query, snapped.start.getTime(), snapped.end.getTime(), stepSeconds);
    return this.#cache.get(key, options, (signal) =>
      this.#delegate.queryRange(query, snapped, stepSeconds, { signal }),
    );
  }

  /** The pair as one cached call, over the window snapped to the step. */
  queryRangeAndEarlier(request: RangePairRequest, options?: QueryOptions): Promise<RangePair> {
    const { query, stepSeconds, shiftSeconds } = request;
    const window = snapWindow(request.window, stepSeconds * 1000);
    const key = cacheKey('pair', query, window.start.getTime(), window.end.getTime(), stepSeconds, shiftSeconds);
    return this.#cache.get(key, options, (signal) =>
      this.#delegate.queryRangeAndEarlier({ ...request, window }, { signal }),
    );
  }

  queryInstant(query: string, time: Date, options?: QueryOptions): Promise<Series[]> {
    const key = cacheKey('instant', query, time.getTime());
    return this.#cache.get(key, options, (signal) => this.#delegate.queryInstant(query, time, { signal }));
  }

  series(matchers: readonly string[], window: TimeWindow, options?: QueryOptions): Promise<Record<string, string>[]> {
    const snapped = snapWindow(window, this.#metadataSnapMs);
    const key = cacheKey('series', matchers, snapped.start.getTime(), snapped.end.getTime());
    return this.#cache.get(key, options, (signal) => this.#delegate.series(matchers, snapped, { signal }));
  }

  labelValues(
    label: string,
    window: TimeWindow,
    matchers: readonly string[] = [],
    options?: QueryOptions,
  ): Promise<string[]> {
    const snapped = snapWindow(window, this.#metadataSnapMs);
    const key = cacheKey('labels', label, matchers, snapped.start.getTime(), snapped.end.getTime());
    return this.#cache.get(key, options, (signal) => this.#delegate.labelValues(label, snapped, matchers, { signal }));
  }

  linkFor(query: string, window: TimeWindow): string {
    return this.#delegate.linkFor(query, window);
  }

  /** A snapshot of the counters. */
  stats(): CacheStats {
    return this.#cache.stats();
  }

  /** Drops every cached answer (in-flight calls still finish and are cached). */
  clear(): void {
    this.#cache.clear();
  }

  /** Stops node-cache's expiry timer; call on shutdown. */
  close(): void {
    this.#cache.close();
  }
}
