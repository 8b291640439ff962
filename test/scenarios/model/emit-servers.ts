/**
 * HTTP and gRPC server libraries inside the application as `AppEmitter`s on the application's own scrape:
 * client_golang promhttp, express-prom-bundle, django-prometheus, prometheus-fastapi-instrumentator, yabeda-rails
 * and yabeda-puma-plugin, Micrometer with percentile histograms, prometheus-net (ASP.NET Core), OpenTelemetry HTTP
 * (current and pre-1.20 names, in-process or through the collector, and the resource as target_info),
 * go-grpc-middleware server and client metrics, and OpenTelemetry RPC metrics (pre-1.39 names). The runtimes that
 * come with them (client_golang's collectors, DotNetStats, OpenTelemetry runtime metrics) are in emit-runtimes.ts.
 *
 * Names, labels, units and buckets follow /work/research/http.md and runtimes.md. Each emitter reads the simulator's
 * per-(route, outcome) accumulators and groups them by the labels the library really has (express-prom-bundle has no
 * method unless asked, fastapi's duration has no status, ...).
 */
import type { Labels } from '../../support/prometheus/openmetrics-writer.js';
import { TimedAccumulator } from './accumulators.js';
import type { RunState, ScrapeContext } from './simulate.js';
import { type Latency, lognormalCappedMean } from './stats.js';
import type { AppEmitter, Outcome, PodContext, RouteModel, ServiceModel } from './types.js';
import { counter, declare, gauge, groupHttp, type HistogramOptions, round6, sumOf, writeHistogram } from './write.js';

/**
 * A distribution derived from the requests: at each scrape the requests each server accumulator gained since the
 * previous scrape are observed with the distribution `latency` gives now (e.g. the time a request spends in the DB).
 */
class Derived {
  readonly #seen = new WeakMap<TimedAccumulator, number>();
  readonly #accs = new WeakMap<RunState, Map<TimedAccumulator, TimedAccumulator>>();

  readonly bounds: readonly number[];

  constructor(bounds: readonly number[]) {
    this.bounds = bounds;
  }

  of(rs: RunState, source: TimedAccumulator, latency: Latency): TimedAccumulator {
    let map = this.#accs.get(rs);
    if (!map) {
      map = new Map();
      this.#accs.set(rs, map);
    }
    let acc = map.get(source);
    if (!acc) {
      acc = new TimedAccumulator(this.bounds);
      map.set(source, acc);
    }
    const seen = this.#seen.get(source) ?? 0;
    acc.observe(source.count - seen, latency);
    this.#seen.set(source, source.count);
    return acc;
  }
}

/** Mean request rate × mean latency: requests in flight on a pod (Little's law). */
function inFlight(model: ServiceModel, ctx: PodContext): number {
  const weight = model.routes.reduce((s, r) => s + r.weight, 0);
  let busy = 0;
  for (const route of model.routes) {
    for (const o of route.outcomes(ctx)) busy += (ctx.rps * route.weight * o.frac * lognormalCappedMean(o)) / weight;
  }
  return busy;
}

/** Seconds a request spends in the database (the model's DB operations per request). */
function dbTimePerRequest(model: ServiceModel, ctx: PodContext): number {
  return model.dbOps.reduce((s, op) => s + op.perRequest * lognormalCappedMean(op.latency(ctx)), 0);
}

// ---------------------------------------------------------------------------------------------------------------
// Go: promhttp (client_golang's collectors are in emit-runtimes.ts).

/**
 * promhttp's InstrumentHandlerCounter / InstrumentHandlerDuration with `handler` curried: `code` is the numeric
 * status, `method` is lower-case. The names are the application's (here the usual http_requests_total and
 * http_request_duration_seconds, DefBuckets).
 */
export function promhttpServer(): AppEmitter {
  return (sc, rs, _ctx, target) => {
    for (const [key, g] of groupHttp(rs, (route, o) => ({
      code: String(o.code),
      handler: route.route,
      method: route.method.toLowerCase(),
    }))) {
      const labels = () => ({ ...target, ...g.labels });
      counter(sc, rs, 'http_requests', key, labels, sumOf(g.accs).count);
      writeHistogram(sc, rs, 'http_request_duration_seconds', key, labels, g.accs);
    }
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Node.js: express-prom-bundle.

/** express-prom-bundle's buckets. */
export const EXPRESS_PROM_BUNDLE_BUCKETS = [0.003, 0.03, 0.1, 0.3, 1.5, 10] as const;

/**
 * express-prom-bundle with `includeMethod` and `includePath`: one histogram `http_request_duration_seconds` with
 * `status_code`, `method` and `path` (ids normalised to `#val`), and no request counter. The routes of the model are
 * the normalised paths.
 */
export function expressPromBundle(): AppEmitter {
  return (sc, rs, _ctx, target) => {
    for (const [key, g] of groupHttp(rs, (route, o) => ({
      method: route.method,
      path: route.route,
      status_code: String(o.code),
    }))) {
      writeHistogram(sc, rs, 'http_request_duration_seconds', `epb|${key}`, () => ({ ...target, ...g.labels }), g.accs);
    }
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Python: django-prometheus and prometheus-fastapi-instrumentator (with client_python's collectors from the runtime).

/** django-prometheus's latency buckets that the OTel-bounded DB accumulators share, and the ones above them. */
const DJANGO_BUCKETS = [0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10] as const;
const DJANGO_EXTRA = [25, 50, 75] as const;
export const DJANGO_HTTP_BUCKETS = [...DJANGO_BUCKETS, ...DJANGO_EXTRA] as const;

/**
 * django-prometheus's middleware and database metrics (routes of the model are view names such as
 * "tickets:detail"; every counter gets client_python's `_total`). `vendor` is the database backend.
 */
export function djangoPrometheus(options: { vendor: string }): AppEmitter {
  return (sc, rs, _ctx, target) => {
    declare(sc.handles, [
      ['django_http_requests_before_middlewares', 'counter', 'Total count of requests before middlewares run.'],
      ['django_http_responses_before_middlewares', 'counter', 'Total count of responses before middlewares run.'],
      ['django_http_requests_total_by_method', 'counter', 'Count of requests by method.'],
      ['django_http_requests_total_by_transport', 'counter', 'Count of requests by transport.'],
      [
        'django_http_requests_total_by_view_transport_method',
        'counter',
        'Count of requests by view, transport, method.',
      ],
      ['django_http_responses_total_by_status', 'counter', 'Count of responses by status.'],
      ['django_http_responses_total_by_status_view_method', 'counter', 'Count of responses by status, view, method.'],
      [
        'django_http_requests_latency_seconds_by_view_method',
        'histogram',
        'Histogram of request processing time labelled by view.',
      ],
      [
        'django_http_requests_latency_including_middlewares_seconds',
        'histogram',
        'Histogram of requests processing time (including middleware processing time).',
      ],
      ['django_http_exceptions_total_by_type', 'counter', 'Count of exceptions by object type.'],
      ['django_http_exceptions_total_by_view', 'counter', 'Count of exceptions by view.'],
      ['django_db_new_connections', 'counter', 'Counter of created connections by database and by vendor.'],
      [
        'django_db_execute',
        'counter',
        'Counter of executed statements by database and by vendor, including bulk executions.',
      ],
      ['django_db_query_duration_seconds', 'histogram', 'Histogram of query duration by database and vendor.'],
    ]);
    const all = [...rs.http.values()];
    const n = all.reduce((s, e) => s + e.acc.shownCount, 0);
    if (n < 1) return;
    const c = (family: string, key: string, labels: Labels, value: number) =>
      counter(sc, rs, family, key, () => ({ ...target, ...labels }), value);
    c('django_http_requests_before_middlewares', '', {}, n);
    c('django_http_responses_before_middlewares', '', {}, n);
    for (const [key, g] of groupHttp(rs, (route) => ({ method: route.method })))
      c('django_http_requests_total_by_method', key, g.labels, sumOf(g.accs).count);
    c('django_http_requests_total_by_transport', 'http', { transport: 'http' }, n);
    for (const [key, g] of groupHttp(rs, (route) => ({ method: route.method, transport: 'http', view: route.route }))) {
      c('django_http_requests_total_by_view_transport_method', key, g.labels, sumOf(g.accs).count);
      writeHistogram(
        sc,
        rs,
        'django_http_requests_latency_seconds_by_view_method',
        key,
        () => ({ ...target, method: g.route.method, view: g.route.route }),
        g.accs,
      );
    }
    for (const [key, g] of groupHttp(rs, (_route, o) => ({ status: String(o.code) })))
      c('django_http_responses_total_by_status', key, g.labels, sumOf(g.accs).count);
    for (const [key, g] of groupHttp(rs, (route, o) => ({
      method: route.method,
      status: String(o.code),
      view: route.route,
    })))
      c('django_http_responses_total_by_status_view_method', key, g.labels, sumOf(g.accs).count);
    writeHistogram(
      sc,
      rs,
      'django_http_requests_latency_including_middlewares_seconds',
      'all',
      () => target,
      all.map((e) => e.acc),
    );
    for (const [key, g] of groupHttp(rs, (_route, o) =>
      o.code >= 500 && o.exception ? { type: o.exception } : undefined,
    ))
      c('django_http_exceptions_total_by_type', key, g.labels, sumOf(g.accs).count);
    for (const [key, g] of groupHttp(rs, (route, o) =>
      o.code >= 500 && o.exception ? { view: route.route } : undefined,
    ))
      c('django_http_exceptions_total_by_view', key, g.labels, sumOf(g.accs).count);
    const db = { alias: 'default', vendor: options.vendor };
    const ops = [...rs.db.values()].map((e) => e.acc);
    if (ops.length > 0) {
      c('django_db_new_connections', 'db', db, 4 + Math.floor(sc.state.ctx.uptime / 3600));
      c('django_db_execute', 'db', db, sumOf(ops).count);
      // The DB accumulators carry OpenTelemetry's bounds; django-prometheus's start at 10 ms and go to 75 s.
      const bounds = ops[0]?.bounds ?? [];
      const pick = DJANGO_BUCKETS.map((b) => bounds.indexOf(b)).filter((i) => i >= 0);
      writeHistogram(sc, rs, 'django_db_query_duration_seconds', 'db', () => ({ ...target, ...db }), ops, {
        pick,
        extra: DJANGO_EXTRA,
      });
    }
  };
}

/** http_request_duration_highr_seconds's buckets; the default histogram's (0.1, 0.5, 1) are among them. */
export const FASTAPI_HIGHR_BUCKETS = [
  0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5, 5, 7.5, 10, 30, 60,
] as const;

/**
 * prometheus-fastapi-instrumentator's default `instrument()`: `http_requests_total{method,status="5xx",handler}`
 * (status codes grouped into classes), `http_request_duration_seconds{method,handler}` with buckets (0.1, 0.5, 1)
 * and no status, and the label-less `http_request_duration_highr_seconds`. Needs `httpBuckets:
 * FASTAPI_HIGHR_BUCKETS`.
 */
export function fastapiInstrumentator(): AppEmitter {
  return (sc, rs, _ctx, target) => {
    declare(sc.handles, [
      [
        'http_request_duration_highr_seconds',
        'histogram',
        'Latency with many buckets but no API specific labels. Made for more accurate percentile calculations.',
      ],
    ]);
    for (const [key, g] of groupHttp(rs, (route, o) => ({
      handler: route.route,
      method: route.method,
      status: `${String(o.code)[0]}xx`,
    }))) {
      counter(sc, rs, 'http_requests', `fa|${key}`, () => ({ ...target, ...g.labels }), sumOf(g.accs).count);
    }
    const pick = [0.1, 0.5, 1].map((b) => FASTAPI_HIGHR_BUCKETS.indexOf(b as (typeof FASTAPI_HIGHR_BUCKETS)[number]));
    for (const [key, g] of groupHttp(rs, (route) => ({ handler: route.route, method: route.method }))) {
      writeHistogram(sc, rs, 'http_request_duration_seconds', `fa|${key}`, () => ({ ...target, ...g.labels }), g.accs, {
        pick,
      });
    }
    writeHistogram(
      sc,
      rs,
      'http_request_duration_highr_seconds',
      'fa',
      () => target,
      [...rs.http.values()].map((e) => e.acc),
    );
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Ruby: yabeda-rails and yabeda-puma-plugin.

export const YABEDA_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600] as const;

interface RailsRoute {
  controller: string;
  action: string;
  format: string;
}

/**
 * yabeda-rails: `rails_requests_total` and the request, view and DB runtime histograms, all with controller,
 * action, status, format and lower-case method. `routeOf` maps a model route to its controller and action. The
 * DB runtime of a request follows the model's DB operations; views take what is left of a fast request.
 */
export function yabedaRails(routeOf: (route: RouteModel) => RailsRoute): AppEmitter {
  const db = new Derived(YABEDA_BUCKETS);
  const view = new Derived(YABEDA_BUCKETS);
  return (sc, rs, ctx, target) => {
    declare(sc.handles, [
      ['rails_requests', 'counter', 'A counter of the total number of HTTP requests rails processed.'],
      ['rails_request_duration_seconds', 'histogram', 'A histogram of the response latency.'],
      ['rails_view_runtime_seconds', 'histogram', 'A histogram of the view rendering time.'],
      ['rails_db_runtime_seconds', 'histogram', 'A histogram of the activerecord execution time.'],
    ]);
    const dbTime = dbTimePerRequest(sc.model, ctx);
    for (const [key, g] of groupHttp(rs, (route, o) => {
      const r = routeOf(route);
      return {
        action: r.action,
        controller: r.controller,
        format: r.format,
        method: route.method.toLowerCase(),
        status: String(o.code),
      };
    })) {
      const labels = () => ({ ...target, ...g.labels });
      counter(sc, rs, 'rails_requests', key, labels, sumOf(g.accs).count);
      writeHistogram(sc, rs, 'rails_request_duration_seconds', key, labels, g.accs);
      const failed = g.outcome.code >= 500;
      const dbAccs = g.accs.map((acc) =>
        db.of(rs, acc, { median: Math.max(0.0002, (failed ? 0.3 : 1) * dbTime * 0.8), sigma: 0.6 }),
      );
      writeHistogram(sc, rs, 'rails_db_runtime_seconds', key, labels, dbAccs);
      const viewAccs = g.accs.map((acc) => view.of(rs, acc, { median: failed ? 0.0004 : 0.004, sigma: 0.5 }));
      writeHistogram(sc, rs, 'rails_view_runtime_seconds', key, labels, viewAccs);
    }
  };
}

/**
 * yabeda-puma-plugin in clustered mode: per worker (`index`) backlog, running threads, pool capacity, max threads
 * and requests count; workers, booted and old workers for the pod.
 */
export function yabedaPuma(options: { workers: number; threads: number }): AppEmitter {
  return (sc, rs, ctx, target) => {
    declare(sc.handles, [
      ['puma_backlog', 'gauge', 'Number of established but unaccepted connections in the backlog'],
      ['puma_running', 'gauge', 'Number of running worker threads'],
      ['puma_pool_capacity', 'gauge', 'Number of allocatable worker threads'],
      ['puma_max_threads', 'gauge', 'Maximum number of worker threads'],
      ['puma_requests_count', 'gauge', 'Number of processed requests'],
      ['puma_workers', 'gauge', 'Number of configured workers'],
      ['puma_booted_workers', 'gauge', 'Number of booted workers'],
      ['puma_old_workers', 'gauge', 'Number of old workers'],
    ]);
    const busy = inFlight(sc.model, ctx);
    for (let w = 0; w < options.workers; w++) {
      const index = String(w);
      const labels = () => ({ ...target, index });
      const mine = (busy / options.workers) * (1 + 0.15 * ctx.noise.white(`puma:${sc.pod.name}:${w}`, sc.t));
      const used = Math.min(options.threads, Math.round(mine));
      gauge(sc, 'puma_backlog', index, labels, Math.max(0, Math.round(mine - options.threads)));
      gauge(sc, 'puma_running', index, labels, options.threads);
      gauge(sc, 'puma_pool_capacity', index, labels, options.threads - used);
      gauge(sc, 'puma_max_threads', index, labels, options.threads);
      gauge(sc, 'puma_requests_count', index, labels, Math.round(rs.requests / options.workers));
    }
    gauge(sc, 'puma_workers', '', () => target, options.workers);
    gauge(sc, 'puma_booted_workers', '', () => target, options.workers);
    gauge(sc, 'puma_old_workers', '', () => target, 0);
  };
}

// ---------------------------------------------------------------------------------------------------------------
// JVM: Micrometer with percentile histograms.

/**
 * Micrometer's percentile-histogram buckets (PercentileHistogramBuckets) between the timer's minimum (1 ms) and
 * maximum (30 s) expected values, both included, in seconds.
 */
export function micrometerTimerBuckets(): number[] {
  const ns: number[] = [1, 2, 3];
  for (let exp = 2; exp < 64; exp += 2) {
    let current = 2 ** exp;
    const delta = Math.floor(current / 3);
    const next = current * 4 - delta;
    while (current < next) {
      ns.push(current);
      current += delta;
    }
  }
  const min = 1e6;
  const max = 30e9;
  const inside = ns.filter((v) => v > min && v < max);
  return [min, ...inside, max].map((v) => Math.round(v) / 1e9);
}

/** Micrometer's `outcome` tag of an HTTP status. */
export function micrometerOutcome(code: number): string {
  if (code >= 500) return 'SERVER_ERROR';
  if (code >= 400) return 'CLIENT_ERROR';
  if (code >= 300) return 'REDIRECTION';
  if (code >= 200) return 'SUCCESS';
  return 'INFORMATIONAL';
}

/** The tags of Spring Boot's `http.server.requests` timer. */
export function micrometerServerTags(route: RouteModel, outcome: Outcome): Labels {
  return {
    exception: outcome.exception ?? 'None',
    method: route.method,
    outcome: micrometerOutcome(outcome.code),
    status: String(outcome.code),
    uri: route.route,
  };
}

/**
 * `http_server_requests_seconds` with `percentiles-histogram.http.server.requests=true`: `_bucket` series besides
 * `_count`, `_sum` and `_max`. The catalogue declares this family as a summary (Micrometer without histograms), and a
 * document can type a family only once, so the `_bucket` samples go through an untyped family of that name: the
 * series in Prometheus are the same. Needs `runtimeHttp: false` and `httpBuckets: micrometerTimerBuckets()`.
 */
export function micrometerHistogramServer(): AppEmitter {
  return (sc, rs, _ctx, target) => {
    declare(sc.handles, [
      ['http_server_requests_seconds_bucket', 'unknown', 'Duration of HTTP server request handling.'],
    ]);
    const app = { ...target, application: sc.model.service };
    for (const [key, { route, outcome, acc }] of rs.http) {
      if (acc.shownCount < 1) continue;
      const labels = () => ({ ...app, ...micrometerServerTags(route, outcome) });
      const reset = rs.firstWrite(`mh|${key}`);
      const id = `${sc.pod.name}|mh|${key}`;
      sc.handles
        .series('http_server_requests_seconds', 'http_server_requests_seconds_count', id, labels)
        .add(sc.ts, acc.shownCount, reset);
      sc.handles
        .series('http_server_requests_seconds', 'http_server_requests_seconds_sum', id, labels)
        .add(sc.ts, round6(acc.sum), reset);
      const counts = acc.bucketCounts();
      acc.bounds.forEach((b, i) => {
        sc.handles
          .series('http_server_requests_seconds_bucket', 'http_server_requests_seconds_bucket', `${id}|${b}`, () => ({
            ...labels(),
            le: String(b),
          }))
          .add(sc.ts, counts[i] ?? 0, reset);
      });
      sc.handles
        .series('http_server_requests_seconds_bucket', 'http_server_requests_seconds_bucket', `${id}|inf`, () => ({
          ...labels(),
          le: '+Inf',
        }))
        .add(sc.ts, acc.shownCount, reset);
      gauge(sc, 'http_server_requests_seconds_max', `mh|${key}`, labels, round6(acc.windowMax));
      acc.windowMax = 0;
    }
  };
}

// ---------------------------------------------------------------------------------------------------------------
// .NET: prometheus-net's HTTP metrics (DotNetStats is in emit-runtimes.ts).

/** prometheus-net's `ExponentialBuckets(0.001, 2, 16)`. */
export const PROMETHEUS_NET_BUCKETS = Array.from({ length: 16 }, (_, i) => 0.001 * 2 ** i);

/**
 * prometheus-net's `UseHttpMetrics()`: `http_requests_received_total{code,method,controller,action}`, the duration
 * histogram with the same labels, and requests in progress. `routeOf` maps a model route to controller and action.
 * Needs `httpBuckets: PROMETHEUS_NET_BUCKETS`.
 */
export function prometheusNetHttp(routeOf: (route: RouteModel) => { controller: string; action: string }): AppEmitter {
  return (sc, rs, ctx, target) => {
    declare(sc.handles, [
      [
        'http_requests_received',
        'counter',
        'Provides the count of HTTP requests that have been processed by the ASP.NET Core pipeline.',
      ],
      [
        'http_requests_in_progress',
        'gauge',
        'The number of requests currently in progress in the ASP.NET Core pipeline. One series without controller/action label values counts all in-progress requests, with separate series existing for each controller-action pair.',
      ],
    ]);
    for (const [key, g] of groupHttp(rs, (route, o) => ({
      ...routeOf(route),
      code: String(o.code),
      method: route.method,
    }))) {
      const labels = () => ({ ...target, ...g.labels });
      counter(sc, rs, 'http_requests_received', key, labels, sumOf(g.accs).count);
      writeHistogram(sc, rs, 'http_request_duration_seconds', `pn|${key}`, labels, g.accs);
    }
    const busy = inFlight(sc.model, ctx);
    const weight = sc.model.routes.reduce((s, r) => s + r.weight, 0);
    for (const route of sc.model.routes) {
      const r = routeOf(route);
      gauge(
        sc,
        'http_requests_in_progress',
        `${route.method} ${route.route}`,
        () => ({ ...target, ...r, method: route.method }),
        Math.round((busy * route.weight) / weight),
      );
    }
  };
}

// ---------------------------------------------------------------------------------------------------------------
// OpenTelemetry: HTTP (current and pre-1.20 names), resource (target_info); the Go runtime is in emit-runtimes.ts.

export interface OtelOptions {
  /** Resource attributes promoted onto every series (service_name, ...), when the exporter is told to. */
  promoted?: (model: ServiceModel, podName: string, version: string) => Labels;
  /** Instrumentation scope labels the collector's Prometheus exporter adds. */
  scope?: { name: string; version: string };
}

/** The labels an OpenTelemetry exporter adds to every series of the pod: promoted resource attributes, scope. */
export function otelLabels(sc: ScrapeContext, options: OtelOptions): Labels {
  return {
    ...(options.promoted?.(sc.model, sc.pod.name, sc.pod.version) ?? {}),
    ...(options.scope ? { otel_scope_name: options.scope.name, otel_scope_version: options.scope.version } : {}),
  };
}

/** The resource as `target_info`: every resource attribute except the ones in job and instance. */
export function otelTargetInfo(
  resource: (model: ServiceModel, podName: string, version: string) => Labels,
): AppEmitter {
  return (sc, _rs, _ctx, target) => {
    gauge(
      sc,
      'target_info',
      sc.pod.version,
      () => ({ ...target, ...resource(sc.model, sc.pod.name, sc.pod.version) }),
      1,
    );
  };
}

/**
 * `http.server.request.duration` and `http.client.request.duration` (seconds) with the stable attributes: the
 * server sets `error_type` to the status code on 5xx, the client on every status ≥ 400 and to the exception type
 * when no response came.
 */
export function otelHttp(options: OtelOptions = {}): AppEmitter {
  return (sc, rs, _ctx, target) => {
    const extra = otelLabels(sc, options);
    for (const [key, g] of groupHttp(rs, (route, o) => ({
      http_request_method: route.method,
      http_response_status_code: String(o.code),
      http_route: route.route,
      network_protocol_version: '1.1',
      url_scheme: 'http',
      ...(o.code >= 500 ? { error_type: String(o.code) } : {}),
    }))) {
      writeHistogram(
        sc,
        rs,
        'http_server_request_duration_seconds',
        `otel|${key}`,
        () => ({ ...target, ...extra, ...g.labels }),
        g.accs,
      );
    }
    for (const [key, entry] of rs.client) {
      if (entry.acc.shownCount < 1) continue;
      const code = entry.code;
      const errorType = code !== undefined && code >= 400 ? String(code) : entry.errorType;
      const labels = (): Labels => ({
        ...target,
        ...extra,
        http_request_method: entry.client.method,
        ...(code === undefined ? {} : { http_response_status_code: String(code) }),
        ...(errorType === undefined ? {} : { error_type: errorType }),
        network_protocol_version: '1.1',
        server_address: entry.client.peer,
        server_port: String(entry.client.port),
      });
      writeHistogram(sc, rs, 'http_client_request_duration_seconds', `otel|${key}`, labels, [entry.acc]);
    }
  };
}

/**
 * The pre-1.20 names: `http.server.duration` in milliseconds with `http_method`, `http_status_code`, `http_route`,
 * `http_scheme`, `http_flavor`, `net_host_name`, `net_host_port`. Needs `httpBuckets` = the SDK's default
 * millisecond bounds / 1000 (OTEL_MS_BUCKETS_AS_SECONDS).
 */
export const OTEL_DEFAULT_MS = [0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000] as const;
/** The same bounds in seconds, for the simulator's accumulators (0 ms cannot be a bound of a seconds histogram > 0). */
export const OTEL_MS_BUCKETS_AS_SECONDS = OTEL_DEFAULT_MS.slice(1).map((b) => b / 1000);

/** The SDK's millisecond bounds for the seconds accumulators: the first (0 ms) stays empty, nothing is faster. */
const LEGACY_MS: HistogramOptions = { le: OTEL_DEFAULT_MS.slice(1), scale: 1000, empty: [0] };

export function otelHttpLegacy(options: OtelOptions & { port: number } = { port: 8080 }): AppEmitter {
  return (sc, rs, _ctx, target) => {
    declare(sc.handles, [
      ['http_server_duration_milliseconds', 'histogram', 'Measures the duration of inbound HTTP requests.'],
    ]);
    const extra = otelLabels(sc, options);
    for (const [key, g] of groupHttp(rs, (route, o) => ({
      http_flavor: '1.1',
      http_method: route.method,
      http_route: route.route,
      http_scheme: 'http',
      http_status_code: String(o.code),
      net_host_name: `${sc.model.service}.${sc.model.namespace}.svc.cluster.local`,
      net_host_port: String(options.port),
    }))) {
      writeHistogram(
        sc,
        rs,
        'http_server_duration_milliseconds',
        key,
        () => ({ ...target, ...extra, ...g.labels }),
        g.accs,
        LEGACY_MS,
      );
    }
  };
}

// ---------------------------------------------------------------------------------------------------------------
// gRPC.

const GRPC_CODES: Readonly<Record<string, number>> = {
  OK: 0,
  Canceled: 1,
  Unknown: 2,
  InvalidArgument: 3,
  DeadlineExceeded: 4,
  NotFound: 5,
  AlreadyExists: 6,
  PermissionDenied: 7,
  ResourceExhausted: 8,
  FailedPrecondition: 9,
  Aborted: 10,
  OutOfRange: 11,
  Unimplemented: 12,
  Internal: 13,
  Unavailable: 14,
  DataLoss: 15,
  Unauthenticated: 16,
};

/**
 * The gRPC status of a model outcome: the models speak HTTP, so the grpc-gateway mapping is read backwards (200 OK,
 * 400 InvalidArgument, 404 NotFound, 429 ResourceExhausted, 499 Canceled, 500 Internal, 503 Unavailable, 504
 * DeadlineExceeded). Go's `codes.Code.String()` spelling (CamelCase).
 */
export function grpcCode(http: number | undefined): string {
  switch (http) {
    case 200:
      return 'OK';
    case 400:
      return 'InvalidArgument';
    case 401:
      return 'Unauthenticated';
    case 403:
      return 'PermissionDenied';
    case 404:
      return 'NotFound';
    case 409:
      return 'AlreadyExists';
    case 429:
      return 'ResourceExhausted';
    case 499:
      return 'Canceled';
    case 500:
      return 'Internal';
    case 501:
      return 'Unimplemented';
    case 503:
      return 'Unavailable';
    case 504:
    case undefined:
      return 'DeadlineExceeded';
    default:
      return 'Unknown';
  }
}

export function grpcCodeNumber(http: number | undefined): number {
  return GRPC_CODES[grpcCode(http)] ?? 2;
}

/** A model route named `pkg.Service/Method`. */
function grpcParts(route: string): { service: string; method: string } {
  const i = route.lastIndexOf('/');
  return { service: route.slice(0, i), method: route.slice(i + 1) };
}

/**
 * go-grpc-middleware v2 providers/prometheus with the handling-time histograms on: server started/handled/messages
 * and `grpc_server_handling_seconds` (no grpc_code); client the same from `model.clients`, whose `peer` is the gRPC
 * service and `uri` the method. Routes are `pkg.Service/Method`, all unary.
 */
export function goGrpcMiddleware(): AppEmitter {
  return (sc, rs, _ctx, target) => {
    declare(sc.handles, [
      ['grpc_server_started', 'counter', 'Total number of RPCs started on the server.'],
      [
        'grpc_server_handled',
        'counter',
        'Total number of RPCs completed on the server, regardless of success or failure.',
      ],
      ['grpc_server_msg_received', 'counter', 'Total number of RPC stream messages received on the server.'],
      ['grpc_server_msg_sent', 'counter', 'Total number of gRPC stream messages sent by the server.'],
      [
        'grpc_server_handling_seconds',
        'histogram',
        'Histogram of response latency (seconds) of gRPC that had been application-level handled by the server.',
      ],
      ['grpc_client_started', 'counter', 'Total number of RPCs started on the client.'],
      [
        'grpc_client_handled',
        'counter',
        'Total number of RPCs completed by the client, regardless of success or failure.',
      ],
      ['grpc_client_msg_received', 'counter', 'Total number of RPC stream messages received by the client.'],
      ['grpc_client_msg_sent', 'counter', 'Total number of gRPC stream messages sent by the client.'],
      [
        'grpc_client_handling_seconds',
        'histogram',
        'Histogram of response latency (seconds) of the gRPC until it is finished by the application.',
      ],
    ]);
    for (const [key, g] of groupHttp(rs, (route, o) => ({ ...grpcParts(route.route), code: grpcCode(o.code) }))) {
      const { service, method } = grpcParts(g.route.route);
      const labels = () => ({
        ...target,
        grpc_code: g.labels.code ?? 'OK',
        grpc_method: method,
        grpc_service: service,
        grpc_type: 'unary',
      });
      counter(sc, rs, 'grpc_server_handled', key, labels, sumOf(g.accs).count);
    }
    for (const [key, g] of groupHttp(rs, (route) => grpcParts(route.route))) {
      const labels = () => ({
        ...target,
        grpc_method: g.labels.method ?? '',
        grpc_service: g.labels.service ?? '',
        grpc_type: 'unary',
      });
      const n = sumOf(g.accs).count;
      counter(sc, rs, 'grpc_server_started', key, labels, n);
      counter(sc, rs, 'grpc_server_msg_received', key, labels, n);
      counter(sc, rs, 'grpc_server_msg_sent', key, labels, n);
      writeHistogram(sc, rs, 'grpc_server_handling_seconds', key, labels, g.accs);
    }
    const calls = new Map<string, { service: string; method: string; accs: TimedAccumulator[] }>();
    for (const [key, entry] of rs.client) {
      if (entry.acc.shownCount < 1) continue;
      const service = entry.client.peer;
      const method = entry.client.uri;
      const code = grpcCode(entry.code);
      const labels = () => ({
        ...target,
        grpc_code: code,
        grpc_method: method,
        grpc_service: service,
        grpc_type: 'unary',
      });
      counter(sc, rs, 'grpc_client_handled', key, labels, entry.acc.shownCount);
      const k = `${service}/${method}`;
      const c = calls.get(k) ?? { service, method, accs: [] };
      c.accs.push(entry.acc);
      calls.set(k, c);
    }
    for (const [k, c] of calls) {
      const labels = () => ({ ...target, grpc_method: c.method, grpc_service: c.service, grpc_type: 'unary' });
      const n = sumOf(c.accs).count;
      counter(sc, rs, 'grpc_client_started', k, labels, n);
      counter(sc, rs, 'grpc_client_msg_sent', k, labels, n);
      counter(sc, rs, 'grpc_client_msg_received', k, labels, n);
      writeHistogram(sc, rs, 'grpc_client_handling_seconds', k, labels, c.accs);
    }
  };
}

/**
 * OpenTelemetry RPC semantic conventions before 1.39 (otelgrpc): `rpc.server.duration` in milliseconds with
 * `rpc_system="grpc"`, `rpc_service`, `rpc_method` and the numeric `rpc_grpc_status_code`. Needs `httpBuckets:
 * OTEL_MS_BUCKETS_AS_SECONDS`.
 */
export function otelRpcLegacy(options: OtelOptions = {}): AppEmitter {
  return (sc, rs, _ctx, target) => {
    declare(sc.handles, [['rpc_server_duration_milliseconds', 'histogram', 'Measures the duration of inbound RPC.']]);
    const extra = otelLabels(sc, options);
    for (const [key, g] of groupHttp(rs, (route, o) => {
      const { service, method } = grpcParts(route.route);
      return {
        rpc_grpc_status_code: String(grpcCodeNumber(o.code)),
        rpc_method: method,
        rpc_service: service,
        rpc_system: 'grpc',
      };
    })) {
      writeHistogram(
        sc,
        rs,
        'rpc_server_duration_milliseconds',
        key,
        () => ({ ...target, ...extra, ...g.labels }),
        g.accs,
        LEGACY_MS,
      );
    }
  };
}
