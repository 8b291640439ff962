/** Units a signal's value is expressed in; renderers format by unit. */
export type Unit = 'ratio' | 'seconds' | 'bytes' | 'count' | 'per_second' | 'per_hour' | 'cores';
/** How the points of the window become one value. */
export type Reduce = 'max' | 'min' | 'last' | 'mean';

/**
 * One way to compute a signal, for one metric convention. `query` is a template:
 * - `$service` becomes the service's matchers, e.g. `job="checkout"` (values are always quoted literals);
 * - `$rate` the rate range (e.g. `5m`), `$window` the diagnosis window (e.g. `30m`), `$windowSeconds` its length
 *   in seconds, `$trend` the look-back for trends (e.g. `2h`), `$fine` the shortest rate range a once-a-minute scrape
 *   fills (`2m`, for saturation that lasts a few minutes).
 * `requires` lists the metric families the query reads; the first decides which label carries the service.
 * A family starting with `*` matches by suffix (`*_build_info`).
 */
export interface SignalVariant {
  convention: string;
  requires: readonly string[];
  query: string;
  /** Said next to the evidence when this variant is a stand-in (e.g. mean latency because there are no buckets). */
  note?: string;
  /** Labels that may carry the service on `requires[0]`, best first; any search label when absent. */
  labels?: readonly string[];
  /** Only for these services (a team's mapping of one service's names). */
  services?: readonly string[];
  /** Set when the variant was inferred from a series' name and labels rather than a known convention. */
  inferredFrom?: string;
  /** Set when the convention cannot tell this signal (e.g. status classes have no 502): no data, with this reason. */
  unavailable?: string;
  /** The status labels the query reads: a family whose series carry none of them cannot answer it. */
  statusLabels?: readonly string[];
  /** True for a query on one status code: when the service's values are classes ("5xx"), it cannot answer. */
  statusExact?: boolean;
  /** Equality matchers the convention always writes (`reporter="destination"`): the series must carry them. */
  fixed?: Readonly<Record<string, string>>;
}

export interface Signal {
  name: string;
  title: string;
  unit: Unit;
  reduce: Reduce;
  direction: 'up' | 'down';
  /** `service`: the service's own series; `dependency`: each data store, cache or queue it uses. */
  scope: 'service' | 'dependency';
  /** The labels whose values name the worst series (e.g. the peer for dependency signals). */
  detailLabel?: readonly string[];
  /** Variants in order of preference: the first whose families the service has is used. */
  variants: readonly SignalVariant[];
}

/** The conventions a catalogue was built from, for `triage signals list` and explanations. */
export interface ConventionInfo {
  id: string;
  title: string;
  priority: number;
  file: string;
  services?: readonly string[];
  source?: string;
  /** Signal ids this convention provides. */
  signals: readonly string[];
}

/** Every signal playbooks may name, with the variants every convention provides, best first. */
export interface SignalCatalog {
  readonly signals: ReadonlyMap<string, Signal>;
  readonly conventions: readonly ConventionInfo[];
  /** Every family some variant requires (exact names), so discovery knows what is already mapped. */
  readonly knownFamilies: ReadonlySet<string>;
}
