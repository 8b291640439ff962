import type { MetricsSource, QueryOptions, RangePair, RangePairRequest } from './ports.js';
import { shiftWindow } from './time-window.js';

/**
 * `MetricsSource.queryRangeAndEarlier` for a source with no way to ask for both windows in one request: the range
 * query over the window and over the same window `shiftSeconds` earlier, sent together.
 */
export async function rangePairFromTwoQueries(
  source: Pick<MetricsSource, 'queryRange'>,
  { query, window, stepSeconds, shiftSeconds }: RangePairRequest,
  options?: QueryOptions,
): Promise<RangePair> {
  const [current, earlier] = await Promise.all([
    source.queryRange(query, window, stepSeconds, options),
    source.queryRange(query, shiftWindow(window, -shiftSeconds), stepSeconds, options),
  ]);
  return { current, earlier };
}
