import type { ServiceMapping } from '../signals/schema.js';
import { isOwnMatch, matchName, type NameMatch } from './service-names.js';
import type { DependencyProfile, LabelMatch, ScanSource, Selector } from './service-profile.js';

// What a service depends on: its data stores, the peers its clients call, their exporters and its queues.

/** Labels of the service's own client or mesh series that name the peer it calls. */
const CLIENT_PEER_LABELS = ['server_address', 'net_peer_name', 'peer_service', 'client_name'];
const CLIENT_FAMILY = /(?:^|_)client_|outbound|^redis_|^mongodb_driver|^pgxpool|^go_sql/;
/** Labels that say the series is the service's own outbound call in a mesh, with the peer's label. */
const CALLER_SIDE: ReadonlyArray<readonly [string, readonly string[]]> = [
  ['source_workload', ['destination_workload', 'destination_service_name']],
  ['source_app', ['destination_workload', 'destination_service_name']],
];

export type Labels = Record<string, string>;

export interface Sighting {
  series: Labels;
  label: string;
  value: string;
  /** How the value relates to the candidate; `named` for a metric name carrying it (`acme_billing_jobs_total`). */
  match: NameMatch | 'named';
}

export function peersOf(family: string, s: Sighting): string[] {
  const peers: string[] = [];
  if (CLIENT_FAMILY.test(family)) {
    for (const l of CLIENT_PEER_LABELS) {
      const v = s.series[l];
      if (v) peers.push(hostOf(v));
    }
  }
  for (const [side, peerLabels] of CALLER_SIDE) {
    if (s.label !== side) continue;
    for (const l of peerLabels) {
      const v = s.series[l];
      if (v && v !== 'unknown') peers.push(v);
    }
  }
  if (s.series.direction === 'outbound') {
    for (const l of ['dst_deployment', 'dst_service']) {
      const v = s.series[l];
      if (v) peers.push(v);
    }
  }
  return peers.filter((p) => /[a-z]/i.test(p));
}

/**
 * The peer a client label names: `carts-redis.shop.svc.cluster.local:6379` and `carts-redis.shop` are `carts-redis`
 * (cluster names), while an outside host such as `api.carrier.example` stays whole.
 */
function hostOf(value: string): string {
  const host = value.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '').replace(/[:/].*$/, '');
  if (/^\d+(?:\.\d+){3}$/.test(host)) return host;
  const labels = host.split('.');
  const inCluster = /\.svc(?:\.cluster\.local)?$|\.cluster\.local$/.test(host) || labels.length === 2;
  return inCluster ? (labels[0] ?? host) : host;
}

/** Data stores named after the service (`carts-redis`, `datname="carts"`), one profile per value. */
export function dependenciesByName(sightings: readonly Sighting[]): DependencyProfile[] {
  const byValue = new Map<string, Map<string, Selector[]>>();
  for (const s of sightings) {
    if (s.match !== 'dependency') continue;
    const family = s.series.__name__;
    if (!family) continue;
    const name = dependencyName(s);
    const families = byValue.get(name) ?? new Map<string, Selector[]>();
    const list = families.get(family) ?? [];
    if (!list.some((sel) => sel[0]?.label === s.label && sel[0]?.value === s.value))
      list.push([{ label: s.label, value: s.value }]);
    families.set(family, list);
    byValue.set(name, families);
  }
  return [...byValue].map(([name, families]) => ({ name, families, via: 'name' as const }));
}

function dependencyName(s: Sighting): string {
  if (s.label === 'datname' || s.label === 'database') return `${s.value} database`;
  if (s.label === 'consumergroup' || s.label === 'group_id') return `${s.value} consumer group`;
  if (s.label === 'queue') return `${s.value} queue`;
  return hostOf(s.value);
}

/** Dependencies a mapping names, with the families Prometheus has for their matchers. */
export function mappedDependencies(
  mapped: ReturnType<typeof mappingSelectors>,
  sets: readonly Labels[],
  service: string,
): DependencyProfile[] {
  return mapped
    .filter((m) => m.service.toLowerCase() === service.toLowerCase())
    .map((m) => {
      const families = new Map<string, Selector[]>();
      for (const series of sets) {
        const family = series.__name__;
        if (family && m.selector.every((x) => series[x.label] === x.value)) families.set(family, [m.selector]);
      }
      return { name: m.name, families, via: 'mapping' as const };
    });
}

/**
 * The exporter target (`job` and `instance`) behind a store tied by its database or pool name: the exporter's own
 * series (`pg_up`, `pg_settings_max_connections`) carry no `datname`, yet say whether that store is up.
 */
export function exporterTargets(sightings: readonly Sighting[]): Map<string, Selector> {
  const out = new Map<string, Selector>();
  for (const s of sightings) {
    if (s.match !== 'dependency' || (s.label !== 'datname' && s.label !== 'database')) continue;
    const { job, instance } = s.series;
    const name = dependencyName(s);
    if (job && instance && !out.has(name))
      out.set(name, [
        { label: 'job', value: job },
        { label: 'instance', value: instance },
      ]);
  }
  return out;
}

/** Families every Go or Python client library writes about its own process. */
export const EXPORTER_OWN = /^(?:process_|go_|promhttp_|python_gc_|python_info)/;

export function targetOf(series: Labels): string {
  return `${series.job ?? ''}|${series.instance ?? ''}`;
}

/**
 * The scrape targets that are exporters (`node_exporter_build_info`, `apache_exporter_build_info`): their process
 * and runtime families describe the exporter, not the service it watches (node_exporter's own resident memory is
 * flat while the host runs out of memory).
 */
export function exporterProcesses(sightings: readonly Sighting[]): Set<string> {
  const out = new Set<string>();
  for (const s of sightings) if (/_exporter_build_info$/.test(s.series.__name__ ?? '')) out.add(targetOf(s.series));
  return out;
}

/** Labels of the service's own series that name the queue or topic its work comes from (Celery, Sidekiq, Kafka). */
const QUEUE_LABELS = ['queue', 'queue_name', 'topic'];
const MAX_QUEUES = 5;
/**
 * The queues the service's own series name (`celery_task_received_total{hostname="billing-worker-…",
 * queue_name="invoices"}`): the queue's own series elsewhere (`celery_queue_length{queue_name="invoices"}`, a
 * broker exporter's depth) are the service's backlog, read by the scan.
 */
export function queuesOf(sightings: readonly Sighting[]): Map<string, Selector> {
  const out = new Map<string, Selector>();
  for (const s of sightings) {
    if (!isOwnMatch(s.match)) continue;
    for (const label of QUEUE_LABELS) {
      const value = s.series[label];
      if (value && out.size < MAX_QUEUES) out.set(`${label}=${value}`, [{ label, value }]);
    }
  }
  return out;
}

/** The families of each queue found in the follow-up request that are not the service's own already. */
export function queueScanSources(
  queues: ReadonlyMap<string, Selector>,
  sets: readonly Labels[],
  own: ReadonlyMap<string, unknown>,
): ScanSource[] {
  return [...queues.values()].flatMap((selector) => {
    const families = new Set<string>();
    for (const series of sets) {
      const family = series.__name__;
      if (family && !own.has(family) && selector.every((m) => series[m.label] === m.value)) families.add(family);
    }
    const m = selector[0];
    return families.size && m
      ? [{ entity: `${m.label} ${m.value}`, via: 'dependency' as const, selector, families: [...families] }]
      : [];
  });
}

/** A dependency with its exporter's own families added (those it does not already have by name). */
export function withExporterFamilies(
  dependency: DependencyProfile,
  selector: Selector,
  sets: readonly Labels[],
): DependencyProfile {
  const families = new Map(dependency.families);
  for (const series of sets) {
    const family = series.__name__;
    if (family && !families.has(family) && selector.every((m) => series[m.label] === m.value))
      families.set(family, [selector]);
  }
  return { ...dependency, families };
}

/** The exporters (and own metrics) of the peers the service calls, from the follow-up series request. */
export function calleeExporters(
  sets: readonly Labels[],
  callees: readonly string[],
  labels: readonly string[],
): DependencyProfile[] {
  const out: DependencyProfile[] = [];
  for (const callee of callees) {
    const families = new Map<string, Selector[]>();
    for (const series of sets) {
      const family = series.__name__;
      if (!family) continue;
      for (const label of labels) {
        const value = series[label];
        if (value === undefined || !isOwnMatch(matchName(callee, value))) continue;
        const list = families.get(family) ?? [];
        if (!list.some((sel) => sel[0]?.label === label && sel[0]?.value === value)) list.push([{ label, value }]);
        families.set(family, list);
      }
    }
    if (families.size > 0) out.push({ name: callee, families, via: 'calls' });
  }
  return out;
}

export function mappingSelectors(mappings: readonly ServiceMapping[], names: readonly string[]) {
  const wanted = new Set(names.map((n) => n.toLowerCase()));
  return mappings
    .filter((m) => [m.service, ...(m.aliases ?? [])].some((n) => wanted.has(n.toLowerCase())))
    .flatMap((m) =>
      (m.dependencies ?? []).map((d) => ({
        service: m.service,
        name: d.name,
        selector: Object.entries(d.match).map(([label, value]): LabelMatch => ({ label, value })),
      })),
    );
}
