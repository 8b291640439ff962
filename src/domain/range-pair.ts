import type { MetricsSource, QueryOptions, RangePair, RangePairRequest } from './ports.js';
import { shiftWindow } from './time-window.js';

/** The range query over its window and over the same window earlier: in one request when the source can. */
export function queryRangePair(
  source: MetricsSource,
  request: RangePairRequest,
  options?: QueryOptions,
): Promise<RangePair> {
  return source.queryRangeAndEarlier
    ? source.queryRangeAndEarlier(request, options)
    : askTwice(source, request, options);
}

/** The pair as two range queries sent together (sources without `queryRangeAndEarlier`, and decorators over them). */
export async function askTwice(
  source: MetricsSource,
  { query, window, stepSeconds, shiftSeconds }: RangePairRequest,
  options?: QueryOptions,
): Promise<RangePair> {
  const [current, earlier] = await Promise.all([
    source.queryRange(query, window, stepSeconds, options),
    source.queryRange(query, shiftWindow(window, -shiftSeconds), stepSeconds, options),
  ]);
  return { current, earlier };
}
