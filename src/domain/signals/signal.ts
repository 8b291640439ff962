/** Units a signal's value is expressed in; renderers format by unit. */
export type Unit = 'ratio' | 'seconds' | 'bytes' | 'count' | 'per_second' | 'per_hour' | 'cores';
/** How the points of the window become one value. */
export type Reduce = 'max' | 'min' | 'last' | 'mean';

/**
 * One way to compute a signal, for one metric convention. `query` is a template:
 * - `$service` becomes the service matcher, e.g. `job="checkout"` (the value is always a quoted literal);
 * - `$rate` the rate range (e.g. `5m`), `$window` the diagnosis window (e.g. `30m`), `$windowSeconds` its length
 *   in seconds, `$trend` the look-back for trends (e.g. `2h`).
 * `requires` lists the metric families the query reads; the first decides which label carries the service.
 * A family ending in `*` matches by prefix-free suffix (`*_build_info`).
 */
export interface SignalVariant {
  convention: string;
  requires: readonly string[];
  query: string;
  /** Said next to the evidence when this variant is a stand-in (e.g. mean latency because there are no buckets). */
  note?: string;
}

export interface Signal {
  name: string;
  title: string;
  unit: Unit;
  reduce: Reduce;
  direction: 'up' | 'down';
  /** The label whose value names the worst series (e.g. the peer for dependency signals). */
  detailLabel?: readonly string[];
  /** Variants in order of preference: the first whose families the service has is used. */
  variants: readonly SignalVariant[];
}
