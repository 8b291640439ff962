import type { MetricsSource, QueryOptions } from '../ports.js';
import { equalityMatcher, quoteLiteral } from '../promql/quote.js';
import type { ServiceMapping } from '../signals/schema.js';
import type { TimeWindow } from '../time-window.js';
import { closestNames } from './closest-names.js';
import { inferVariants } from './infer-variants.js';
import {
  calleeExporters,
  dependenciesByName,
  EXPORTER_OWN,
  exporterProcesses,
  exporterTargets,
  type Labels,
  mappedDependencies,
  mappingSelectors,
  peersOf,
  queueScanSources,
  queuesOf,
  type Sighting,
  targetOf,
  withExporterFamilies,
} from './service-dependencies.js';
import {
  isOwnMatch,
  matchName,
  metricNamePattern,
  type NameMatch,
  nameCarries,
  parts,
  tokenPattern,
  withoutInstanceSuffix,
} from './service-names.js';
import type { DependencyProfile, ScanSource, Selector, ServiceProfile } from './service-profile.js';

/**
 * Labels that may carry a service's name, in order of preference (metrics.md, and what meshes, proxies and the
 * OpenTelemetry collector write). `TRIAGE_SERVICE_LABELS` replaces the list.
 */
export const DEFAULT_SERVICE_LABELS = [
  'service',
  'job',
  'app',
  'application',
  'container',
  'deployment',
  'statefulset',
  'daemonset',
  'service_name',
  'k8s_deployment_name',
  'app_kubernetes_io_name',
  'destination_workload',
  'destination_service_name',
  'destination_app',
  'source_workload',
  'source_app',
  'envoy_cluster_name',
  'proxy',
  'exported_service',
  // Where a process runs, for services known only by their hosts and pods (a VM's `instance="billing-01:9100"`,
  // a sidecar exporter's `pod`, a Celery worker's `hostname`): the lowest rank, after every label naming a service.
  'pod',
  'hostname',
  'host',
  'nodename',
  'instance',
] as const;

/**
 * Labels that name a data store, cache or queue of a service (a PostgreSQL database, a PgBouncer pool, a Kafka
 * consumer group, a RabbitMQ queue): a value carrying the service's name there makes a dependency, never the
 * service itself.
 */
export const DEPENDENCY_LABELS = ['datname', 'database', 'consumergroup', 'group_id', 'queue'] as const;
/** Most peers followed to find their exporters; most label values kept per label for inference. */
const MAX_CALLEES = 10;
const MAX_VALUES = 20;
/** Label-values requests for "did you mean": bounded so a missing service never costs more than 10 requests. */
const MAX_SUGGESTION_LABELS = 8;

export type Discovery =
  | { found: true; profile: ServiceProfile; tried: string[]; notes: string[] }
  | { found: false; tried: string[]; suggestions: string[] };

export interface DiscoverOptions {
  candidates: readonly string[];
  window: TimeWindow;
  labels?: readonly string[];
  /** A team's mappings: other names a service goes by, and dependencies named by hand. */
  mappings?: readonly ServiceMapping[];
  /** Families some convention already maps: only the others are considered for inference. */
  knownFamilies?: ReadonlySet<string>;
  signal?: AbortSignal;
}

function regexMatcher(label: string, pattern: string): string {
  return `{${label}=~${quoteLiteral(pattern)}}`;
}

function selectorText(selector: Selector): string {
  return `{${selector.map((m) => equalityMatcher(m.label, m.value)).join(',')}}`;
}

/**
 * Finds the service the text names among the label values Prometheus really has, and everything that belongs to
 * it, in one `/api/v1/series` request: every candidate is asked for at once, as a whole value or as a token of a
 * composite one (`shop/checkout`, `shop-checkout-8080@kubernetes`), on every service label and every dependency
 * label. The first candidate (parser order) that a value names as its own wins, so a real service name anywhere
 * in the text wins over a word that is not one. Its data stores (`carts-redis`, `datname="carts"`), and the
 * exporters of the peers its client metrics call (one more request), become its dependencies. When no candidate
 * is known, the closest known names are listed (a few label-values requests).
 */
export async function discoverService(source: MetricsSource, options: DiscoverOptions): Promise<Discovery> {
  const labels = options.labels ?? DEFAULT_SERVICE_LABELS;
  const queryOptions: QueryOptions = options.signal ? { signal: options.signal } : {};
  const mappings = options.mappings ?? [];
  const aliases = new Map<string, string>();
  for (const m of mappings) for (const a of m.aliases ?? []) aliases.set(a.toLowerCase(), m.service);
  const given = [...new Set(options.candidates.map((c) => c.trim()).filter((c) => /[a-z0-9]/i.test(c)))];
  // A mapping's aliases are tried right after the name they stand for.
  const candidates = given.flatMap((c) => {
    const mapping = mappings.find((m) => m.service.toLowerCase() === c.toLowerCase());
    return [c, ...(mapping?.aliases ?? [])];
  });
  if (candidates.length === 0) return { found: false, tried: [], suggestions: [] };
  // A name that cannot be written as a literal (a lone surrogate) is refused outright, before anything is sent.
  for (const c of candidates) quoteLiteral(c);
  const pattern = tokenPattern(candidates);
  const mapped = mappingSelectors(mappings, candidates);
  const byName = metricNamePattern(candidates);
  const matchers = [
    ...[...labels, ...DEPENDENCY_LABELS].map((l) => regexMatcher(l, pattern)),
    ...(byName ? [regexMatcher('__name__', byName)] : []),
    ...mapped.map((m) => selectorText(m.selector)),
  ];
  const sets = await source.series([...new Set(matchers)], options.window, queryOptions);

  const dependencyLabels: ReadonlySet<string> = new Set(DEPENDENCY_LABELS);
  const searched = [...labels, ...DEPENDENCY_LABELS];
  const sightingsOf = (candidate: string): Sighting[] => {
    const sightings: Sighting[] = [];
    // Label values repeat across a service's series: each is read once per candidate.
    const seen = new Map<string, NameMatch | null>();
    const matchOf = (value: string) => {
      let m = seen.get(value);
      if (m === undefined) {
        m = matchName(candidate, value);
        seen.set(value, m);
      }
      return m;
    };
    for (const series of sets) {
      for (const label of searched) {
        const value = series[label];
        if (value === undefined) continue;
        const match = matchOf(value);
        if (match === null) continue;
        sightings.push({ series, label, value, match: dependencyLabels.has(label) ? 'dependency' : match });
      }
      const family = series.__name__;
      if (family && nameCarries(family, candidate))
        sightings.push({ series, label: '__name__', value: family, match: 'named' });
    }
    return sightings;
  };
  const all = new Map(candidates.map((c) => [c, sightingsOf(c)]));
  // First the candidates some value names as its own; only when none does, a workload or metric names carrying it
  // (billing known only as billing-worker, or only by acme_billing_* names) is taken for the service.
  const tried: string[] = [...candidates];
  const choose = (candidate: string, promote: boolean): Promise<Discovery> =>
    found(source, options, {
      candidate,
      service: aliases.get(candidate.toLowerCase()) ?? candidate,
      sightings: promote ? (all.get(candidate) ?? []).map(promoted) : (all.get(candidate) ?? []),
      promoted: promote,
      labels,
      mapped,
      sets,
      tried: promote ? tried : tried.slice(0, candidates.indexOf(candidate) + 1),
      queryOptions,
    });
  const ownFirst = candidates.find((c) => (all.get(c) ?? []).some((s) => isOwnMatch(s.match)));
  if (ownFirst !== undefined) {
    // "reports-01 memory climbing, reports slow": the host's name and the service's both match; the service wins.
    const base = withoutInstanceSuffix(ownFirst);
    const service = candidates.find(
      (c) => c !== ownFirst && c.toLowerCase() === base && (all.get(c) ?? []).some((s) => isOwnMatch(s.match)),
    );
    return choose(service ?? ownFirst, false);
  }
  // Among names carried only by other workloads or metric names, the one that carries the most families: "journal
  // postings erroring" is the journal service (acme_journal_*), not a "journal-postings" named by one counter.
  const carried = (c: string) =>
    new Set(
      (all.get(c) ?? []).filter((s) => s.match === 'related' || s.match === 'named').map((s) => s.series.__name__),
    ).size;
  const promotedBest = candidates.reduce<string | undefined>(
    (best, c) => (carried(c) > (best === undefined ? 0 : carried(best)) ? c : best),
    undefined,
  );
  if (promotedBest !== undefined) return choose(promotedBest, true);

  const known = new Set<string>();
  const lists = await Promise.all(
    labels
      .slice(0, MAX_SUGGESTION_LABELS)
      .map((l) => source.labelValues(l, options.window, undefined, queryOptions).catch(() => [] as string[])),
  );
  // Suggest names as people type them: `checkout` for `shop/checkout` or `shop-checkout-8080@kubernetes`.
  for (const list of lists) for (const v of list) for (const part of parts(v)) if (!/[/@|]/.test(part)) known.add(part);
  const suggestions = [...new Set(given.slice(0, 3).flatMap((c) => closestNames(c, known)))].slice(0, 5);
  return { found: false, tried, suggestions };
}

/** A workload or a metric name carrying the name, taken for the service's own when nothing else names it. */
function promoted(s: Sighting): Sighting {
  return s.match === 'related' || s.match === 'named' ? { ...s, match: 'own' } : s;
}

interface Choice {
  candidate: string;
  service: string;
  sightings: readonly Sighting[];
  promoted: boolean;
  labels: readonly string[];
  mapped: ReturnType<typeof mappingSelectors>;
  sets: readonly Labels[];
  tried: string[];
  queryOptions: QueryOptions;
}

/** The chosen service's profile: its families, stores, callees, what the scan reads, and the notes on how. */
async function found(source: MetricsSource, options: DiscoverOptions, c: Choice): Promise<Discovery> {
  const { service, sightings, labels, queryOptions } = c;
  const profile = buildProfile(service, sightings, labels, options.knownFamilies);
  const dependencies = new Map<string, DependencyProfile>();
  for (const d of dependenciesByName(sightings)) dependencies.set(d.name.toLowerCase(), d);
  for (const m of mappedDependencies(c.mapped, c.sets, service)) dependencies.set(m.name.toLowerCase(), m);
  const notes: string[] = [];
  const callees = profile.callees.filter((x) => !dependencies.has(x.toLowerCase())).slice(0, MAX_CALLEES);
  const targets = exporterTargets(sightings);
  const queues = queuesOf(sightings);
  let queueSources: ScanSource[] = [];
  if (callees.length > 0 || targets.size > 0 || queues.size > 0) {
    const followUp = await source.series(
      [
        ...(callees.length > 0 ? labels.map((l) => regexMatcher(l, tokenPattern(callees))) : []),
        ...[...targets.values()].map(selectorText),
        ...[...queues.values()].map(selectorText),
      ],
      options.window,
      queryOptions,
    );
    queueSources = queueScanSources(queues, followUp, profile.families);
    for (const d of calleeExporters(followUp, callees, labels))
      if (!dependencies.has(d.name.toLowerCase())) dependencies.set(d.name.toLowerCase(), d);
    for (const [name, selector] of targets) {
      const dependency = dependencies.get(name.toLowerCase());
      if (dependency) dependencies.set(name.toLowerCase(), withExporterFamilies(dependency, selector, followUp));
    }
  }
  if (c.candidate.toLowerCase() !== service.toLowerCase())
    notes.push(`"${c.candidate}" is an alias of ${service} in the service mappings.`);
  const named = sightings.find((s) => s.match === 'exact') ?? sightings.find((s) => isOwnMatch(s.match));
  if (named && named.match !== 'exact') {
    const how =
      named.label === '__name__' ? `by its metrics' names (${named.value})` : `as ${named.label}="${named.value}"`;
    notes.push(
      c.promoted
        ? `No series carries ${service} as its own name; it was found ${how}, which is read as ${service}.`
        : `${service} was found in Prometheus ${how}.`,
    );
  }
  if (dependencies.size > 0)
    notes.push(
      `Data stores and peers tied to ${service}: ${[...dependencies.values()].map((d) => d.name).join(', ')}.`,
    );
  const deps = [...dependencies.values()];
  const scan = [...scanSources(sightings, profile.families, deps), ...queueSources];
  return {
    found: true,
    profile: { ...profile, dependencies: deps, ...(scan.length ? { scan } : {}) },
    tried: c.tried,
    notes,
  };
}

/** What the scan reads besides the service's own families: related workloads, stores, families named after it. */
function scanSources(
  sightings: readonly Sighting[],
  own: ReadonlyMap<string, unknown>,
  dependencies: readonly DependencyProfile[],
): ScanSource[] {
  const out = new Map<string, { entity: string; via: ScanSource['via']; selector: Selector; families: Set<string> }>();
  const add = (entity: string, via: ScanSource['via'], selector: Selector, family: string) => {
    const key = JSON.stringify(selector);
    const entry = out.get(key) ?? { entity, via, selector, families: new Set<string>() };
    entry.families.add(family);
    out.set(key, entry);
  };
  for (const s of sightings) {
    const family = s.series.__name__;
    if (!family) continue;
    if (s.match === 'related') add(s.value, 'related', [{ label: s.label, value: s.value }], family);
    if (s.match === 'named' && !own.has(family)) add(family, 'name', [], family);
  }
  for (const d of dependencies) {
    for (const [family, selectors] of d.families) {
      const selector = selectors[0];
      if (selector) add(d.name, 'dependency', selector, family);
    }
  }
  return [...out.values()].map((e) => ({ ...e, families: [...e.families] }));
}

const MATCH_RANK: Record<NameMatch | 'named', number> = { exact: 0, own: 1, dependency: 2, related: 3, named: 4 };
/** The service's families (selectors best first), the labels they carry, and the peers it calls. */
function buildProfile(
  service: string,
  sightings: readonly Sighting[],
  labels: readonly string[],
  knownFamilies: ReadonlySet<string> | undefined,
): ServiceProfile {
  const exporters = exporterProcesses(sightings);
  const own = sightings.filter(
    (s) => isOwnMatch(s.match) && !(EXPORTER_OWN.test(s.series.__name__ ?? '') && exporters.has(targetOf(s.series))),
  );
  const ranked = new Map<string, { selector: Selector; rank: number }[]>();
  const labelValues = new Map<string, Map<string, Set<string>>>();
  const callees = new Set<string>();
  for (const s of own) {
    const family = s.series.__name__;
    if (!family) continue;
    // A family named after the service is selected by its name alone (no matcher): after every label's selector.
    const byName = s.label === '__name__';
    const rank = byName ? labels.length * 2 + MATCH_RANK.named : labels.indexOf(s.label) * 2 + MATCH_RANK[s.match];
    const selector: Selector = byName ? [] : [{ label: s.label, value: s.value }];
    const list = ranked.get(family) ?? [];
    if (!list.some((e) => e.selector[0]?.label === selector[0]?.label && e.selector[0]?.value === selector[0]?.value)) {
      list.push({ selector, rank });
      ranked.set(family, list);
    }
    const byLabel = labelValues.get(family) ?? new Map<string, Set<string>>();
    for (const [name, value] of Object.entries(s.series)) {
      if (name === '__name__') continue;
      const values = byLabel.get(name) ?? new Set<string>();
      if (values.size < MAX_VALUES) values.add(value);
      byLabel.set(name, values);
    }
    labelValues.set(family, byLabel);
    for (const peer of peersOf(family, s)) if (peer.toLowerCase() !== service.toLowerCase()) callees.add(peer);
  }
  const families = new Map<string, Selector[]>();
  for (const [family, list] of ranked)
    families.set(
      family,
      list.sort((a, b) => a.rank - b.rank).map((e) => e.selector),
    );
  const profile: ServiceProfile = {
    name: service,
    service,
    families,
    labels: labelValues,
    dependencies: [],
    callees: [...callees],
  };
  const inferred = inferVariants(profile, knownFamilies ?? new Set());
  return inferred.size > 0 ? { ...profile, inferred } : profile;
}

/** Peers a series of the service shows it calling. */
