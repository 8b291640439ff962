import type { MetricsSource } from '../ports.js';

export type CountingSource = MetricsSource & { count(): number };

/** Wraps a metrics source to count the requests one run sends (reported with the result). */
export function countingSource(inner: MetricsSource): CountingSource {
  let n = 0;
  return {
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
    linkFor: (query, window) => inner.linkFor(query, window),
    count: () => n,
  };
}
