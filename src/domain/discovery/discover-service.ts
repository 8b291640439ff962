import type { MetricsSource, QueryOptions } from '../ports.js';
import { equalityMatcher } from '../promql/quote.js';
import type { TimeWindow } from '../time-window.js';
import { closestNames } from './closest-names.js';
import type { ServiceProfile } from './service-profile.js';

/** Labels that may carry a service's name (metrics.md), in order of preference. */
export const DEFAULT_SERVICE_LABELS = [
  'service',
  'job',
  'app',
  'application',
  'container',
  'deployment',
  'destination_service_name',
] as const;

export type Discovery =
  | { found: true; profile: ServiceProfile; tried: string[] }
  | { found: false; tried: string[]; suggestions: string[] };

export interface DiscoverOptions {
  candidates: readonly string[];
  window: TimeWindow;
  labels?: readonly string[];
  signal?: AbortSignal;
}

/**
 * Finds the first candidate name Prometheus knows and the metric families it has: one `/api/v1/series` call asks
 * for every candidate at once (a round-trip, not one per candidate tried). When none is known, lists the closest
 * known service names (one label-values call per label, together).
 */
export async function discoverService(source: MetricsSource, options: DiscoverOptions): Promise<Discovery> {
  const labels = options.labels ?? DEFAULT_SERVICE_LABELS;
  const queryOptions: QueryOptions = options.signal ? { signal: options.signal } : {};
  const candidates = [...new Set(options.candidates)];
  const matchers = candidates.flatMap((candidate) => labels.map((l) => `{${equalityMatcher(l, candidate)}}`));
  const sets = matchers.length === 0 ? [] : await source.series(matchers, options.window, queryOptions);
  const tried: string[] = [];
  for (const candidate of candidates) {
    tried.push(candidate);
    const families = new Map<string, string>();
    let known = false;
    for (const set of sets) {
      const label = labels.find((l) => set[l] === candidate);
      if (!label) continue;
      known = true;
      const name = set.__name__;
      if (!name) continue;
      const current = families.get(name);
      if (!current || labels.indexOf(label) < labels.indexOf(current)) families.set(name, label);
    }
    if (known) return { found: true, profile: { service: candidate, families }, tried };
  }
  const known = new Set<string>();
  const lists = await Promise.all(labels.map((l) => source.labelValues(l, options.window, undefined, queryOptions)));
  for (const list of lists) for (const v of list) known.add(v);
  const suggestions = closestNames(options.candidates[0] ?? '', known);
  return { found: false, tried, suggestions };
}
