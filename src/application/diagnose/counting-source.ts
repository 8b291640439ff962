import type { MetricsSource } from '../../domain/ports.js';
import { askTwice } from '../../domain/range-pair.js';

export type CountingSource = MetricsSource & { count(): number };

/** Wraps a metrics source to count the requests one run sends (reported with the result). */
export function countingSource(inner: MetricsSource): CountingSource {
  let n = 0;
  const counted: CountingSource = {
    queryRange: (...args) => {
      n++;
      return inner.queryRange(...args);
    },
    queryInstant: (...args) => {
      n++;
      return inner.queryInstant(...args);
    },
    series: (...args) => {
      n++;
      return inner.series(...args);
    },
    labelValues: (...args) => {
      n++;
      return inner.labelValues(...args);
    },
    // One request when the source sends the pair in one, else two counted range queries.
    queryRangeAndEarlier: (request, options) => {
      if (!inner.queryRangeAndEarlier) return askTwice(counted, request, options);
      n++;
      return inner.queryRangeAndEarlier(request, options);
    },
    linkFor: (query, window) => inner.linkFor(query, window),
    count: () => n,
  };
  return counted;
}
