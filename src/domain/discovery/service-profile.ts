import type { SignalVariant } from '../signals/signal.js';

/** One equality matcher that selects an entity's series: `job="shop/checkout"`. */
export interface LabelMatch {
  label: string;
  value: string;
}

/** The matchers, all of which a series must carry to belong to the entity (usually one). */
export type Selector = readonly LabelMatch[];

/** What Prometheus knows about one service or one of its dependencies: its families and how to select them. */
export interface EntityProfile {
  /** The name shown to people: the service as discovered, or the dependency (`carts-redis`). */
  name: string;
  /** Family → the selectors that pick the entity's series of that family, best first. */
  families: ReadonlyMap<string, readonly Selector[]>;
  /** Family → label name → some values seen on the entity's series (for status formats and inference). */
  labels?: ReadonlyMap<string, ReadonlyMap<string, ReadonlySet<string>>>;
}

/** A data store, cache, queue or called service that belongs to the service under diagnosis. */
export interface DependencyProfile extends EntityProfile {
  /** How the tie was found: a label value carrying the service's name, a call the service makes, or a mapping. */
  via: 'name' | 'calls' | 'mapping';
}

/** A group of series the "what moved" scan reads besides the service's own: one selector, many families. */
export interface ScanSource {
  /** Who the series belong to: another workload carrying the name, a store, or the service by its metrics' names. */
  entity: string;
  via: 'related' | 'dependency' | 'name';
  /** The matchers of the group; empty for families named after the service (selected by name alone). */
  selector: Selector;
  families: readonly string[];
}

/** The service under diagnosis: its own families, its dependencies, and what it calls. */
export interface ServiceProfile extends EntityProfile {
  service: string;
  dependencies: readonly DependencyProfile[];
  /** Peers the service's own client metrics or mesh edges show it calling (`server_address`, `dst_deployment`). */
  callees: readonly string[];
  /** Variants inferred from series no convention names (a status counter, a duration histogram), by signal. */
  inferred?: ReadonlyMap<string, readonly SignalVariant[]>;
  /** What else the "what moved" scan reads: other workloads carrying the name, stores, families named after it. */
  scan?: readonly ScanSource[];
}

/** A profile with no families (a service only the log store knows). */
export function emptyProfile(service: string): ServiceProfile {
  return { name: service, service, families: new Map(), dependencies: [], callees: [] };
}

function selectorsOf(profile: EntityProfile, pattern: string): readonly Selector[] | undefined {
  if (!pattern.startsWith('*')) return profile.families.get(pattern);
  const suffix = pattern.slice(1);
  for (const [family, selectors] of profile.families) {
    if (family.endsWith(suffix)) return selectors;
  }
  return undefined;
}

/**
 * The best selector for a family (exact, or `*suffix`), optionally only among selectors on the given labels;
 * undefined when the entity has no such family.
 */
export function selectorFor(profile: EntityProfile, pattern: string, labels?: readonly string[]): Selector | undefined {
  const selectors = selectorsOf(profile, pattern);
  if (!selectors) return undefined;
  if (!labels) return selectors[0];
  for (const label of labels) {
    const found = selectors.find((s) => s.length === 1 && s[0]?.label === label);
    if (found) return found;
  }
  return undefined;
}
