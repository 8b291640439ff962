import type { Signal, SignalVariant } from './signal.js';

/** How one HTTP server convention names its request counter, status label, histogram and route label. */
interface HttpConvention {
  convention: string;
  requests: string;
  /** Extra matchers every selector needs (e.g. one Istio reporter, to avoid double counting). */
  extra: string;
  statusLabels: readonly string[];
  bucket?: string;
  /** Divide histogram values by this to get seconds (Istio reports milliseconds). */
  bucketScale?: number;
  /** Micrometer without histograms: a `_max` gauge and `_sum`/`_count`. */
  max?: string;
  sum: string;
  count: string;
  route: string;
}

const HTTP: readonly HttpConvention[] = [
  {
    convention: 'istio',
    requests: 'istio_requests_total',
    extra: ',reporter="destination"',
    statusLabels: ['response_code'],
    bucket: 'istio_request_duration_milliseconds_bucket',
    bucketScale: 1000,
    sum: 'istio_request_duration_milliseconds_sum',
    count: 'istio_request_duration_milliseconds_count',
    route: 'destination_service_name',
  },
  {
    convention: 'ingress-nginx',
    requests: 'nginx_ingress_controller_requests',
    extra: '',
    statusLabels: ['status'],
    bucket: 'nginx_ingress_controller_request_duration_seconds_bucket',
    sum: 'nginx_ingress_controller_request_duration_seconds_sum',
    count: 'nginx_ingress_controller_request_duration_seconds_count',
    route: 'path',
  },
  {
    convention: 'prom-client',
    requests: 'http_requests_total',
    extra: '',
    statusLabels: ['code', 'status'],
    bucket: 'http_request_duration_seconds_bucket',
    sum: 'http_request_duration_seconds_sum',
    count: 'http_request_duration_seconds_count',
    route: 'route',
  },
  {
    convention: 'micrometer',
    requests: 'http_server_requests_seconds_count',
    extra: '',
    statusLabels: ['status'],
    max: 'http_server_requests_seconds_max',
    sum: 'http_server_requests_seconds_sum',
    count: 'http_server_requests_seconds_count',
    route: 'uri',
  },
  {
    convention: 'opentelemetry',
    requests: 'http_server_request_duration_seconds_count',
    extra: '',
    statusLabels: ['http_response_status_code'],
    bucket: 'http_server_request_duration_seconds_bucket',
    sum: 'http_server_request_duration_seconds_sum',
    count: 'http_server_request_duration_seconds_count',
    route: 'http_route',
  },
];

/** `sum(rate(F{$service<extra>,<status>=~"re"}[$rate]))`, trying each status label in turn. */
function statusRate(c: HttpConvention, statusRegex: string, by = ''): string {
  return c.statusLabels
    .map((l) => `sum${by}(rate(${c.requests}{$service${c.extra},${l}=~"${statusRegex}"}[$rate]))`)
    .join(' or ');
}

function totalRate(c: HttpConvention, by = ''): string {
  return `sum${by}(rate(${c.requests}{$service${c.extra}}[$rate]))`;
}

function httpStatusRatio(statusRegex: string): SignalVariant[] {
  return HTTP.map((c) => ({
    convention: c.convention,
    requires: [c.requests],
    query: `(${statusRate(c, statusRegex)} or vector(0)) / ${totalRate(c)}`,
  }));
}

function quantile(q: number, bucket: string, selector: string, scale?: number, by = 'le'): string {
  const expr = `histogram_quantile(${q}, sum by (${by}) (rate(${bucket}{${selector}}[$rate])))`;
  return scale ? `${expr} / ${scale}` : expr;
}

const STATUS_SIGNALS: Signal[] = [429, 500, 502, 503, 504].map((code) => ({
  name: `http_${code}_ratio`,
  title: `Share of requests answered with ${code}`,
  unit: 'ratio',
  reduce: 'max',
  direction: 'up',
  variants: httpStatusRatio(String(code)),
}));

/** Every signal playbooks may name. Tests parse every query with the PromQL grammar. */
export const SIGNALS: readonly Signal[] = [
  {
    name: 'request_rate',
    title: 'Requests per second',
    unit: 'per_second',
    reduce: 'max',
    direction: 'up',
    variants: HTTP.map((c) => ({ convention: c.convention, requires: [c.requests], query: totalRate(c) })),
  },
  {
    name: 'http_5xx_ratio',
    title: 'Share of requests answered with 5xx',
    unit: 'ratio',
    reduce: 'max',
    direction: 'up',
    variants: httpStatusRatio('5..'),
  },
  ...STATUS_SIGNALS,
  {
    name: 'error_route_share',
    title: 'Share of 5xx coming from the worst route',
    unit: 'ratio',
    reduce: 'mean',
    direction: 'up',
    detailLabel: ['route', 'uri', 'http_route', 'path'],
    variants: HTTP.filter((c) => c.convention !== 'istio').map((c) => ({
      convention: c.convention,
      requires: [c.requests],
      query: `topk(1, (${statusRate(c, '5..', ` by (${c.route})`)}) / scalar(${statusRate(c, '5..')}))`,
    })),
  },
  {
    name: 'latency_p99',
    title: 'p99 latency',
    unit: 'seconds',
    reduce: 'max',
    direction: 'up',
    variants: HTTP.map((c) =>
      c.bucket
        ? {
            convention: c.convention,
            requires: [c.bucket],
            query: quantile(0.99, c.bucket, `$service${c.extra}`, c.bucketScale),
          }
        : {
            convention: c.convention,
            requires: [c.max ?? c.count],
            query: `max(${c.max}{$service})`,
            note: 'maximum latency: the service publishes no histogram buckets, so p99 is not available',
          },
    ),
  },
  {
    name: 'latency_mean',
    title: 'Mean latency',
    unit: 'seconds',
    reduce: 'max',
    direction: 'up',
    variants: HTTP.map((c) => ({
      convention: c.convention,
      requires: [c.sum, c.count],
      query: `sum(rate(${c.sum}{$service${c.extra}}[$rate])) / sum(rate(${c.count}{$service${c.extra}}[$rate]))${
        c.bucketScale ? ` / ${c.bucketScale}` : ''
      }`,
    })),
  },
  {
    name: 'up_ratio',
    title: 'Share of scrape targets up',
    unit: 'ratio',
    reduce: 'min',
    direction: 'down',
    variants: [{ convention: 'prometheus', requires: ['up'], query: 'avg(up{$service})' }],
  },
  {
    name: 'restarts',
    title: 'Container restarts in the window',
    unit: 'count',
    reduce: 'last',
    direction: 'up',
    variants: [
      {
        convention: 'kube-state-metrics',
        requires: ['kube_pod_container_status_restarts_total'],
        query: 'sum(increase(kube_pod_container_status_restarts_total{$service}[$window]))',
      },
      {
        convention: 'process',
        requires: ['process_start_time_seconds'],
        query: 'sum(changes(process_start_time_seconds{$service}[$window]))',
      },
    ],
  },
  {
    name: 'oom_kills',
    title: 'Containers restarted after an OOM kill',
    unit: 'count',
    reduce: 'last',
    direction: 'up',
    variants: [
      {
        convention: 'kube-state-metrics',
        requires: ['kube_pod_container_status_restarts_total'],
        query:
          'count((increase(kube_pod_container_status_restarts_total{$service}[$window]) > 0) and on (namespace, pod, container) (kube_pod_container_status_last_terminated_reason{$service,reason="OOMKilled"} == 1)) or vector(0)',
      },
    ],
  },
  {
    name: 'young_instance_share',
    title: 'Share of instances started within the window',
    unit: 'ratio',
    reduce: 'last',
    direction: 'up',
    variants: [
      {
        convention: 'process',
        requires: ['process_start_time_seconds'],
        query:
          '(count(time() - process_start_time_seconds{$service} < $windowSeconds) or vector(0)) / count(process_start_time_seconds{$service})',
      },
    ],
  },
  {
    name: 'version_count',
    title: 'Versions running in the window',
    unit: 'count',
    reduce: 'last',
    direction: 'up',
    variants: [
      {
        convention: 'build-info',
        requires: ['*_build_info'],
        query:
          'max(count by (__name__) (count by (__name__, version) (last_over_time({__name__=~".+_build_info",$service}[$window]))))',
      },
    ],
  },
  {
    name: 'deployment_changes',
    title: 'Deployment spec changes in the window',
    unit: 'count',
    reduce: 'last',
    direction: 'up',
    variants: [
      {
        convention: 'kube-state-metrics',
        requires: ['kube_deployment_metadata_generation'],
        query: 'sum(changes(kube_deployment_metadata_generation{$service}[$window]))',
      },
    ],
  },
  {
    name: 'cpu_quota_ratio',
    title: 'CPU used as a share of the quota',
    unit: 'ratio',
    reduce: 'max',
    direction: 'up',
    variants: [
      {
        convention: 'cadvisor',
        requires: ['container_cpu_usage_seconds_total', 'container_spec_cpu_quota', 'container_spec_cpu_period'],
        query:
          'max(sum by (namespace, pod) (rate(container_cpu_usage_seconds_total{$service}[$rate])) / on (namespace, pod) sum by (namespace, pod) (container_spec_cpu_quota{$service} / container_spec_cpu_period{$service}))',
      },
      {
        convention: 'micrometer',
        requires: ['process_cpu_usage'],
        query: 'max(process_cpu_usage{$service})',
        note: 'share of the host CPU seen by the JVM (no container quota metrics)',
      },
    ],
  },
  {
    name: 'cpu_throttling',
    title: 'Share of CPU periods throttled',
    unit: 'ratio',
    reduce: 'max',
    direction: 'up',
    variants: [
      {
        convention: 'cadvisor',
        requires: ['container_cpu_cfs_throttled_periods_total', 'container_cpu_cfs_periods_total'],
        query:
          'max(sum by (namespace, pod) (increase(container_cpu_cfs_throttled_periods_total{$service}[$rate])) / sum by (namespace, pod) (increase(container_cpu_cfs_periods_total{$service}[$rate])))',
      },
    ],
  },
  {
    name: 'cpu_cores',
    title: 'CPU used (cores)',
    unit: 'cores',
    reduce: 'max',
    direction: 'up',
    variants: [
      {
        convention: 'process',
        requires: ['process_cpu_seconds_total'],
        query: 'sum(rate(process_cpu_seconds_total{$service}[$rate]))',
      },
      {
        convention: 'cadvisor',
        requires: ['container_cpu_usage_seconds_total'],
        query: 'sum(rate(container_cpu_usage_seconds_total{$service}[$rate]))',
      },
    ],
  },
  {
    name: 'memory_limit_ratio',
    title: 'Memory used as a share of the limit',
    unit: 'ratio',
    reduce: 'max',
    direction: 'up',
    variants: [
      {
        convention: 'cadvisor',
        requires: ['container_memory_working_set_bytes', 'container_spec_memory_limit_bytes'],
        query:
          'max(max by (namespace, pod) (container_memory_working_set_bytes{$service}) / on (namespace, pod) (max by (namespace, pod) (container_spec_memory_limit_bytes{$service}) > 0))',
      },
      {
        convention: 'micrometer',
        requires: ['jvm_memory_used_bytes', 'jvm_memory_max_bytes'],
        query:
          'max(sum by (instance) (jvm_memory_used_bytes{$service,area="heap"}) / sum by (instance) (jvm_memory_max_bytes{$service,area="heap"} > 0))',
        note: 'JVM heap against its maximum (no container limit metrics)',
      },
    ],
  },
  {
    name: 'memory_growth',
    // The median instance: a leak is in the code every instance runs, while one instance refilling memory after
    // a restart is not a leak.
    title: 'Memory growth per hour (share of the limit), median instance',
    unit: 'per_hour',
    reduce: 'last',
    direction: 'up',
    variants: [
      {
        convention: 'cadvisor',
        requires: ['container_memory_working_set_bytes', 'container_spec_memory_limit_bytes'],
        query:
          'quantile(0.5, max by (namespace, pod) (deriv(container_memory_working_set_bytes{$service}[$trend])) * 3600 / on (namespace, pod) (max by (namespace, pod) (container_spec_memory_limit_bytes{$service}) > 0))',
      },
      {
        convention: 'micrometer',
        requires: ['jvm_memory_used_bytes', 'jvm_memory_max_bytes'],
        query:
          'quantile(0.5, deriv(sum by (instance) (jvm_memory_used_bytes{$service,area="heap"})[$trend:1m]) * 3600 / sum by (instance) (jvm_memory_max_bytes{$service,area="heap"} > 0))',
        note: 'JVM heap growth against its maximum',
      },
      {
        convention: 'process',
        requires: ['process_resident_memory_bytes'],
        query:
          'quantile(0.5, deriv(process_resident_memory_bytes{$service}[$trend]) * 3600 / avg_over_time(process_resident_memory_bytes{$service}[$trend]))',
        note: 'resident memory growth relative to its own size (no limit known)',
      },
    ],
  },
  {
    name: 'fd_ratio',
    title: 'Open file descriptors as a share of the limit',
    unit: 'ratio',
    reduce: 'max',
    direction: 'up',
    variants: [
      {
        convention: 'process',
        requires: ['process_open_fds', 'process_max_fds'],
        query: 'max(process_open_fds{$service} / process_max_fds{$service})',
      },
      {
        convention: 'micrometer',
        requires: ['process_files_open_files', 'process_files_max_files'],
        query: 'max(process_files_open_files{$service} / process_files_max_files{$service})',
      },
    ],
  },
  {
    name: 'fd_growth',
    title: 'Open file descriptor growth per hour (share of the limit)',
    unit: 'per_hour',
    reduce: 'last',
    direction: 'up',
    variants: [
      {
        convention: 'process',
        requires: ['process_open_fds', 'process_max_fds'],
        query: 'max(deriv(process_open_fds{$service}[$trend]) * 3600 / process_max_fds{$service})',
      },
      {
        convention: 'micrometer',
        requires: ['process_files_open_files', 'process_files_max_files'],
        query: 'max(deriv(process_files_open_files{$service}[$trend]) * 3600 / process_files_max_files{$service})',
      },
    ],
  },
  {
    name: 'thread_ratio',
    title: 'Threads as a share of the limit',
    unit: 'ratio',
    reduce: 'max',
    direction: 'up',
    variants: [
      {
        convention: 'cadvisor',
        requires: ['container_threads', 'container_threads_max'],
        query:
          'max(max by (namespace, pod) (container_threads{$service}) / on (namespace, pod) (max by (namespace, pod) (container_threads_max{$service}) > 0))',
      },
    ],
  },
  {
    name: 'thread_growth',
    title: 'Thread (or goroutine) growth per hour',
    unit: 'per_hour',
    reduce: 'last',
    direction: 'up',
    variants: [
      {
        convention: 'cadvisor',
        requires: ['container_threads', 'container_threads_max'],
        query:
          'max(max by (namespace, pod) (deriv(container_threads{$service}[$trend])) * 3600 / on (namespace, pod) (max by (namespace, pod) (container_threads_max{$service}) > 0))',
        note: 'growth as a share of the container thread limit',
      },
      {
        convention: 'micrometer',
        requires: ['jvm_threads_live_threads'],
        query:
          'max(deriv(jvm_threads_live_threads{$service}[$trend]) * 3600 / avg_over_time(jvm_threads_live_threads{$service}[$trend]))',
        note: 'growth relative to the current thread count (no limit known)',
      },
      {
        convention: 'client_golang',
        requires: ['go_goroutines'],
        query: 'max(deriv(go_goroutines{$service}[$trend]) * 3600 / avg_over_time(go_goroutines{$service}[$trend]))',
        note: 'growth relative to the current goroutine count (no limit known)',
      },
    ],
  },
  {
    name: 'pool_usage_ratio',
    title: 'Connection pool in use (share of its maximum)',
    unit: 'ratio',
    reduce: 'max',
    direction: 'up',
    variants: [
      {
        convention: 'micrometer-hikaricp',
        requires: ['hikaricp_connections_active', 'hikaricp_connections_max'],
        query: 'max(hikaricp_connections_active{$service} / hikaricp_connections_max{$service})',
      },
      {
        convention: 'hikaricp',
        requires: ['hikaricp_active_connections', 'hikaricp_max_connections'],
        query: 'max(hikaricp_active_connections{$service} / hikaricp_max_connections{$service})',
      },
      {
        convention: 'opentelemetry',
        requires: ['db_client_connections_usage', 'db_client_connections_max'],
        query:
          'max(sum by (instance, pool_name) (db_client_connections_usage{$service,state="used"}) / on (instance, pool_name) max by (instance, pool_name) (db_client_connections_max{$service}))',
      },
    ],
  },
  {
    name: 'pool_pending',
    title: 'Callers waiting for a pooled connection',
    unit: 'count',
    reduce: 'max',
    direction: 'up',
    variants: [
      {
        convention: 'micrometer-hikaricp',
        requires: ['hikaricp_connections_pending'],
        query: 'sum(hikaricp_connections_pending{$service})',
      },
      {
        convention: 'hikaricp',
        requires: ['hikaricp_pending_threads'],
        query: 'sum(hikaricp_pending_threads{$service})',
      },
      {
        convention: 'opentelemetry',
        requires: ['db_client_connections_pending_requests'],
        query: 'sum(db_client_connections_pending_requests{$service})',
      },
    ],
  },
  {
    name: 'pool_timeouts',
    title: 'Pool acquisition timeouts per second',
    unit: 'per_second',
    reduce: 'max',
    direction: 'up',
    variants: [
      {
        convention: 'micrometer-hikaricp',
        requires: ['hikaricp_connections_timeout_total'],
        query: 'sum(rate(hikaricp_connections_timeout_total{$service}[$rate]))',
      },
      {
        convention: 'opentelemetry',
        requires: ['db_client_connections_timeouts_total'],
        query: 'sum(rate(db_client_connections_timeouts_total{$service}[$rate]))',
      },
    ],
  },
  {
    name: 'db_latency',
    title: 'Database query latency',
    unit: 'seconds',
    reduce: 'max',
    direction: 'up',
    variants: [
      {
        convention: 'opentelemetry',
        requires: ['db_client_operation_duration_seconds_bucket'],
        query: quantile(0.99, 'db_client_operation_duration_seconds_bucket', '$service'),
        note: 'p99 of database operations',
      },
      {
        convention: 'micrometer-hikaricp',
        requires: ['hikaricp_connections_usage_seconds_sum', 'hikaricp_connections_usage_seconds_count'],
        query:
          'sum(rate(hikaricp_connections_usage_seconds_sum{$service}[$rate])) / sum(rate(hikaricp_connections_usage_seconds_count{$service}[$rate]))',
        note: 'mean time a connection is held, which follows query time',
      },
      {
        convention: 'postgres_exporter',
        requires: ['pg_stat_activity_max_tx_duration'],
        query: 'max(pg_stat_activity_max_tx_duration{$service})',
        note: 'longest running transaction',
      },
    ],
  },
  {
    name: 'dependency_error_ratio',
    title: 'Share of outbound calls failing, worst peer',
    unit: 'ratio',
    reduce: 'max',
    direction: 'up',
    detailLabel: ['server_address', 'client_name', 'destination_service_name'],
    variants: [
      {
        convention: 'opentelemetry',
        requires: ['http_client_request_duration_seconds_count'],
        query:
          'max by (server_address) ((sum by (server_address) (rate(http_client_request_duration_seconds_count{$service,http_response_status_code=~"5.."}[$rate])) or sum by (server_address) (rate(http_client_request_duration_seconds_count{$service}[$rate])) * 0) / sum by (server_address) (rate(http_client_request_duration_seconds_count{$service}[$rate])))',
      },
      {
        convention: 'micrometer',
        requires: ['http_client_requests_seconds_count'],
        query:
          'max by (client_name) ((sum by (client_name) (rate(http_client_requests_seconds_count{$service,status=~"5..|IO_ERROR"}[$rate])) or sum by (client_name) (rate(http_client_requests_seconds_count{$service}[$rate])) * 0) / sum by (client_name) (rate(http_client_requests_seconds_count{$service}[$rate])))',
      },
    ],
  },
  {
    name: 'dependency_429_ratio',
    title: 'Share of outbound calls throttled (429), worst peer',
    unit: 'ratio',
    reduce: 'max',
    direction: 'up',
    detailLabel: ['server_address', 'client_name'],
    variants: [
      {
        convention: 'opentelemetry',
        requires: ['http_client_request_duration_seconds_count'],
        query:
          'max by (server_address) ((sum by (server_address) (rate(http_client_request_duration_seconds_count{$service,http_response_status_code="429"}[$rate])) or sum by (server_address) (rate(http_client_request_duration_seconds_count{$service}[$rate])) * 0) / sum by (server_address) (rate(http_client_request_duration_seconds_count{$service}[$rate])))',
      },
      {
        convention: 'micrometer',
        requires: ['http_client_requests_seconds_count'],
        query:
          'max by (client_name) ((sum by (client_name) (rate(http_client_requests_seconds_count{$service,status="429"}[$rate])) or sum by (client_name) (rate(http_client_requests_seconds_count{$service}[$rate])) * 0) / sum by (client_name) (rate(http_client_requests_seconds_count{$service}[$rate])))',
      },
    ],
  },
  {
    name: 'dependency_latency',
    title: 'Outbound call latency, worst peer',
    unit: 'seconds',
    reduce: 'max',
    direction: 'up',
    detailLabel: ['server_address', 'client_name'],
    variants: [
      {
        convention: 'opentelemetry',
        requires: ['http_client_request_duration_seconds_bucket'],
        query: quantile(
          0.99,
          'http_client_request_duration_seconds_bucket',
          '$service',
          undefined,
          'le, server_address',
        ),
        note: 'p99 per peer',
      },
      {
        convention: 'micrometer',
        requires: ['http_client_requests_seconds_sum', 'http_client_requests_seconds_count'],
        query:
          'sum by (client_name) (rate(http_client_requests_seconds_sum{$service}[$rate])) / sum by (client_name) (rate(http_client_requests_seconds_count{$service}[$rate]))',
        note: 'mean per peer',
      },
    ],
  },
  {
    name: 'eventloop_lag',
    title: 'Event-loop lag',
    unit: 'seconds',
    reduce: 'max',
    direction: 'up',
    variants: [
      {
        convention: 'prom-client',
        requires: ['nodejs_eventloop_lag_seconds'],
        query: 'max(nodejs_eventloop_lag_seconds{$service})',
      },
    ],
  },
];

const BY_NAME = new Map(SIGNALS.map((s) => [s.name, s]));

export function findSignal(name: string): Signal | undefined {
  return BY_NAME.get(name);
}
