/**
 * Proxies and meshes in front of (or beside) a service, each a scrape target of its own: Traefik, standalone Envoy,
 * Contour's Envoy, HAProxy's built-in exporter (promex), Kong's Prometheus plugin, the Linkerd proxy (inbound and
 * outbound), and Istio sidecars of the callers of a service that has no sidecar itself (reporter="source").
 *
 * Names, labels, units and buckets follow /work/research/http.md (sourced from each project's code). A proxy sees
 * every request the application answers (`served`) and answers the ones it cannot deliver itself (`failed`: a crashed
 * pod still in the endpoints, a request in flight at a crash, no endpoints at all) with its own status.
 */
import type { Labels } from '../../support/prometheus/openmetrics-writer.js';
import { type HandleCache, TimedAccumulator } from './accumulators.js';
import { NODES, randomString, runAt, templateHash } from './cluster.js';
import type { Edge, EdgeFailure } from './emit-edge.js';
import { hash32, type Noise, seededRandom } from './noise.js';
import { scrapedAt } from './simulate.js';
import { BUCKETS, type Latency } from './stats.js';
import type { EdgeFactory, Pod, PodContext, ServiceModel } from './types.js';

/** One pod of a proxy deployment (its own scrape target). */
export interface ProxyPod {
  name: string;
  ip: string;
  node: string;
  /** Scrape phase within the minute (multiple of 5 s) and sub-second offset (ms). */
  phase: number;
  ms: number;
}

const POD_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** Deterministic pods of a proxy deployment, unique per scenario (`seed`) so scenarios never share a series. */
export function proxyPods(seed: string, deployment: string, count: number, daemonSet = false): ProxyPod[] {
  const rand = seededRandom(hash32(`proxy:${seed}:${deployment}`));
  const hash = templateHash(`${seed}:${deployment}`);
  return Array.from({ length: count }, () => {
    const node = NODES[Math.floor(rand() * NODES.length)] ?? { name: 'node', ip: '10.0.0.1' };
    const suffix = randomString(rand, POD_ALPHABET, 5);
    return {
      name: daemonSet ? `${deployment}-${suffix}` : `${deployment}-${hash}-${suffix}`,
      ip: `10.42.${50 + Math.floor(rand() * 40)}.${2 + Math.floor(rand() * 250)}`,
      node: node.name,
      phase: 5 * Math.floor(rand() * 12),
      ms: 1 + Math.floor(rand() * 997),
    };
  });
}

/** Milliseconds buckets of Envoy's histograms (also Istio's). */
const ENVOY_MS = BUCKETS.istioMs;
/** Traefik's default request-duration buckets (seconds). */
const TRAEFIK_S = [0.1, 0.3, 1.2, 5] as const;
/** Kong's kong_request_latency_ms / kong_upstream_latency_ms buckets, and kong_kong_latency_ms's. */
const KONG_MS = [25, 50, 80, 100, 250, 400, 700, 1000, 2000, 5000, 10000, 30000, 60000] as const;
const KONG_OWN_MS = [1, 2, 5, 7, 10, 15, 20, 30, 50, 75, 100, 200, 500, 750, 1000, 3000, 6000] as const;
/** linkerd2-proxy's legacy response_latency_ms buckets. */
const LINKERD_MS = [
  1, 2, 3, 4, 5, 10, 20, 30, 40, 50, 100, 200, 300, 400, 500, 1000, 2000, 3000, 4000, 5000, 10000, 20000, 30000, 40000,
  50000,
] as const;

/** Observations keyed by a string, with the fields that make the key. */
class Book<F> {
  readonly entries = new Map<string, { fields: F; acc: TimedAccumulator }>();

  readonly bounds: readonly number[];
  readonly scale: number;

  constructor(bounds: readonly number[], scale: number) {
    this.bounds = bounds;
    this.scale = scale;
  }

  add(key: string, fields: F, n: number, latency: Latency): void {
    if (n <= 0) return;
    let entry = this.entries.get(key);
    if (!entry) {
      entry = { fields, acc: new TimedAccumulator(this.bounds) };
      this.entries.set(key, entry);
    }
    entry.acc.observe(n, latency, this.scale);
  }
}

interface Sum {
  count: number;
  sum: number;
  cumulative: number[];
}

function total(accs: readonly TimedAccumulator[], buckets: number): Sum {
  const cumulative = new Array<number>(buckets).fill(0);
  let count = 0;
  let sum = 0;
  for (const acc of accs) {
    count += acc.shownCount;
    sum += acc.sum;
    acc.bucketCounts().forEach((c, i) => {
      cumulative[i] = (cumulative[i] ?? 0) + c;
    });
  }
  return { count, sum: Math.round(sum * 1e3) / 1e3, cumulative };
}

function declare(
  handles: HandleCache,
  families: ReadonlyArray<readonly [string, 'counter' | 'gauge' | 'histogram' | 'unknown', string]>,
) {
  for (const [name, type, help] of families) handles.writer.declare({ name, type, help });
}

/** The share of traffic proxy pod i of n takes at t. */
function split(noise: Noise, name: string, i: number, n: number, t: number): number {
  if (n <= 1) return 1;
  const w = (k: number) => 1 + 0.06 * noise.smooth(`${name}:${k}`, t, 600);
  let s = 0;
  for (let k = 0; k < n; k++) s += w(k);
  return w(i) / s;
}

/** The pods that are endpoints of the Service at t (process up and ready). */
function readyPods(model: ServiceModel, t: number): Pod[] {
  return model.pods.filter((p) => {
    const run = runAt(p, t);
    return run !== undefined && t >= run.start + p.readySeconds;
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Traefik (v2/v3): per-service and per-entrypoint counters and histograms.

interface TraefikOptions {
  /** The Service port in the Ingress (part of the service label). */
  port: number;
  replicas?: number;
}

/**
 * Traefik's Kubernetes Ingress provider: `service="<ns>-<svc>-<port>@kubernetes"`. No retry middleware, so a request
 * sent to a crashed pod still in the endpoints is a 502 (connection refused), as is one in flight at a crash.
 */
export function traefikEdge(options: TraefikOptions): EdgeFactory {
  return (model, handles, noise) => {
    declare(handles, [
      [
        'traefik_service_requests',
        'counter',
        'How many HTTP requests processed on a service, partitioned by status code, protocol, and method.',
      ],
      [
        'traefik_service_request_duration_seconds',
        'histogram',
        'How long it took to process the request on a service, partitioned by status code, protocol, and method.',
      ],
      [
        'traefik_entrypoint_requests',
        'counter',
        'How many HTTP requests processed on an entrypoint, partitioned by status code, protocol, and method.',
      ],
      [
        'traefik_entrypoint_request_duration_seconds',
        'histogram',
        'How long it took to process the request on an entrypoint, partitioned by status code, protocol, and method.',
      ],
      ['traefik_service_server_up', 'gauge', 'service server is up, described by gauge value of 0 or 1.'],
    ]);
    const pods = proxyPods(model.seed, 'traefik', options.replicas ?? 2);
    const book = new Book<{ proxy: number; method: string; code: number }>(TRAEFIK_S, 1);
    const service = `${model.namespace}-${model.service}-${options.port}@kubernetes`;
    const record = (method: string, code: number, n: number, latency: Latency, t: number) => {
      pods.forEach((_, i) => {
        book.add(
          `${i} ${method} ${code}`,
          { proxy: i, method, code },
          n * split(noise, 'traefik', i, pods.length, t),
          latency,
        );
      });
    };
    return {
      served: (_pod, method, code, n, latency, t) =>
        record(method, code, n, { ...latency, median: latency.median + 0.0007 }, t),
      failed: (_pod, method, kind, n, t) => {
        if (n <= 0) return;
        if (kind === 'no-endpoints') record(method, 503, n, { median: 0.0003, sigma: 0.3 }, t);
        else if (kind === 'blackhole') record(method, 502, n, { median: 0.0012, sigma: 0.4 }, t);
        else record(method, 502, n, { median: 0.8, sigma: 0.8 }, t);
      },
      scrape: (t) => {
        pods.forEach((p, i) => {
          if (!scrapedAt(p.phase, t)) return;
          const ts = t - p.ms / 1000;
          const target = { job: 'kubernetes-pods', instance: `${p.ip}:9100`, namespace: 'traefik', pod: p.name };
          handles.series('up', 'up', `traefik|${p.name}`, () => target).add(ts, 1);
          for (const [key, { fields, acc }] of book.entries) {
            if (fields.proxy !== i || acc.shownCount < 1) continue;
            const base = { code: String(fields.code), method: fields.method, protocol: 'http' };
            const svc = (): Labels => ({ ...target, ...base, service });
            const ep = (): Labels => ({ ...target, ...base, entrypoint: 'websecure' });
            const data = {
              cumulative: acc.bucketCounts(),
              sum: Math.round(acc.sum * 1e6) / 1e6,
              count: acc.shownCount,
            };
            handles
              .series('traefik_service_requests', 'traefik_service_requests_total', key, svc)
              .add(ts, acc.shownCount);
            handles.histogram('traefik_service_request_duration_seconds', key, svc, TRAEFIK_S).add(ts, data);
            handles
              .series('traefik_entrypoint_requests', 'traefik_entrypoint_requests_total', key, ep)
              .add(ts, acc.shownCount);
            handles.histogram('traefik_entrypoint_request_duration_seconds', key, ep, TRAEFIK_S).add(ts, data);
          }
          for (const pod of readyPods(model, t)) {
            const url = `http://${pod.ip}:${model.scrape.port}`;
            handles
              .series('traefik_service_server_up', 'traefik_service_server_up', `${p.name}|${url}`, () => ({
                ...target,
                service,
                url,
              }))
              .add(ts, 1);
          }
        });
      },
    } satisfies Edge;
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Envoy (standalone front proxy, or Contour's Envoy): per upstream cluster stats from /stats/prometheus.

interface EnvoyOptions {
  /** The `envoy_cluster_name` tag: the cluster name, or Contour's alt_stat_name `<ns>_<svc>_<port>`. */
  clusterName: string;
  /** Scrape target of the Envoy pods. */
  job: string;
  namespace: string;
  deployment: string;
  adminPort: number;
  /** The HCM stat prefix of the listener. */
  connManagerPrefix: string;
  replicas?: number;
  /** Envoy as a DaemonSet (Contour's default): pods named `<name>-<suffix>`. */
  daemonSet?: boolean;
}

/**
 * Envoy's cluster stats. The exporter adds no `_total`: `upstream_rq_total` has "total" in its own name, while
 * `upstream_rq` (by code) and `upstream_rq_xx` (by class digit) are counters without a suffix, written here as
 * `unknown`-typed families so the sample names stay exactly what Envoy exposes.
 */
export function envoyEdge(options: EnvoyOptions): EdgeFactory {
  return (model, handles, noise) => {
    declare(handles, [
      ['envoy_cluster_upstream_rq_total', 'unknown', 'Total requests'],
      ['envoy_cluster_upstream_rq', 'unknown', 'Upstream requests by response code'],
      ['envoy_cluster_upstream_rq_xx', 'unknown', 'Upstream requests by response code class'],
      ['envoy_cluster_upstream_rq_completed', 'unknown', 'Total upstream requests completed'],
      ['envoy_cluster_upstream_cx_connect_fail', 'unknown', 'Total connection failures'],
      ['envoy_cluster_upstream_rq_time', 'histogram', 'Upstream request time (ms)'],
      [
        'envoy_cluster_membership_healthy',
        'gauge',
        'Current cluster healthy total (inclusive of both health checking and outlier detection)',
      ],
      ['envoy_cluster_membership_total', 'gauge', 'Current cluster membership total'],
      ['envoy_http_downstream_rq_total', 'unknown', 'Total requests'],
      ['envoy_http_downstream_rq_xx', 'unknown', 'Downstream requests by response code class'],
      ['envoy_http_downstream_rq_time', 'histogram', 'Total time for request and response (ms)'],
    ]);
    const pods = proxyPods(model.seed, options.deployment, options.replicas ?? 2, options.daemonSet ?? false);
    // upstream: the app's answers and Envoy's own failures after a connection attempt; local: no healthy upstream.
    const book = new Book<{ proxy: number; code: number; upstream: boolean; connectFail: boolean }>(ENVOY_MS, 1000);
    const record = (code: number, n: number, latency: Latency, t: number, upstream = true, connectFail = false) => {
      pods.forEach((_, i) => {
        book.add(
          `${i} ${code} ${upstream} ${connectFail}`,
          { proxy: i, code, upstream, connectFail },
          n * split(noise, options.deployment, i, pods.length, t),
          latency,
        );
      });
    };
    const cluster = { envoy_cluster_name: options.clusterName };
    const hcm = { envoy_http_conn_manager_prefix: options.connManagerPrefix };
    return {
      served: (_pod, _method, code, n, latency, t) =>
        record(code, n, { ...latency, median: latency.median + 0.0004 }, t),
      failed: (_pod, _method, kind, n, t) => {
        if (n <= 0) return;
        // 503 in every case: UF (connection refused), UC (reset mid-request), UH (no healthy upstream).
        if (kind === 'no-endpoints') record(503, n, { median: 0.0002, sigma: 0.3 }, t, false);
        else if (kind === 'blackhole') record(503, n, { median: 0.0011, sigma: 0.4 }, t, true, true);
        else record(503, n, { median: 0.8, sigma: 0.8 }, t);
      },
      scrape: (t) => {
        pods.forEach((p, i) => {
          if (!scrapedAt(p.phase, t)) return;
          const ts = t - p.ms / 1000;
          const target = {
            job: options.job,
            instance: `${p.ip}:${options.adminPort}`,
            namespace: options.namespace,
            pod: p.name,
          };
          const id = `${p.name}|${options.clusterName}`;
          const put = (family: string, key: string, labels: Labels, value: number) =>
            handles.series(family, family, `${id}|${key}`, () => ({ ...target, ...labels })).add(ts, value);
          handles.series('up', 'up', `envoy|${p.name}`, () => target).add(ts, 1);
          const mine = [...book.entries.values()].filter((e) => e.fields.proxy === i);
          const upstream = mine.filter((e) => e.fields.upstream);
          const byCode = new Map<number, TimedAccumulator[]>();
          for (const e of mine) byCode.set(e.fields.code, [...(byCode.get(e.fields.code) ?? []), e.acc]);
          const byClass = new Map<string, number>();
          for (const [code, accs] of byCode) {
            const n = total(accs, ENVOY_MS.length).count;
            if (n < 1) continue;
            put('envoy_cluster_upstream_rq', String(code), { ...cluster, envoy_response_code: String(code) }, n);
            const cls = String(code)[0] ?? '5';
            byClass.set(cls, (byClass.get(cls) ?? 0) + n);
          }
          for (const [cls, n] of byClass) {
            put('envoy_cluster_upstream_rq_xx', `c${cls}`, { ...cluster, envoy_response_code_class: cls }, n);
            put('envoy_http_downstream_rq_xx', `d${cls}`, { ...hcm, envoy_response_code_class: cls }, n);
          }
          const sent = total(
            upstream.map((e) => e.acc),
            ENVOY_MS.length,
          );
          const answered = total(
            upstream.filter((e) => !e.fields.connectFail).map((e) => e.acc),
            ENVOY_MS.length,
          );
          const all = total(
            mine.map((e) => e.acc),
            ENVOY_MS.length,
          );
          put('envoy_cluster_upstream_rq_total', 'total', cluster, sent.count);
          put('envoy_cluster_upstream_rq_completed', 'completed', cluster, answered.count);
          put('envoy_cluster_upstream_cx_connect_fail', 'cxfail', cluster, sent.count - answered.count);
          put('envoy_http_downstream_rq_total', 'dtotal', hcm, all.count);
          handles
            .histogram('envoy_cluster_upstream_rq_time', `${id}|time`, () => ({ ...target, ...cluster }), ENVOY_MS)
            .add(ts, answered);
          handles
            .histogram('envoy_http_downstream_rq_time', `${id}|dtime`, () => ({ ...target, ...hcm }), ENVOY_MS)
            .add(ts, all);
          const members = model.pods.filter((pod) => t >= pod.created && t < pod.deleted);
          put('envoy_cluster_membership_total', 'members', cluster, members.length);
          put('envoy_cluster_membership_healthy', 'healthy', cluster, readyPods(model, t).length);
        });
      },
    } satisfies Edge;
  };
}

// ---------------------------------------------------------------------------------------------------------------
// HAProxy built-in exporter (promex).

interface HaproxyOptions {
  /** The backend name: `be_<svc>` or the service name itself. */
  backend: string;
  frontend: string;
  replicas?: number;
}

function haproxyClass(code: number): string {
  if (code >= 100 && code < 600) return `${String(code)[0]}xx`;
  return 'other';
}

/**
 * promex per backend and per server: `haproxy_backend_http_responses_total{proxy,code="5xx"}` (classes only), the
 * response-time average over the last 1024 responses (seconds), the maximum ever seen, server states.
 */
export function haproxyEdge(options: HaproxyOptions): EdgeFactory {
  return (model, handles, noise) => {
    declare(handles, [
      ['haproxy_backend_http_responses', 'counter', 'Total number of HTTP responses.'],
      ['haproxy_backend_http_requests', 'counter', 'Total number of HTTP requests received.'],
      ['haproxy_frontend_http_responses', 'counter', 'Total number of HTTP responses.'],
      ['haproxy_frontend_http_requests', 'counter', 'Total number of HTTP requests received.'],
      ['haproxy_server_http_responses', 'counter', 'Total number of HTTP responses.'],
      [
        'haproxy_backend_response_time_average_seconds',
        'gauge',
        'Avg. response time for last 1024 successful connections.',
      ],
      [
        'haproxy_backend_max_response_time_seconds',
        'gauge',
        'Maximum observed time spent waiting for a server response.',
      ],
      ['haproxy_backend_status', 'gauge', 'Current status of the service.'],
      ['haproxy_backend_active_servers', 'gauge', 'Current number of active servers.'],
      ['haproxy_backend_current_queue', 'gauge', 'Number of current queued connections.'],
      ['haproxy_server_status', 'gauge', 'Current status of the service, per state label value.'],
    ]);
    const pods = proxyPods(model.seed, 'haproxy', options.replicas ?? 2);
    const book = new Book<{ proxy: number; server: string; code: number }>([], 1);
    const last = new Map<number, { count: number; sum: number; avg: number }>();
    const maxSeen = new Map<number, number>();
    const server = (pod: Pod | undefined) => (pod ? `srv${pod.slot + 1}` : '');
    const record = (pod: Pod | undefined, code: number, n: number, latency: Latency, t: number) => {
      pods.forEach((_, i) => {
        const s = server(pod);
        book.add(
          `${i} ${s} ${code}`,
          { proxy: i, server: s, code },
          n * split(noise, 'haproxy', i, pods.length, t),
          latency,
        );
      });
    };
    const states = ['UP', 'DOWN', 'MAINT', 'DRAIN', 'NOLB'] as const;
    const classes = ['1xx', '2xx', '3xx', '4xx', '5xx', 'other'] as const;
    return {
      served: (pod, _method, code, n, latency, t) =>
        record(pod, code, n, { ...latency, median: latency.median + 0.0003 }, t),
      failed: (pod, _method, kind, n, t) => {
        if (n <= 0) return;
        // A refused connection is retried and redispatched; with nowhere left to go HAProxy answers 503.
        if (kind === 'inflight') record(pod, 502, n, { median: 0.8, sigma: 0.8 }, t);
        else record(undefined, 503, n, { median: 0.003, sigma: 0.4 }, t);
      },
      scrape: (t) => {
        pods.forEach((p, i) => {
          if (!scrapedAt(p.phase, t)) return;
          const ts = t - p.ms / 1000;
          const target = { job: 'haproxy', instance: `${p.ip}:8405`, namespace: 'lb', pod: p.name };
          const put = (family: string, sample: string, key: string, labels: Labels, value: number) =>
            handles.series(family, sample, `${p.name}|${key}`, () => ({ ...target, ...labels })).add(ts, value);
          handles.series('up', 'up', `haproxy|${p.name}`, () => target).add(ts, 1);
          const mine = [...book.entries.values()].filter((e) => e.fields.proxy === i);
          const be = { proxy: options.backend };
          const fe = { proxy: options.frontend };
          let requests = 0;
          for (const cls of classes) {
            const n = mine.filter((e) => haproxyClass(e.fields.code) === cls).reduce((s, e) => s + e.acc.shownCount, 0);
            requests += n;
            put(
              'haproxy_backend_http_responses',
              'haproxy_backend_http_responses_total',
              `be${cls}`,
              { ...be, code: cls },
              n,
            );
            put(
              'haproxy_frontend_http_responses',
              'haproxy_frontend_http_responses_total',
              `fe${cls}`,
              { ...fe, code: cls },
              n,
            );
          }
          put('haproxy_backend_http_requests', 'haproxy_backend_http_requests_total', 'bereq', be, requests);
          put('haproxy_frontend_http_requests', 'haproxy_frontend_http_requests_total', 'fereq', fe, requests);
          const servers = [...new Set(model.pods.map((pod) => server(pod)))].sort();
          for (const s of servers) {
            for (const cls of classes) {
              const n = mine
                .filter((e) => e.fields.server === s && haproxyClass(e.fields.code) === cls)
                .reduce((sum, e) => sum + e.acc.shownCount, 0);
              put(
                'haproxy_server_http_responses',
                'haproxy_server_http_responses_total',
                `${s}${cls}`,
                { ...be, server: s, code: cls },
                n,
              );
            }
          }
          // Average of the last 1024 responses: at these rates, about the responses since the previous scrape.
          const ok = mine.filter((e) => e.fields.server !== '');
          const count = ok.reduce((s, e) => s + e.acc.count, 0);
          const sum = ok.reduce((s, e) => s + e.acc.sum, 0);
          const prev = last.get(i) ?? { count: 0, sum: 0, avg: 0 };
          const avg = count - prev.count >= 1 ? (sum - prev.sum) / (count - prev.count) : prev.avg;
          last.set(i, { count, sum, avg });
          put(
            'haproxy_backend_response_time_average_seconds',
            'haproxy_backend_response_time_average_seconds',
            'avg',
            be,
            Math.round(avg * 1000) / 1000,
          );
          const windowMax = Math.max(0, ...ok.map((e) => e.acc.windowMax));
          for (const e of ok) e.acc.windowMax = 0;
          const max = Math.max(maxSeen.get(i) ?? 0, Math.min(windowMax, 60));
          maxSeen.set(i, max);
          put(
            'haproxy_backend_max_response_time_seconds',
            'haproxy_backend_max_response_time_seconds',
            'max',
            be,
            Math.round(max * 1000) / 1000,
          );
          const up = new Set(readyPods(model, t).map((pod) => server(pod)));
          for (const s of servers) {
            for (const state of states) {
              const current = up.has(s) ? 'UP' : 'DOWN';
              put(
                'haproxy_server_status',
                'haproxy_server_status',
                `st${s}${state}`,
                { ...be, server: s, state },
                state === current ? 1 : 0,
              );
            }
          }
          put('haproxy_backend_active_servers', 'haproxy_backend_active_servers', 'active', be, up.size);
          put('haproxy_backend_current_queue', 'haproxy_backend_current_queue', 'queue', be, 0);
          for (const state of ['UP', 'DOWN'] as const) {
            put(
              'haproxy_backend_status',
              'haproxy_backend_status',
              `bs${state}`,
              { ...be, state },
              up.size > 0 === (state === 'UP') ? 1 : 0,
            );
          }
        });
      },
    } satisfies Edge;
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Kong 3.x Prometheus plugin (status_code_metrics and latency_metrics on).

interface KongOptions {
  /** The Kong service name (`service` label). */
  service: string;
  /** The Kong route of each application route (`route` label). */
  routeOf: (route: string) => string;
  replicas?: number;
}

export function kongEdge(options: KongOptions): EdgeFactory {
  return (model, handles, noise) => {
    declare(handles, [
      ['kong_http_requests', 'counter', 'HTTP status codes per consumer/service/route in Kong'],
      ['kong_request_latency_ms', 'histogram', 'Total latency incurred during requests for each service/route in Kong'],
      ['kong_upstream_latency_ms', 'histogram', 'Latency added by upstream response for each service/route in Kong'],
      ['kong_kong_latency_ms', 'histogram', 'Latency added by Kong and enabled plugins for each service/route in Kong'],
      ['kong_datastore_reachable', 'gauge', 'Datastore reachable from Kong, 0 is unreachable'],
    ]);
    const pods = proxyPods(model.seed, 'kong-gateway', options.replicas ?? 2);
    const routeByMethod = new Map<string, string>();
    for (const r of model.routes) if (!routeByMethod.has(r.method)) routeByMethod.set(r.method, r.route);
    type F = { proxy: number; route: string; code: number; source: 'service' | 'kong' };
    const book = new Book<F>(KONG_MS, 1000);
    const own = new Book<{ proxy: number; route: string }>(KONG_OWN_MS, 1000);
    const upstream = new Book<{ proxy: number; route: string }>(KONG_MS, 1000);
    const kongLatency: Latency = { median: 0.0018, sigma: 0.45 };
    const record = (
      route: string,
      code: number,
      source: F['source'],
      n: number,
      latency: Latency,
      t: number,
      up: boolean,
    ) => {
      pods.forEach((_, i) => {
        const share = n * split(noise, 'kong', i, pods.length, t);
        book.add(`${i} ${route} ${code} ${source}`, { proxy: i, route, code, source }, share, {
          ...latency,
          median: latency.median + kongLatency.median,
        });
        own.add(`${i} ${route}`, { proxy: i, route }, share, kongLatency);
        if (up) upstream.add(`${i} ${route}`, { proxy: i, route }, share, latency);
      });
    };
    return {
      served: (_pod, method, code, n, latency, t) => {
        // The edge hears (method, code); the route is chosen from the model by the same method.
        const routes = model.routes.filter((r) => r.method === method);
        const weight = routes.reduce((s, r) => s + r.weight, 0);
        for (const r of routes)
          record(options.routeOf(r.route), code, 'service', (n * r.weight) / weight, latency, t, true);
      },
      failed: (_pod, method, kind, n, t) => {
        if (n <= 0) return;
        const route = options.routeOf(routeByMethod.get(method) ?? model.routes[0]?.route ?? '/');
        if (kind === 'no-endpoints') record(route, 503, 'kong', n, { median: 0.0004, sigma: 0.3 }, t, false);
        else record(route, 502, 'kong', n, { median: kind === 'blackhole' ? 0.0012 : 0.8, sigma: 0.6 }, t, false);
      },
      scrape: (t) => {
        pods.forEach((p, i) => {
          if (!scrapedAt(p.phase, t)) return;
          const ts = t - p.ms / 1000;
          const target = { job: 'kong', instance: `${p.ip}:8100`, namespace: 'kong', pod: p.name };
          handles.series('up', 'up', `kong|${p.name}`, () => target).add(ts, 1);
          handles
            .series('kong_datastore_reachable', 'kong_datastore_reachable', `${p.name}|ds`, () => target)
            .add(ts, 1);
          const base = { service: options.service, workspace: 'default' };
          for (const [key, { fields, acc }] of book.entries) {
            if (fields.proxy !== i || acc.shownCount < 1) continue;
            const labels = (): Labels => ({
              ...target,
              ...base,
              route: fields.route,
              code: String(fields.code),
              source: fields.source,
              consumer: '',
            });
            handles.series('kong_http_requests', 'kong_http_requests_total', key, labels).add(ts, acc.shownCount);
          }
          const byRoute = new Map<string, TimedAccumulator[]>();
          for (const { fields, acc } of book.entries.values())
            if (fields.proxy === i) byRoute.set(fields.route, [...(byRoute.get(fields.route) ?? []), acc]);
          for (const [route, accs] of byRoute) {
            const labels = (): Labels => ({ ...target, ...base, route });
            const key = `${p.name}|${route}`;
            handles.histogram('kong_request_latency_ms', key, labels, KONG_MS).add(ts, total(accs, KONG_MS.length));
            const up = upstream.entries.get(`${i} ${route}`);
            if (up && up.acc.shownCount >= 1)
              handles
                .histogram('kong_upstream_latency_ms', key, labels, KONG_MS)
                .add(ts, total([up.acc], KONG_MS.length));
            const k = own.entries.get(`${i} ${route}`);
            if (k)
              handles
                .histogram('kong_kong_latency_ms', key, labels, KONG_OWN_MS)
                .add(ts, total([k.acc], KONG_OWN_MS.length));
          }
        });
      },
    } satisfies Edge;
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Linkerd proxy: inbound requests of the service's pods and their outbound calls, legacy families.

interface LinkerdOptions {
  /** The application port behind the proxy. */
  port: number;
}

function podContext(pod: Pod, t: number, noise: Noise, rps: number): PodContext {
  const run = runAt(pod, t) ?? pod.runs[pod.runs.length - 1] ?? pod.runs[0];
  if (!run) throw new Error(`pod ${pod.name} has no runs`);
  return { t, pod, run, uptime: t - run.start, rps, noise };
}

/**
 * The linkerd-proxy sidecar of each pod, scraped as job "linkerd-proxy" with the `deployment` label linkerd-viz's
 * scrape config takes from the pod's `linkerd.io/proxy-deployment` label. Inbound: `response_total` and
 * `response_latency_ms` (ms, time to first byte) with `direction="inbound"`. Outbound: the calls of `model.clients`
 * (each client's `peer` is a Kubernetes Service and Deployment of the same namespace) with `dst_*` labels.
 */
export function linkerdEdge(options: LinkerdOptions): EdgeFactory {
  return (model, handles, noise) => {
    declare(handles, [
      ['request', 'counter', 'Total count of HTTP requests.'],
      ['response', 'counter', 'Total count of HTTP responses.'],
      [
        'response_latency_ms',
        'histogram',
        "Elapsed times between a request's headers being received and its response stream completing",
      ],
    ]);
    type In = { pod: string; code: number };
    type Out = { pod: string; peer: string; port: number; code: number };
    const inbound = new Book<In>(LINKERD_MS, 1000);
    const outbound = new Book<Out>(LINKERD_MS, 1000);
    return {
      served: (pod, _method, code, n, latency, t) => {
        inbound.add(`${pod.name} ${code}`, { pod: pod.name, code }, n, { ...latency, median: latency.median + 0.0006 });
        const ctx = podContext(pod, t, noise, 0);
        for (const client of model.clients) {
          const calls = n * client.callsPerRequest(ctx);
          for (const o of client.outcomes(ctx)) {
            const code = o.code ?? 504;
            outbound.add(
              `${pod.name} ${client.peer} ${code}`,
              { pod: pod.name, peer: client.peer, port: client.port, code },
              calls * o.frac,
              { ...o, median: o.median + 0.0006 },
            );
          }
        }
      },
      failed: (pod, _method, kind, n) => {
        if (!pod || n <= 0 || kind === 'no-endpoints') return;
        // The inbound proxy cannot connect to (or loses) the local application: it answers 502 itself.
        inbound.add(`${pod.name} 502`, { pod: pod.name, code: 502 }, n, {
          median: kind === 'blackhole' ? 0.0008 : 0.7,
          sigma: 0.6,
        });
      },
      scrape: (t) => {
        for (const pod of model.pods) {
          if (t < pod.created || t >= pod.deleted) continue;
          const phase = (pod.scrapePhase + 30) % 60;
          if (!scrapedAt(phase, t)) continue;
          const ts = t - ((pod.scrapeMs * 5) % 997) / 1000 - 0.002;
          const hash = pod.name.split('-').at(-2) ?? '';
          const target = {
            job: 'linkerd-proxy',
            instance: `${pod.ip}:4191`,
            namespace: model.namespace,
            pod: pod.name,
            deployment: model.service,
            pod_template_hash: hash,
            control_plane_ns: 'linkerd',
          };
          handles.series('up', 'up', `linkerd|${pod.name}`, () => target).add(ts, 1);
          const authority = `${model.service}.${model.namespace}.svc.cluster.local:${options.port}`;
          const inLabels = {
            direction: 'inbound',
            authority,
            target_addr: `${pod.ip}:${options.port}`,
            tls: 'true',
            srv_kind: 'default',
            srv_name: 'all-unauthenticated',
          };
          let requests = 0;
          for (const [key, { fields, acc }] of inbound.entries) {
            if (fields.pod !== pod.name || acc.shownCount < 1) continue;
            requests += acc.shownCount;
            const status = { status_code: String(fields.code) };
            const classification = fields.code >= 500 ? 'failure' : 'success';
            handles
              .series('response', 'response_total', key, () => ({ ...target, ...inLabels, ...status, classification }))
              .add(ts, acc.shownCount);
            handles
              .histogram('response_latency_ms', key, () => ({ ...target, ...inLabels, ...status }), LINKERD_MS)
              .add(ts, total([acc], LINKERD_MS.length));
          }
          if (requests > 0)
            handles
              .series('request', 'request_total', `${pod.name}|in`, () => ({ ...target, ...inLabels }))
              .add(ts, requests);
          const sent = new Map<string, { labels: Labels; n: number }>();
          for (const [key, { fields, acc }] of outbound.entries) {
            if (fields.pod !== pod.name || acc.shownCount < 1) continue;
            const outLabels = {
              direction: 'outbound',
              authority: `${fields.peer}.${model.namespace}.svc.cluster.local:${fields.port}`,
              dst_deployment: fields.peer,
              dst_namespace: model.namespace,
              dst_service: fields.peer,
              dst_serviceaccount: fields.peer,
              tls: 'true',
            };
            const status = { status_code: String(fields.code) };
            const classification = fields.code >= 500 ? 'failure' : 'success';
            handles
              .series('response', 'response_total', key, () => ({ ...target, ...outLabels, ...status, classification }))
              .add(ts, acc.shownCount);
            handles
              .histogram('response_latency_ms', key, () => ({ ...target, ...outLabels, ...status }), LINKERD_MS)
              .add(ts, total([acc], LINKERD_MS.length));
            const s = sent.get(fields.peer) ?? { labels: outLabels, n: 0 };
            s.n += acc.shownCount;
            sent.set(fields.peer, s);
          }
          for (const [peer, s] of sent)
            handles
              .series('request', 'request_total', `${pod.name}|out|${peer}`, () => ({ ...target, ...s.labels }))
              .add(ts, s.n);
        }
      },
    } satisfies Edge;
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Istio: a service without a sidecar, seen only by its callers' sidecars (reporter="source").

interface IstioCaller {
  workload: string;
  namespace: string;
  /** Share of the service's traffic this caller sends. */
  share: number;
  replicas: number;
}

/**
 * The callers' sidecars report `istio_requests_total{reporter="source"}` for their calls to the service. With no
 * sidecar at the destination there is no peer-metadata exchange: the destination workload, app, canonical service
 * and principal are "unknown", mTLS is off; the service name comes from the cluster (the Kubernetes Service).
 */
export function istioSourceEdge(callers: readonly IstioCaller[]): EdgeFactory {
  return (model, handles, noise) => {
    const proxies = callers.map((c) => ({ caller: c, pods: proxyPods(model.seed, c.workload, c.replicas) }));
    type F = { caller: number; proxy: number; code: number; flags: string };
    const book = new Book<F>(ENVOY_MS, 1000);
    const totalShare = callers.reduce((s, c) => s + c.share, 0);
    const record = (code: number, flags: string, n: number, latency: Latency, t: number) => {
      proxies.forEach(({ caller, pods }, ci) => {
        pods.forEach((_, pi) => {
          const share = (n * caller.share * split(noise, caller.workload, pi, pods.length, t)) / totalShare;
          book.add(`${ci} ${pi} ${code} ${flags}`, { caller: ci, proxy: pi, code, flags }, share, latency);
        });
      });
    };
    return {
      served: (_pod, _method, code, n, latency, t) =>
        record(code, '-', n, { ...latency, median: latency.median + 0.0012 }, t),
      failed: (_pod, _method, kind, n, t) => {
        if (n <= 0) return;
        if (kind === 'no-endpoints') record(503, 'UH', n, { median: 0.0003, sigma: 0.3 }, t);
        else if (kind === 'blackhole') record(503, 'URX,UF', n, { median: 0.004, sigma: 0.4 }, t);
        else record(503, 'UC', n, { median: 0.7, sigma: 0.9 }, t);
      },
      scrape: (t) => {
        proxies.forEach(({ caller, pods }, ci) => {
          pods.forEach((p, pi) => {
            if (!scrapedAt(p.phase, t)) return;
            const ts = t - p.ms / 1000;
            const target = {
              job: 'istio-system/envoy-stats-monitor',
              instance: `${p.ip}:15090`,
              namespace: caller.namespace,
              pod: p.name,
              container: 'istio-proxy',
            };
            handles.series('up', 'up', `sidecar|${p.name}`, () => target).add(ts, 1);
            for (const [key, { fields, acc }] of book.entries) {
              if (fields.caller !== ci || fields.proxy !== pi || acc.shownCount < 1) continue;
              const labels = (): Labels => ({
                ...target,
                reporter: 'source',
                source_workload: caller.workload,
                source_workload_namespace: caller.namespace,
                source_app: caller.workload,
                source_version: 'unknown',
                source_canonical_service: caller.workload,
                source_canonical_revision: 'latest',
                source_principal: `spiffe://cluster.local/ns/${caller.namespace}/sa/${caller.workload}`,
                source_cluster: 'Kubernetes',
                destination_workload: 'unknown',
                destination_workload_namespace: 'unknown',
                destination_app: 'unknown',
                destination_version: 'unknown',
                destination_canonical_service: 'unknown',
                destination_canonical_revision: 'latest',
                destination_principal: 'unknown',
                destination_service: `${model.service}.${model.namespace}.svc.cluster.local`,
                destination_service_name: model.service,
                destination_service_namespace: model.namespace,
                destination_cluster: 'Kubernetes',
                request_protocol: 'http',
                response_code: String(fields.code),
                grpc_response_status: '',
                response_flags: fields.flags,
                connection_security_policy: 'unknown',
              });
              handles.series('istio_requests', 'istio_requests_total', key, labels).add(ts, acc.shownCount);
              handles
                .histogram('istio_request_duration_milliseconds', key, labels, ENVOY_MS)
                .add(ts, total([acc], ENVOY_MS.length));
            }
          });
        });
      },
    } satisfies Edge;
  };
}

export type { EdgeFailure };
