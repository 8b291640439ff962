import type { ErrorTimeline, LogLine, LogQuery, LogSource, QueryOptions } from '../../domain/ports.js';
import { type CacheStats, cacheKey, QueryCache, type QueryCacheOptions, snapWindow } from './query-cache.js';

/**
 * A `LogSource` decorator with the same behaviour as the metrics cache: a TTL cache, windows snapped to a grid so
 * requests close in time share a key, identical concurrent calls run once, and a bound on concurrent calls.
 */
export class CachedLogSource implements LogSource {
  readonly name: LogSource['name'];
  readonly #delegate: LogSource;
  readonly #cache: QueryCache;
  readonly #snapMs: number;

  constructor(delegate: LogSource, options: Partial<QueryCacheOptions> & { snapSeconds?: number } = {}) {
    this.name = delegate.name;
    this.#delegate = delegate;
    this.#cache = new QueryCache({
      ttlSeconds: options.ttlSeconds ?? 60,
      maxKeys: options.maxKeys ?? 2000,
      maxConcurrent: options.maxConcurrent ?? 4,
    });
    this.#snapMs = (options.snapSeconds ?? 15) * 1000;
    const timeline = delegate.errorTimeline?.bind(delegate);
    if (timeline) {
      this.errorTimeline = (query, opts) => {
        const window = snapWindow(query.window, this.#snapMs);
        const key = cacheKey(
          'timeline',
          query.service,
          window.start.getTime(),
          window.end.getTime(),
          query.stepSeconds,
        );
        return this.#cache.get(key, opts, (signal) =>
          timeline({ service: query.service, window, stepSeconds: query.stepSeconds }, { signal }),
        );
      };
    }
  }

  countErrors(query: LogQuery, options?: QueryOptions): Promise<number> {
    const window = snapWindow(query.window, this.#snapMs);
    const key = cacheKey('count', query.service, window.start.getTime(), window.end.getTime());
    return this.#cache.get(key, options, (signal) =>
      this.#delegate.countErrors({ service: query.service, window }, { signal }),
    );
  }

  errorLines(query: LogQuery & { limit: number }, options?: QueryOptions): Promise<LogLine[]> {
    const window = snapWindow(query.window, this.#snapMs);
    const key = cacheKey('lines', query.service, window.start.getTime(), window.end.getTime(), query.limit);
    return this.#cache.get(key, options, (signal) =>
      this.#delegate.errorLines({ service: query.service, window, limit: query.limit }, { signal }),
    );
  }

  readonly errorTimeline?: (
    query: LogQuery & { stepSeconds: number },
    options?: QueryOptions,
  ) => Promise<ErrorTimeline>;

  linkFor(query: LogQuery): string | undefined {
    return this.#delegate.linkFor(query);
  }

  stats(): CacheStats {
    return this.#cache.stats();
  }

  close(): void {
    this.#cache.close();
  }
}
