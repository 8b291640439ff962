import type { MetricsSource } from '../../domain/ports.js';

export type CountingSource = MetricsSource & { count(): number };

/** Wraps a metrics source to count the calls one run makes to it (reported with the result); a pair counts once. */
export function countingSource(inner: MetricsSource): CountingSource {
  let n = 0;
  const counted =
    <A extends unknown[], R>(call: (...args: A) => R) =>
    (...args: A): R => {
      n++;
      return call(...args);
    };
  return {
    queryRange: counted((...args) => inner.queryRange(...args)),
    queryRangeAndEarlier: counted((...args) => inner.queryRangeAndEarlier(...args)),
    queryInstant: counted((...args) => inner.queryInstant(...args)),
    series: counted((...args) => inner.series(...args)),
    labelValues: counted((...args) => inner.labelValues(...args)),
    linkFor: (query, window) => inner.linkFor(query, window),
    count: () => n,
  };
}
