import type { MetricsSource, QueryOptions, RangePair, RangePairRequest, Series } from '../../src/domain/ports.js';
import { rangePairFromTwoQueries } from '../../src/domain/range-pair.js';
import type { TimeWindow } from '../../src/domain/time-window.js';
import { matchesSelector } from './match-selector.js';

export type Responder = (query: string, window: TimeWindow, stepSeconds: number) => Series[] | Promise<Series[]>;

/**
 * A metrics source for engine tests: a service with the given families (under `job`), and range queries answered
 * by a function of the query text. Records every query and the most that ran at once.
 */
export class ScriptedMetricsSource implements MetricsSource {
  readonly queries: string[] = [];
  /** The priority each range query was sent with (QueryOptions.priority), by query text. */
  readonly priorities = new Map<string, number | undefined>();
  inFlight = 0;
  maxInFlight = 0;
  private readonly service: string;
  private readonly families: readonly string[];
  private readonly respond: Responder;
  constructor(service: string, families: readonly string[], respond: Responder) {
    this.service = service;
    this.families = families;
    this.respond = respond;
  }

  async queryRange(query: string, window: TimeWindow, stepSeconds: number, options?: QueryOptions): Promise<Series[]> {
    this.queries.push(query);
    this.priorities.set(query, options?.priority);
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      await new Promise((r) => setTimeout(r, 1));
      options?.signal?.throwIfAborted();
      return await this.respond(query, window, stepSeconds);
    } finally {
      this.inFlight--;
    }
  }

  queryRangeAndEarlier(request: RangePairRequest, options?: QueryOptions): Promise<RangePair> {
    return rangePairFromTwoQueries(this, request, options);
  }

  async queryInstant(): Promise<Series[]> {
    return [];
  }

  async series(matchers: readonly string[]): Promise<Record<string, string>[]> {
    // A family may carry labels of its own, written `name{label="value",…}` (a status label, `le`).
    const all = this.families.map((f) => {
      const [, name = f, labels = ''] = /^([^{]+)(?:\{(.*)\})?$/.exec(f) ?? [];
      const own = Object.fromEntries([...labels.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
      return { __name__: name, ...own, job: this.service, instance: 'a:1' };
    });
    return all.filter((labels) => matchers.some((m) => matchesSelector(labels, m)));
  }

  async labelValues(label: string): Promise<string[]> {
    return label === 'job' ? [this.service, 'checkout-api', 'billing'] : [];
  }

  linkFor(query: string): string {
    return `http://prom.test/graph?g0.expr=${encodeURIComponent(query)}`;
  }
}

/** A flat series over the window at `value`, one point per step. */
export function flat(
  window: TimeWindow,
  stepSeconds: number,
  value: number,
  labels: Record<string, string> = {},
): Series[] {
  const samples = [];
  for (let t = window.start.getTime() / 1000; t <= window.end.getTime() / 1000; t += stepSeconds)
    samples.push({ t, v: value });
  return [{ labels, samples }];
}

/**
 * Values by query shape (the first key the query contains): inside `incident` its `incident` value, before it (and a
 * day earlier) its `usual` one; a query no key matches has no series.
 */
export function stepResponder(
  values: Readonly<Record<string, { usual: number; incident: number }>>,
  incident: TimeWindow,
): Responder {
  return (query, window, step) => {
    const key = Object.keys(values).find((k) => query.includes(k));
    if (!key) return [];
    const v = values[key] as { usual: number; incident: number };
    if (window.end.getTime() < incident.start.getTime()) return flat(window, step, v.usual);
    const before = flat({ start: window.start, end: new Date(incident.start.getTime() - 1000) }, step, v.usual);
    const during = flat(incident, step, v.incident);
    return [{ labels: {}, samples: [...(before[0]?.samples ?? []), ...(during[0]?.samples ?? [])] }];
  };
}
