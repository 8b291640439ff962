/**
 * Scenarios where a rule that reads one signal at a time goes wrong and an experienced SRE does not: a CPU burst
 * shorter than a 5-minute rate, a slow callee two hops away, a callee's 5xx turned into our 500s, OOM kills that are
 * the end of a leak, a service that measures almost nothing, a single-route service, a proxy's 504s with nothing
 * behind them, a nightly job, threads that follow traffic or pool waits, latency with no call graph, errors that
 * were always concentrated on one route.
 *
 * Every target is scraped once a minute (SCRAPE_INTERVAL in simulate.ts), as in most real clusters. The names are
 * the well-known ones (prom-client, Micrometer, OpenTelemetry, promhttp, ingress-nginx, cAdvisor,
 * kube-state-metrics, kafka_exporter); what is tested is the shape. `unknown` means the metrics cannot tell the
 * cause: the run must stay inconclusive.
 */

import { makePod } from '../model/cluster.js';
import { companionServices } from '../model/companions.js';
import { handRolledHttp } from '../model/emit-custom.js';
import { kafkaExporter } from '../model/emit-stores.js';
import {
  baseLimits,
  baseResources,
  clamp,
  DAY,
  diurnal,
  HOUR,
  healthy,
  MIB,
  MINUTE,
  ramp,
  sec,
  slower,
  steadyRoute,
  windows,
  withFailure,
} from '../model/profiles.js';
import {
  replicaSet,
  type ScenarioDefinition,
  scenarioOf,
  steadyDeployment,
  steadyPool,
} from '../model/scenario-kit.js';
import { lognormalCappedMean } from '../model/stats.js';
import type { ClientModel, ExitReason, PodContext, RouteModel, ServiceModel } from '../model/types.js';

/** 1 between `from` and `to`, with linear edges of `edge` seconds; 0 elsewhere. */
function during(t: number, from: number, to: number, edge = 20): number {
  return ramp(t, from, edge) * (1 - ramp(t, to - edge, edge));
}

/** Requests in flight on a pod (Little's law over the routes' outcomes). */
function inFlight(routes: readonly RouteModel[], ctx: PodContext): number {
  const weight = routes.reduce((s, r) => s + r.weight, 0);
  let busy = 0;
  for (const route of routes) {
    for (const o of route.outcomes(ctx)) busy += (ctx.rps * route.weight * o.frac * lognormalCappedMean(o)) / weight;
  }
  return busy;
}

/** Hour of the day (UTC, fractional) of t. */
function hourOfDay(t: number): number {
  return (((t % DAY) + DAY) % DAY) / HOUR;
}

// ---------------------------------------------------------------------------------------------------------------
// cpu-saturation (prom-client): a 4½-minute burst at the quota that ends just before `at`; a 5-minute rate at `at`
// averages it down to ~90 %, 1-minute samples show it whole.

function ratingCpuBurst(): ScenarioDefinition {
  const at = sec('2026-10-04T11:20:00Z');
  const onset = at - 5 * MINUTE;
  const burstEnd = at - 30;
  const created = sec('2026-10-01T08:40:00Z');
  const burst = (t: number) => during(t, onset, burstEnd);
  const scenario = scenarioOf(
    {
      id: 'cpu-saturation-short-burst-prom-client',
      service: 'rating',
      namespace: 'reviews',
      convention: 'prom-client',
      cause: 'cpu-saturation',
      symptom: 'rating is slow right now',
      description:
        'From 11:15 a scraper posts reviews whose text hits a catastrophically backtracking validation regex: each ' +
        'such request pins the Node.js event loop for seconds. CPU demand exceeds the 1-core quota on every pod for ' +
        '~4.5 minutes (until ~11:19:30): CFS throttles most periods, the event loop lags ~1.5 s and every route slows ' +
        'down (one thread). Request rate is flat. With one scrape a minute, rate(…[5m]) at 11:20 still mixes in a ' +
        'normal half-minute and reads ~90 % of the quota; the 1-minute samples read ~97 %.',
      extras: [],
      evidence: [
        'container_cpu_usage_seconds_total: ~0.97 core per pod (the 1-core limit) over 11:15–11:19:30, from ~0.2',
        'container_cpu_cfs_throttled_periods_total / container_cpu_cfs_periods_total ~0.6–0.75 over the burst',
        'nodejs_eventloop_lag_p99_seconds ~1.5 s, http_request_duration_seconds p99 from ~0.2 s to many seconds on all routes',
        'http_requests_total rate flat vs the hours before and a day earlier; no errors, no deploy, no restarts, memory flat',
      ],
    },
    at,
    onset,
    3,
    true,
  );
  const resources = baseResources('node', { cpuPerRequest: 0.007, cpuIdle: 0.04 });
  const route = (method: string, path: string, weight: number, median: number, ok = 200): RouteModel => ({
    method,
    route: path,
    weight,
    outcomes: (ctx) => {
      const b = burst(ctx.t);
      return slower(healthy(median, { ok, clientErrors: 0.004 }), 1 + 30 * b, 0.55 + 0.5 * b, 30);
    },
  });
  return {
    scenario,
    build: () => ({
      service: 'rating',
      namespace: 'reviews',
      runtime: 'node',
      seed: scenario.id,
      windows: windows(at, 3, true),
      pods: replicaSet('rating', '3.9.4', '5c1e9d2', created, { stagger: 20 }),
      deployment: steadyDeployment(31),
      rps: diurnal(60, 12),
      routes: [
        route('GET', '/api/ratings/:productId', 0.6, 0.018),
        route('GET', '/api/ratings/:productId/summary', 0.15, 0.01),
        route('POST', '/api/ratings', 0.25, 0.045, 201),
      ],
      clients: [],
      dbOps: [],
      resources: {
        ...resources,
        cpuCores: (ctx) => resources.cpuCores(ctx) + 1.05 * burst(ctx.t),
        eventLoopLagSeconds: (ctx) =>
          resources.eventLoopLagSeconds(ctx) +
          1.5 * burst(ctx.t) * (1 + 0.2 * ctx.noise.white(`lag2:${ctx.pod.name}`, ctx.t)),
      },
      limits: baseLimits('node'),
      appHttp: true,
      scrape: { style: 'pods', port: 3000 },
    }),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// cpu-saturation (Micrometer): a 7-minute burst that ended 2 minutes before `at`; rate(…[5m]) at `at` reads ~70 %.

function premiumsCpuBurst(): ScenarioDefinition {
  const at = sec('2026-10-05T16:40:00Z');
  const onset = at - 9 * MINUTE;
  const burstEnd = at - 100;
  const created = sec('2026-10-02T10:15:00Z');
  const burst = (t: number) => during(t, onset, burstEnd, 30);
  const scenario = scenarioOf(
    {
      id: 'cpu-saturation-earlier-burst-micrometer',
      service: 'premiums',
      namespace: 'underwriting',
      convention: 'micrometer',
      cause: 'cpu-saturation',
      symptom: 'premiums was very slow a few minutes ago',
      description:
        'From 16:31 to 16:38 a broker re-quotes its whole fleet book: the usual number of requests, but each POST ' +
        '/api/premiums/quote carries thousands of vehicles and the rating engine is CPU-bound. The JVMs sit at their ' +
        '2-core quota for 7 minutes, CFS throttles, request latency climbs to seconds; at 16:38 the book is done and ' +
        'everything is back to normal. At 16:40 rate(container_cpu_usage_seconds_total[5m]) reads ~70 % of the quota ' +
        '(3 minutes of burst, 2 of normal); the 1-minute samples show 7 minutes at the limit.',
      extras: [],
      evidence: [
        'container_cpu_usage_seconds_total ~1.95 cores per pod (2-core limit) over 16:31–16:38, ~0.5 before and after; process_cpu_usage ~0.97 then',
        'CFS throttled periods ~60–75 % during the burst',
        'http_server_requests_seconds sum/count and _max up to seconds during the burst, normal at 16:40',
        'request count flat; no errors, no deploy, no restarts; heap and threads flat',
      ],
    },
    at,
    onset,
    3,
    false,
  );
  const resources = baseResources('jvm', { cpuPerRequest: 0.028, cpuIdle: 0.08 });
  const route = (method: string, path: string, weight: number, median: number, heavy: number): RouteModel => ({
    method,
    route: path,
    weight,
    outcomes: (ctx) => {
      const b = burst(ctx.t);
      return slower(
        healthy(median, { ok: method === 'POST' ? 201 : 200, clientErrors: 0.006, clientErrorCode: 400 }),
        1 + heavy * b,
        0.5 + 0.4 * b,
        20,
      );
    },
  });
  return {
    scenario,
    build: () => ({
      service: 'premiums',
      namespace: 'underwriting',
      runtime: 'jvm',
      seed: scenario.id,
      windows: windows(at, 3, false),
      pods: replicaSet('premiums', '7.2.1', 'b90d4e7', created, { stagger: 45, readySeconds: 35 }),
      deployment: steadyDeployment(48),
      rps: diurnal(36, 14),
      routes: [
        route('POST', '/api/premiums/quote', 0.45, 0.12, 40),
        route('GET', '/api/premiums/{quoteId}', 0.4, 0.02, 12),
        route('GET', '/api/products', 0.15, 0.008, 12),
      ],
      clients: [],
      dbOps: [],
      pool: steadyPool(10, 0.01),
      resources: {
        ...resources,
        cpuCores: (ctx) => resources.cpuCores(ctx) + 2.2 * burst(ctx.t),
        gcPerSecond: (ctx) => resources.gcPerSecond(ctx) + 0.4 * burst(ctx.t),
      },
      limits: baseLimits('jvm'),
      appHttp: true,
      scrape: { style: 'service-monitor', port: 8080 },
    }),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// dependency-failure (OpenTelemetry Go): webshop → product-api → search-ranker. The ranker is slow; webshop, two
// hops up, sees product-api slow in its client metrics, and product-api's own client metrics name the ranker.

function webshopTwoHops(): ScenarioDefinition {
  const at = sec('2026-10-07T19:30:00Z');
  const onset = at - 12 * MINUTE;
  const created = sec('2026-10-05T09:20:00Z');
  const apiCreated = sec('2026-10-04T15:05:00Z');
  const slow = (t: number) => ramp(t, onset, 120);
  const rankerLatency = (t: number) => ({ median: 0.035 + 1.15 * slow(t), sigma: 0.45 + 0.2 * slow(t) });
  // product-api: its own work plus one ranker call on searches and listings.
  const apiLatency = (t: number) => ({ median: 0.012 + 0.8 * rankerLatency(t).median, sigma: 0.5 + 0.15 * slow(t) });
  const productApi = 'product-api.catalog.svc.cluster.local';
  const scenario = scenarioOf(
    {
      id: 'dependency-failure-two-hops-otel',
      service: 'webshop',
      namespace: 'web',
      convention: 'otel',
      cause: 'dependency-failure',
      symptom: 'webshop pages are loading slowly',
      description:
        'From 19:18 search-ranker (the ML ranking service of another team, scraped by their own Prometheus) takes ' +
        '~1.2 s instead of 35 ms. product-api calls it for searches and listings and slows down to ~1 s; webshop ' +
        'renders pages from product-api calls and its page latency climbs the same way. webshop’s own CPU, memory, ' +
        'traffic and errors are flat: it only waits. Both webshop and product-api are OpenTelemetry Go services, so ' +
        'the call graph is in the data: webshop’s http_client_request_duration_seconds{server_address="product-api…"} ' +
        'and product-api’s {server_address="search-ranker.ml.svc.cluster.local"}.',
      extras: ['otel (product-api, the callee)'],
      evidence: [
        'webshop: http_client_request_duration_seconds{server_address="product-api.catalog.svc.cluster.local"} p50 ~30 ms → ~1 s; all 200',
        'product-api: http_server_request_duration_seconds p99 up likewise; its http_client_request_duration_seconds{server_address="search-ranker.ml.svc.cluster.local"} p50 35 ms → ~1.2 s',
        'webshop: http_server_request_duration_seconds p99 from ~0.25 s to several seconds on every page route; no 5xx',
        'webshop and product-api: CPU, memory, request rate (vs a day earlier), restarts, version flat',
      ],
    },
    at,
    onset,
    3,
    true,
  );
  const page = (route: string, weight: number, own: number, calls: number): RouteModel => ({
    method: 'GET',
    route,
    weight,
    outcomes: (ctx) => {
      const api = apiLatency(ctx.t);
      const median = own + calls * api.median;
      return healthy(median, { sigma: api.sigma, clientErrors: 0.003 });
    },
  });
  const webshopRoutes: RouteModel[] = [
    page('/', 0.2, 0.02, 1),
    page('/p/{slug}', 0.45, 0.015, 1),
    page('/search', 0.2, 0.02, 2),
    steadyRoute('POST', '/cart/items', 0.1, 0.03),
    steadyRoute('GET', '/healthz', 0.05, 0.0005),
  ];
  const webshopClients: ClientModel[] = [
    {
      peer: productApi,
      port: 8080,
      method: 'GET',
      uri: '/v1/products',
      callsPerRequest: () => 0.2 + 0.45 + 0.4,
      outcomes: (ctx) => {
        const api = apiLatency(ctx.t);
        return [
          { code: 200, frac: 0.997, median: api.median + 0.001, sigma: api.sigma },
          { code: 404, frac: 0.003, median: 0.006, sigma: 0.4 },
        ];
      },
    },
    {
      peer: 'cart.web.svc.cluster.local',
      port: 8080,
      method: 'POST',
      uri: '/v1/carts/items',
      callsPerRequest: () => 0.1,
      outcomes: () => [{ code: 201, frac: 1, median: 0.018, sigma: 0.45 }],
    },
  ];
  const productApiModel = (): ServiceModel => ({
    service: 'product-api',
    namespace: 'catalog',
    runtime: 'go-otel',
    seed: `${scenario.id}:product-api`,
    windows: windows(at, 3, true),
    pods: replicaSet('product-api', 'v5.14.0', '9e3a71c', apiCreated, { stagger: 15 }),
    deployment: steadyDeployment(88),
    rps: (t) => diurnal(55, 19)(t) * 1.05,
    routes: [
      {
        method: 'GET',
        route: '/v1/products',
        weight: 1,
        outcomes: (ctx) => {
          const l = apiLatency(ctx.t);
          return healthy(l.median, { sigma: l.sigma, clientErrors: 0.003 });
        },
      },
    ],
    clients: [
      {
        peer: 'search-ranker.ml.svc.cluster.local',
        port: 8080,
        method: 'POST',
        uri: '/v2/rank',
        callsPerRequest: () => 0.8,
        outcomes: (ctx) => [{ code: 200, frac: 1, ...rankerLatency(ctx.t) }],
      },
    ],
    dbOps: [
      { operation: 'SELECT', collection: 'products', perRequest: 1, latency: () => ({ median: 0.002, sigma: 0.5 }) },
    ],
    pool: steadyPool(20, 0.003),
    database: { name: 'products', host: 'products-db.catalog.svc.cluster.local' },
    resources: baseResources('go-otel'),
    limits: baseLimits('go-otel'),
    appHttp: true,
    scrape: { style: 'pods', port: 9464 },
  });
  return {
    scenario,
    build: () => ({
      service: 'webshop',
      namespace: 'web',
      runtime: 'go-otel',
      seed: scenario.id,
      windows: windows(at, 3, true),
      pods: replicaSet('webshop', 'v12.3.1', '44b0c8e', created, { stagger: 20 }),
      deployment: steadyDeployment(102),
      rps: diurnal(55, 19),
      routes: webshopRoutes,
      clients: webshopClients,
      dbOps: [],
      resources: {
        ...baseResources('go-otel', { cpuPerRequest: 0.003 }),
        // Goroutines wait on the slow calls (Go's in-flight requests are goroutines).
        goroutines: (ctx) =>
          40 + 0.6 * ctx.rps + inFlight(webshopRoutes, ctx) + 3 * ctx.noise.uniform(`gr:${ctx.pod.name}`, ctx.t),
      },
      limits: baseLimits('go-otel'),
      exporters: [companionServices(productApiModel())],
      appHttp: true,
      scrape: { style: 'pods', port: 9464 },
    }),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// dependency-failure (Micrometer): the callee answers 503; Spring's RestTemplate throws and our routes answer 500.

function dispatchCalleeErrors(): ScenarioDefinition {
  const at = sec('2026-10-08T07:50:00Z');
  const onset = at - 11 * MINUTE;
  const created = sec('2026-10-06T13:30:00Z');
  const outage = (t: number) => ramp(t, onset, 60);
  const failing = (t: number) => 0.38 * outage(t);
  const callee = 'routing-engine.fleet.svc.cluster.local';
  const scenario = scenarioOf(
    {
      id: 'dependency-failure-callee-5xx-micrometer',
      service: 'dispatch',
      namespace: 'fleet',
      convention: 'micrometer',
      cause: 'dependency-failure',
      symptom: 'dispatch returning 500 errors',
      description:
        'From 07:39 routing-engine (an internal service of the same namespace) answers 503 to ~38 % of calls. ' +
        'dispatch calls it with RestTemplate on the two routes that need a route plan; the ' +
        'HttpServerErrorException$ServiceUnavailable is not handled, so Spring answers 500 on those two routes. Our ' +
        'own 5xx are 500s on specific routes with an exception tag, like a code bug; the client metrics show the ' +
        'callee failing at the same moment and rate. No deploy, no restarts, no resource pressure.',
      extras: [],
      evidence: [
        'http_client_requests_seconds_count{client_name="routing-engine.fleet.svc.cluster.local",status="503",outcome="SERVER_ERROR"} ~38 % of calls since 07:39',
        'http_server_requests_seconds_count{status="500",exception="ServiceUnavailable"} on POST /api/dispatch/assign and GET /api/dispatch/{id}/eta only (~20 % of all requests)',
        'calls to drivers.fleet.svc.cluster.local all 200',
        'CPU, heap, threads, HikariCP, restarts, version normal',
      ],
    },
    at,
    onset,
    3,
    false,
  );
  const planned = (method: string, route: string, weight: number, median: number): RouteModel => ({
    method,
    route,
    weight,
    outcomes: (ctx) =>
      withFailure(
        healthy(median, { ok: method === 'POST' ? 201 : 200 }),
        { code: 500, median: 0.02, sigma: 0.5, exception: 'ServiceUnavailable' },
        failing(ctx.t),
      ),
  });
  return {
    scenario,
    build: () => ({
      service: 'dispatch',
      namespace: 'fleet',
      runtime: 'jvm',
      seed: scenario.id,
      windows: windows(at, 3, false),
      pods: replicaSet('dispatch', '4.6.3', '2aa9f10', created, { stagger: 40, readySeconds: 30 }),
      deployment: steadyDeployment(57),
      rps: diurnal(42, 8),
      routes: [
        planned('POST', '/api/dispatch/assign', 0.3, 0.14),
        planned('GET', '/api/dispatch/{id}/eta', 0.25, 0.06),
        steadyRoute('GET', '/api/dispatch/{id}', 0.3, 0.015, { clientErrors: 0.01 }),
        steadyRoute('GET', '/api/drivers/available', 0.15, 0.03),
      ],
      clients: [
        {
          peer: callee,
          port: 8080,
          method: 'POST',
          uri: '/v1/plans',
          callsPerRequest: () => 0.55,
          outcomes: (ctx) => [
            { code: 200, frac: 0.9995 - failing(ctx.t), median: 0.05, sigma: 0.45 },
            { code: 500, frac: 0.0005, median: 0.02, sigma: 0.4 },
            { code: 503, frac: failing(ctx.t), median: 0.006, sigma: 0.5 },
          ],
        },
        {
          peer: 'drivers.fleet.svc.cluster.local',
          port: 8080,
          method: 'GET',
          uri: '/v1/drivers?zone={zone}',
          callsPerRequest: () => 0.4,
          outcomes: () => [{ code: 200, frac: 1, median: 0.012, sigma: 0.4 }],
        },
      ],
      dbOps: [],
      pool: steadyPool(10, 0.02),
      resources: baseResources('jvm'),
      limits: baseLimits('jvm'),
      appHttp: true,
      scrape: { style: 'pods', port: 8080 },
    }),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// memory-leak (prom-client + ingress-nginx): the leak shows as three OOM kills over the last hours (saw-tooth).

function ticketsOomSawtooth(): ScenarioDefinition {
  const at = sec('2026-10-09T13:40:00Z');
  const onset = at - 12 * MINUTE;
  const limit = 768 * MIB;
  const base = 170 * MIB;
  const deploy = at - 22 * HOUR;
  // The last OOM kill of each pod: 7.2 h, 3.5 h and 12 min before `at`; each pod was killed once before that (more
  // than 8 h ago) and started with the deploy. Seat-map subscriptions are WebSockets, unevenly spread over the pods,
  // so each pod leaks at its own rate: two equal runs per pod since the deploy.
  const kills = [at - 7.2 * HOUR, at - 3.5 * HOUR, onset];
  const period = (slot: number) => ((kills[slot] ?? onset) - deploy) / 2;
  const slope = (slot: number) => ((limit * 0.995 - base) / period(slot)) * HOUR; // bytes per hour
  const scenario = scenarioOf(
    {
      id: 'memory-leak-oom-sawtooth-prom-client',
      service: 'tickets',
      namespace: 'events',
      convention: 'prom-client',
      cause: 'memory-leak',
      symptom: 'tickets pods keep restarting, 502s on tickets',
      description:
        'Since version 8.1.0 (deployed yesterday at 15:40) tickets keeps every seat-map subscription in a module-level ' +
        'Map and never deletes it: the heap grows 55–80 MiB/h per pod (WebSocket subscriptions are spread unevenly) ' +
        'until the container hits its 768 MiB limit after 7.5–11 h and is OOMKilled (NODE_OPTIONS sets --max-old-space-size=1024, above the container ' +
        'limit, so the kernel kills the process before V8 would throw). In the 8 h history the three pods were killed at 06:28, 10:10 and 13:28; ' +
        'each kill loses the requests in flight (502 at ingress-nginx). Memory is a saw-tooth: linear growth to the ' +
        'limit, a drop at the restart, growth again. The pod killed at 06:28 is at ~97 % now, its next kill minutes away.',
      extras: ['ingress-nginx'],
      evidence: [
        'container_memory_working_set_bytes, process_resident_memory_bytes and nodejs_heap_size_used_bytes grow linearly (55–80 MiB/h) to the limit, drop at each restart (saw-tooth)',
        'kube_pod_container_status_restarts_total +1 on each pod within 8 h; kube_pod_container_status_last_terminated_reason{reason="OOMKilled"} on all three',
        'nginx_ingress_controller_requests{status="502"} bursts at each kill (the last at 13:28); app 5xx none',
        'no version or generation change in the window; CPU normal; request rate normal',
      ],
    },
    at,
    onset,
    8,
    false,
  );
  const pods = [0, 1, 2].map((slot) => {
    const kill = kills[slot] ?? onset;
    const runs: Array<[number, number, ExitReason?]> = [
      [deploy, deploy + period(slot), 'OOMKilled'],
      [deploy + period(slot) + 10, kill, 'OOMKilled'],
      [kill + 10, Number.POSITIVE_INFINITY],
    ];
    return makePod({
      service: 'tickets',
      replicaSetSeed: '8.1.0',
      slot,
      created: deploy,
      version: '8.1.0',
      revision: 'd3f8a21',
      runs,
      readySeconds: 8,
    });
  });
  const fill = (ctx: PodContext) => Math.min(0.995, (base + (slope(ctx.pod.slot) * ctx.uptime) / HOUR) / limit);
  const pressure = (ctx: PodContext) => clamp((fill(ctx) - 0.9) / 0.09, 0, 1) ** 2;
  const resources = baseResources('node', { cpuPerRequest: 0.005 });
  return {
    scenario,
    build: () => ({
      service: 'tickets',
      namespace: 'events',
      runtime: 'node',
      seed: scenario.id,
      windows: windows(at, 8, false),
      pods,
      deployment: steadyDeployment(19),
      rps: diurnal(50, 13),
      routes: [
        {
          method: 'GET',
          route: '/api/events/:eventId/seats',
          weight: 0.55,
          outcomes: (ctx) => slower(healthy(0.03, { clientErrors: 0.004 }), 1 + 2 * pressure(ctx)),
        },
        {
          method: 'POST',
          route: '/api/orders',
          weight: 0.2,
          outcomes: (ctx) =>
            slower(healthy(0.09, { ok: 201, clientErrors: 0.02, clientErrorCode: 409 }), 1 + 2 * pressure(ctx)),
        },
        {
          method: 'GET',
          route: '/api/events/:eventId',
          weight: 0.25,
          outcomes: (ctx) => slower(healthy(0.012), 1 + 2 * pressure(ctx)),
        },
      ],
      clients: [],
      dbOps: [],
      resources: {
        ...resources,
        rssBytes: (ctx) => fill(ctx) * limit * (1 + 0.004 * ctx.noise.white(`rss:${ctx.pod.name}`, ctx.t)),
        heapUsedBytes: (ctx) => Math.max(60 * MIB, fill(ctx) * limit - 85 * MIB),
        cpuCores: (ctx) => resources.cpuCores(ctx) + 0.25 * pressure(ctx),
        gcPerSecond: (ctx) => resources.gcPerSecond(ctx) + 2 * pressure(ctx),
      },
      limits: baseLimits('node', { memoryBytes: limit, memoryRequestBytes: 512 * MIB }),
      edge: 'ingress-nginx',
      appHttp: true,
      scrape: { style: 'service-monitor', port: 3000 },
    }),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// unknown (client_golang, custom registry): only `up` and a request counter without routes; 503s rise.

function geoipUnmeasured(): ScenarioDefinition {
  const at = sec('2026-10-10T15:05:00Z');
  const onset = at - 10 * MINUTE;
  const created = sec('2026-10-07T11:50:00Z');
  const failing = (t: number) => 0.12 * ramp(t, onset, 90);
  const scenario = scenarioOf(
    {
      id: 'unknown-unmeasured-promhttp',
      service: 'geoip',
      namespace: 'edge-services',
      convention: 'promhttp',
      cause: 'unknown',
      symptom: 'geoip returning 503s',
      description:
        'geoip is a small Go service that registers a single promhttp counter, http_requests_total{code,method}, on ' +
        'a custom registry: no latency histogram, no Go or process collectors, no client or pool metrics. From 14:55 ' +
        '~12 % of requests answer 503. (The cause — its licence-check callout is being refused — is nowhere in the ' +
        'metrics.) Kubernetes shows nothing unusual: no restarts, no deploy, CPU and memory flat. The metrics say ' +
        'what moved, not why.',
      lacks: ['process', 'build-info'],
      extras: [],
      evidence: [
        'http_requests_total{job="geoip",code="503"} ~12 % of requests since 14:55 (no route label)',
        'no latency, runtime, client, pool or log metrics exist for geoip',
        'container CPU and memory flat, no restarts, generation unchanged',
      ],
    },
    at,
    onset,
    3,
    false,
  );
  return {
    scenario,
    build: () => ({
      service: 'geoip',
      namespace: 'edge-services',
      runtime: 'go',
      seed: scenario.id,
      windows: windows(at, 3, false),
      pods: replicaSet('geoip', 'v1.8.2', '7d2c6b1', created, { stagger: 10 }),
      deployment: steadyDeployment(12),
      rps: diurnal(140, 15),
      routes: [
        {
          method: 'GET',
          route: '/v1/lookup/{ip}',
          weight: 1,
          outcomes: (ctx) =>
            withFailure(
              healthy(0.002, { clientErrors: 0.01, clientErrorCode: 400 }),
              { code: 503, median: 0.001, sigma: 0.4 },
              failing(ctx.t),
            ),
        },
      ],
      clients: [],
      dbOps: [],
      resources: baseResources('go-otel', { cpuPerRequest: 0.0008, goroutines: 20 }),
      limits: baseLimits('go-otel', { memoryBytes: 256 * MIB, memoryRequestBytes: 128 * MIB }),
      appHttp: true,
      runtimeHttp: false,
      appEmitters: [
        handRolledHttp({
          family: 'http_requests',
          sample: 'http_requests_total',
          help: 'How many HTTP requests processed, partitioned by status code and HTTP method.',
          status: 'code',
          method: 'method',
        }),
      ],
      scrape: { style: 'pods', port: 9100 },
    }),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// bad-deploy (OpenTelemetry Go): a service with one route; 500s after a rollout. "All errors on one route" says
// nothing when there is one route.

function webhooksSingleRoute(): ScenarioDefinition {
  const at = sec('2026-10-12T09:35:00Z');
  const deploy = at - 14 * MINUTE;
  const onset = deploy + 60;
  const oldCreated = sec('2026-10-08T16:10:00Z');
  const newVersion = 'v2.5.0';
  const scenario = scenarioOf(
    {
      id: 'bad-deploy-single-route-otel',
      service: 'webhooks',
      namespace: 'integrations',
      convention: 'otel',
      cause: 'bad-deploy',
      symptom: 'webhooks failing with 500',
      description:
        'webhooks has exactly one route, POST /hooks/{provider}. At 09:21 a rolling update (generation 34 → 35, ' +
        'v2.4.3 → v2.5.0) replaces the three pods within a minute; v2.5.0 verifies signatures with the wrong header ' +
        'for two providers and answers 500 to ~28 % of deliveries. All errors are on the one route, as they would be ' +
        'for any cause; the deploy right before the onset is what tells.',
      extras: [],
      evidence: [
        'kube_deployment_metadata_generation 34 → 35 at 09:21; new pods with process start 09:21, target_info service_version v2.5.0',
        'http_server_request_duration_seconds_count{http_route="/hooks/{provider}",http_response_status_code="500"} ~28 % from 09:22, only on v2.5.0 pods',
        'a day earlier and before 09:21: no 500s; CPU, memory normal; no crash restarts',
      ],
    },
    at,
    onset,
    3,
    true,
  );
  const isNew = (ctx: PodContext) => ctx.pod.version === newVersion;
  const newPodCreated = (slot: number) => deploy + slot * 20;
  return {
    scenario,
    build: () => ({
      service: 'webhooks',
      namespace: 'integrations',
      runtime: 'go-otel',
      seed: scenario.id,
      windows: windows(at, 3, true),
      pods: [
        ...replicaSet('webhooks', 'v2.4.3', '61c0e5a', oldCreated, {
          stagger: 25,
          deleted: (slot) => newPodCreated(slot) + 20,
        }),
        ...replicaSet('webhooks', newVersion, 'a8d4f02', deploy, { stagger: 20, readySeconds: 6 }),
      ],
      deployment: {
        replicas: 3,
        generations: [
          [0, 34],
          [deploy - 2, 35],
        ],
      },
      rps: diurnal(30, 11),
      routes: [
        {
          method: 'POST',
          route: '/hooks/{provider}',
          weight: 1,
          outcomes: (ctx) => {
            const base = healthy(0.025, { ok: 202, clientErrors: 0.003, clientErrorCode: 401 });
            return isNew(ctx) ? withFailure(base, { code: 500, median: 0.004, sigma: 0.4 }, 0.28) : base;
          },
        },
      ],
      clients: [],
      dbOps: [
        {
          operation: 'INSERT',
          collection: 'deliveries',
          perRequest: 1,
          latency: () => ({ median: 0.003, sigma: 0.5 }),
        },
      ],
      pool: steadyPool(10, 0.004),
      database: { name: 'webhooks', host: 'webhooks-db.integrations.svc.cluster.local' },
      resources: baseResources('go-otel'),
      limits: baseLimits('go-otel'),
      appHttp: true,
      scrape: { style: 'pods', port: 9464 },
    }),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// unknown (ingress-nginx only): 504s at the proxy's 60 s timeout; nothing of the application is measured.

function intranetProxyTimeouts(): ScenarioDefinition {
  const at = sec('2026-10-13T10:10:00Z');
  const onset = at - 13 * MINUTE;
  const created = sec('2026-09-30T07:00:00Z');
  const hanging = (t: number) => 0.3 * ramp(t, onset, 120);
  const scenario = scenarioOf(
    {
      id: 'unknown-proxy-504-ingress-nginx',
      service: 'staffportal',
      namespace: 'intranet',
      convention: 'ingress-nginx',
      cause: 'unknown',
      symptom: 'staffportal gives 504 gateway timeout',
      description:
        'staffportal is a legacy application without metrics: its Deployment has scrape annotations, but the port ' +
        'serves an empty registry, so Prometheus has `up` for it and nothing else. From 09:57 ~30 % of requests get ' +
        'no answer and ingress-nginx answers 504 at its 60 s proxy-read-timeout. Its CPU and memory (cAdvisor) are ' +
        'flat, no restarts, no deploy. Why requests hang — a lock, a slow backend, a full worker pool — cannot be ' +
        'read from the metrics.',
      lacks: ['process', 'build-info'],
      extras: ['ingress-nginx'],
      evidence: [
        'nginx_ingress_controller_requests{ingress="staffportal",status="504"} ~30 % since 09:57; nginx_ingress_controller_request_duration_seconds of those = 60 s',
        'no HTTP, runtime or client metrics of the application; up{job="staffportal"} 1',
        'container CPU and memory flat, no restarts, generation unchanged',
      ],
    },
    at,
    onset,
    3,
    false,
  );
  const route = (method: string, weight: number, median: number): RouteModel => ({
    method,
    route: '/',
    weight,
    outcomes: (ctx) =>
      withFailure(
        healthy(median, { clientErrors: 0.01 }),
        { code: 504, median: 60.0, sigma: 0.002, cap: 60.01 },
        hanging(ctx.t),
      ),
  });
  return {
    scenario,
    build: () => ({
      service: 'staffportal',
      namespace: 'intranet',
      runtime: 'go',
      seed: scenario.id,
      windows: windows(at, 3, false),
      pods: replicaSet('staffportal', '2019.4.7', '0b7e2f9', created, { stagger: 60, readySeconds: 40 }),
      deployment: steadyDeployment(7),
      rps: diurnal(9, 10, 0.6),
      routes: [route('GET', 0.85, 0.18), route('POST', 0.15, 0.3)],
      clients: [],
      dbOps: [],
      resources: baseResources('go-otel', { cpuPerRequest: 0.01 }),
      limits: baseLimits('go-otel'),
      edge: 'ingress-nginx',
      appHttp: false,
      scrape: { style: 'pods', port: 8080 },
    }),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// healthy (prom-client + kafka_exporter): the nightly statement run spikes traffic, CPU and queue lag at 02:00, as
// it did yesterday and every night.

function statementsNightly(): ScenarioDefinition {
  const at = sec('2026-10-14T02:15:00Z');
  const onset = at - 13 * MINUTE;
  const created = sec('2026-10-10T14:25:00Z');
  /** The nightly run: 02:00–02:40 every day, ramping up over 2 minutes and down over 5. */
  const nightly = (t: number) => {
    const h = hourOfDay(t);
    return ramp(h, 2, 2 / 60) * (1 - ramp(h, 2 + 35 / 60, 5 / 60));
  };
  const scenario = scenarioOf(
    {
      id: 'healthy-nightly-job-prom-client',
      service: 'statements',
      namespace: 'banking',
      convention: 'prom-client',
      cause: 'healthy',
      symptom: 'statements CPU spiked, is statements ok?',
      description:
        'Every night at 02:00 the statement-scheduler CronJob enqueues one render job per account on Kafka and calls ' +
        'POST /internal/statements/render for each: request rate ×4, CPU from ~10 % to ~55 % of the limit, consumer ' +
        'lag on statements.render up to ~40 000 and draining by ~02:40. Latency stays well under a second and ' +
        'nothing fails. The same happened at 02:00 yesterday (and every night): it is the service’s normal life.',
      extras: ['kafka_exporter'],
      evidence: [
        'http_requests_total rate ×4 from 02:00 vs 01:50 — and the same ×4 at 02:00 a day earlier (offset 1d)',
        'container_cpu_usage_seconds_total ~0.55 core of 1 from 02:00, like yesterday; no throttling to speak of',
        'kafka_consumergroup_lag_sum{consumergroup="statements",topic="statements.render"} up to ~40 000 from ~0, like yesterday',
        'no 5xx, p99 < 0.5 s; no restarts, no deploy',
      ],
    },
    at,
    onset,
    3,
    true,
  );
  const baseRps = diurnal(18, 14, 0.4);
  const scale = (t: number) => 1 + 3 * nightly(t);
  /** Share of the requests that are renders: 5 % by day, ~80 % during the run. */
  const renderShare = (t: number) => 0.05 + (0.95 * 3 * nightly(t)) / scale(t);
  // Route weights are fixed, so both routes get weight 1 and `share` sets the split of the requests at t (the
  // simulator gives each route half of them; outcome shares are scaled by 2 × the route's share).
  const share = (outcomes: ReturnType<RouteModel['outcomes']>, s: number) =>
    outcomes.map((o) => ({ ...o, frac: o.frac * 2 * s }));
  const renders = (ctx: PodContext) => ctx.rps * renderShare(ctx.t);
  return {
    scenario,
    build: () => ({
      service: 'statements',
      namespace: 'banking',
      runtime: 'node',
      seed: scenario.id,
      windows: windows(at, 3, true),
      pods: replicaSet('statements', '6.0.2', 'c71b5e8', created, { stagger: 30 }),
      deployment: steadyDeployment(22),
      rps: (t) => baseRps(t) * scale(t),
      routes: [
        {
          method: 'POST',
          route: '/internal/statements/render',
          weight: 1,
          outcomes: (ctx) => share(slower(healthy(0.06, { ok: 202 }), 1 + 0.5 * nightly(ctx.t)), renderShare(ctx.t)),
        },
        {
          method: 'GET',
          route: '/api/statements/:id',
          weight: 1,
          outcomes: (ctx) =>
            share(slower(healthy(0.02, { clientErrors: 0.01 }), 1 + 0.3 * nightly(ctx.t)), 1 - renderShare(ctx.t)),
        },
      ],
      clients: [],
      dbOps: [],
      resources: {
        ...baseResources('node', { cpuPerRequest: 0.004, cpuIdle: 0.03 }),
        // A render (a PDF) costs ~10× the CPU of a read.
        cpuCores: (ctx) =>
          (0.03 + 0.004 * ctx.rps + 0.042 * renders(ctx)) * ctx.noise.factor(`cpu:${ctx.pod.name}`, ctx.t, 0.06),
      },
      limits: baseLimits('node'),
      exporters: [
        kafkaExporter(
          {
            target: {
              job: 'kafka-exporter',
              instance: '10.42.61.27:9308',
              namespace: 'kafka',
              pod: 'kafka-exporter-7f9c6d5b8-h2kxq',
              container: 'kafka-exporter',
            },
          },
          [
            {
              consumergroup: 'statements',
              topic: 'statements.render',
              partitions: 6,
              members: () => 3,
              lag: (t) => {
                const h = hourOfDay(t);
                // Enqueued at 02:00 in a few minutes, drained by ~02:40.
                const enqueued = 42000 * ramp(h, 2, 4 / 60);
                const drained = 42000 * ramp(h, 2 + 3 / 60, 37 / 60);
                return 20 + Math.max(0, enqueued - drained);
              },
              producedPerSecond: (t) =>
                0.5 + 175 * ramp(hourOfDay(t), 2, 4 / 60) * (1 - ramp(hourOfDay(t), 2 + 4 / 60, 1 / 60)),
              origin: at - 60 * DAY,
            },
          ],
        ),
      ],
      appHttp: true,
      scrape: { style: 'pods', port: 3000 },
    }),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// traffic-surge (OpenTelemetry Go): goroutines grow because requests in flight grow, not because of a leak.

function leaderboardSurge(): ScenarioDefinition {
  const at = sec('2026-10-15T20:12:00Z');
  const onset = at - 12 * MINUTE;
  const created = sec('2026-10-12T10:45:00Z');
  const surge = (t: number) => ramp(t, onset, 3 * MINUTE);
  const cpuPerRequest = 0.0045;
  const utilisation = (ctx: PodContext) => 0.03 + cpuPerRequest * ctx.rps;
  const overload = (ctx: PodContext) => clamp((utilisation(ctx) - 0.85) / 0.25, 0, 1);
  const scenario = scenarioOf(
    {
      id: 'traffic-surge-goroutines-otel',
      service: 'leaderboard',
      namespace: 'gaming',
      convention: 'otel',
      cause: 'traffic-surge',
      symptom: 'leaderboard slow and goroutines climbing',
      description:
        'A tournament final starts at 20:00 and every client polls the leaderboard: 3.5× the requests of the same ' +
        'time yesterday. The pods hit their 1-core limit, latency climbs and the overload guard sheds ~6 % with 503. ' +
        'Go runs one goroutine per request in flight and per open keep-alive connection, so go_goroutines grows ' +
        '~4× with the traffic — and would fall back with it. No leak: goroutines per request in flight are constant.',
      extras: [],
      evidence: [
        'http_server_request_duration_seconds_count rate ×3.5 vs offset 1d and vs 19:50',
        'go_goroutines from ~90 to ~280 per pod from 20:00, in step with the request rate and latency (in-flight requests)',
        'CPU at the 1-core limit, throttled; p99 latency up; 503 ~6 %',
        'no deploy, no restarts, memory up slightly; CPU per request unchanged',
      ],
    },
    at,
    onset,
    3,
    true,
  );
  const shed = (ctx: PodContext, median: number): ReturnType<RouteModel['outcomes']> =>
    withFailure(
      slower(healthy(median, { clientErrors: 0.002 }), 1 + 12 * overload(ctx), 0.55 + 0.35 * overload(ctx)),
      { code: 503, median: 0.001, sigma: 0.4 },
      0.065 * overload(ctx),
    );
  const routes: RouteModel[] = [
    { method: 'GET', route: '/v1/leaderboards/{id}', weight: 0.75, outcomes: (ctx) => shed(ctx, 0.012) },
    {
      method: 'GET',
      route: '/v1/leaderboards/{id}/players/{playerId}',
      weight: 0.2,
      outcomes: (ctx) => shed(ctx, 0.008),
    },
    steadyRoute('POST', '/v1/scores', 0.05, 0.02, { ok: 201 }),
  ];
  const resources = baseResources('go-otel', { cpuPerRequest, cpuIdle: 0.03 });
  return {
    scenario,
    build: () => ({
      service: 'leaderboard',
      namespace: 'gaming',
      runtime: 'go-otel',
      seed: scenario.id,
      windows: windows(at, 3, true),
      pods: replicaSet('leaderboard', 'v3.1.0', 'e52a9b4', created, { stagger: 15 }),
      deployment: steadyDeployment(40),
      rps: (t) => diurnal(150, 20)(t) * (1 + 2.5 * surge(t)),
      routes,
      clients: [],
      dbOps: [],
      resources: {
        ...resources,
        goroutines: (ctx) =>
          30 + 0.9 * ctx.rps + 1.5 * inFlight(routes, ctx) + 3 * ctx.noise.uniform(`gr:${ctx.pod.name}`, ctx.t),
        threads: (ctx) => resources.threads(ctx) + 4 * overload(ctx),
        rssBytes: (ctx) => resources.rssBytes(ctx) + 0.05 * MIB * inFlight(routes, ctx) + 0.06 * MIB * ctx.rps,
      },
      limits: baseLimits('go-otel'),
      appHttp: true,
      scrape: { style: 'pods', port: 9464 },
    }),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// connection-pool-exhausted (Micrometer + HikariCP): Tomcat threads pile up behind the pool; not a thread leak.

function policiesPoolThreads(): ScenarioDefinition {
  const at = sec('2026-10-16T14:45:00Z');
  const onset = at - 12 * MINUTE;
  const created = sec('2026-10-13T09:30:00Z');
  const batch = (t: number) => ramp(t, onset - 2 * MINUTE, 2 * MINUTE);
  const max = 10;
  const batchConnections = 8;
  const hold = 0.06;
  const demand = (ctx: PodContext) => ctx.rps * hold * ctx.noise.factor(`demand:${ctx.pod.name}`, ctx.t, 0.08);
  const available = (t: number) => max - batchConnections * batch(t);
  const pressure = (ctx: PodContext) => demand(ctx) / Math.max(0.5, available(ctx.t));
  const timeoutFrac = (ctx: PodContext) => clamp((pressure(ctx) - 1) * 1.2, 0, 0.4);
  const wait = (ctx: PodContext) => (pressure(ctx) > 0.95 ? 0.5 + 2 * clamp((pressure(ctx) - 0.95) * 3, 0, 1) : 0);
  const scenario = scenarioOf(
    {
      id: 'connection-pool-exhausted-thread-growth-micrometer',
      service: 'policies',
      namespace: 'underwriting-core',
      convention: 'micrometer',
      cause: 'connection-pool-exhausted',
      symptom: 'policies timing out, threads growing on policies',
      description:
        'At 14:31 an operator enables the month-end reconciliation, a @Scheduled job without a cluster lock: on every ' +
        'pod 8 worker threads each hold a JDBC connection for minutes (many quick statements in one long ' +
        'transaction). That leaves 2 of HikariCP’s 10 connections for requests: active == max, 20–70 threads wait ' +
        'for a connection, some give up after the 5 s connectionTimeout (503). Every waiting request holds a Tomcat ' +
        'worker, so Tomcat starts more workers: tomcat busy threads and jvm_threads_live_threads grow from ~70 to ' +
        '~170. The threads follow the pool waits; Postgres itself is fast; traffic is normal.',
      extras: [],
      evidence: [
        'hikaricp_connections_active == hikaricp_connections_max (10) on every pod from ~14:31; hikaricp_connections_pending 20–70; hikaricp_connections_timeout_total rising',
        'hikaricp_connections_acquire_seconds mean ~1–2.5 s (from < 1 ms)',
        'tomcat_threads_busy_threads and jvm_threads_live_threads up ~2× after the pool saturates, jvm_threads_states_threads{state="waiting"} up',
        'http_server_requests_seconds_count{status="503",exception="SQLTransientConnectionException"} ~20 %; latency up',
        'request rate normal; CPU low; no deploy, no restarts; heap flat',
      ],
    },
    at,
    onset,
    3,
    false,
  );
  const dbRoute = (method: string, route: string, weight: number, median: number): RouteModel => ({
    method,
    route,
    weight,
    outcomes: (ctx) => {
      const w = wait(ctx);
      const base = healthy(median + w, { ok: method === 'POST' ? 201 : 200, sigma: w > 0 ? 0.7 : 0.5 });
      const capped = w > 0 ? base.map((o) => ({ ...o, cap: 5 + median })) : base;
      return withFailure(
        capped,
        { code: 503, median: 5.002, sigma: 0.01, exception: 'SQLTransientConnectionException' },
        timeoutFrac(ctx),
      );
    },
  });
  const routes: RouteModel[] = [
    dbRoute('GET', '/api/policies/{id}', 0.55, 0.02),
    dbRoute('GET', '/api/policies', 0.25, 0.05),
    dbRoute('POST', '/api/policies/{id}/endorsements', 0.2, 0.07),
  ];
  const resources = baseResources('jvm', { cpuPerRequest: 0.006 });
  return {
    scenario,
    build: () => ({
      service: 'policies',
      namespace: 'underwriting-core',
      runtime: 'jvm',
      seed: scenario.id,
      windows: windows(at, 3, false),
      pods: replicaSet('policies', '11.0.4', '3f6e0d8', created, { stagger: 50, readySeconds: 40 }),
      deployment: steadyDeployment(66),
      rps: diurnal(90, 13),
      routes,
      clients: [],
      dbOps: [],
      pool: (ctx) => {
        const b = batch(ctx.t);
        const p = pressure(ctx);
        if (p < 0.97) {
          const used = clamp(batchConnections * b + demand(ctx), 0, max);
          return {
            max,
            used,
            idle: max - Math.round(used),
            pending: 0,
            timeoutsPerSecond: 0,
            acquire: { median: 0.0004, sigma: 0.7 },
          };
        }
        return {
          max,
          used: max,
          idle: 0,
          pending: clamp(ctx.rps * wait(ctx) * 0.9, 1, 80) * ctx.noise.factor(`pending:${ctx.pod.name}`, ctx.t, 0.15),
          timeoutsPerSecond: ctx.rps * timeoutFrac(ctx),
          acquire: { median: wait(ctx), sigma: 0.8, cap: 5 },
        };
      },
      resources: {
        ...resources,
        // Tomcat workers (one per request in flight, at least 10) plus the JVM's own and the scheduler's threads.
        threads: (ctx) => 48 + batchConnections + clamp(10 + 1.05 * inFlight(routes, ctx), 10, 200),
        cpuCores: (ctx) => resources.cpuCores(ctx) + 0.06 * batch(ctx.t),
      },
      limits: baseLimits('jvm'),
      appHttp: true,
      scrape: { style: 'service-monitor', port: 8080 },
    }),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// unknown (prom-client): latency ×8, everything else flat, and no outbound or DB metrics to say what is slow.

function vatLatencyOnly(): ScenarioDefinition {
  const at = sec('2026-10-17T10:25:00Z');
  const onset = at - 11 * MINUTE;
  const created = sec('2026-10-14T12:00:00Z');
  const slow = (t: number) => ramp(t, onset, 90);
  const scenario = scenarioOf(
    {
      id: 'unknown-latency-no-callgraph-prom-client',
      service: 'vat',
      namespace: 'finance-tax',
      convention: 'prom-client',
      cause: 'unknown',
      symptom: 'vat is slow',
      description:
        'From 10:14 every vat route takes ~8× longer (p99 ~0.2 s → ~2 s). CPU, event-loop lag, memory, request rate ' +
        'and errors are flat; no deploy, no restarts. vat awaits something (it calls a tax-rates service and a ' +
        'database, neither instrumented: prom-client’s defaults have no client or DB metrics), so the time is spent ' +
        'waiting elsewhere — but nothing in the metrics says where. A dependency is likely; which one, and whether it ' +
        'is one, cannot be read.',
      extras: [],
      evidence: [
        'http_request_duration_seconds p50 and p99 ×8 on all routes since 10:14; no 5xx',
        'process CPU, nodejs_eventloop_lag, heap, RSS, request rate flat (vs the hours before)',
        'no http client, DB or pool metrics exist for vat; no restarts, generation unchanged',
      ],
    },
    at,
    onset,
    3,
    false,
  );
  const route = (method: string, path: string, weight: number, median: number): RouteModel => ({
    method,
    route: path,
    weight,
    outcomes: (ctx) =>
      slower(
        healthy(median, { clientErrors: 0.004, clientErrorCode: 422 }),
        1 + 7 * slow(ctx.t),
        0.55 + 0.1 * slow(ctx.t),
      ),
  });
  return {
    scenario,
    build: () => ({
      service: 'vat',
      namespace: 'finance-tax',
      runtime: 'node',
      seed: scenario.id,
      windows: windows(at, 3, false),
      pods: replicaSet('vat', '2.14.0', '8b3d1f6', created, { stagger: 25 }),
      deployment: steadyDeployment(29),
      rps: diurnal(48, 11),
      routes: [route('POST', '/api/vat/calculate', 0.7, 0.035), route('GET', '/api/vat/rates/:country', 0.3, 0.012)],
      clients: [],
      dbOps: [],
      resources: baseResources('node', { cpuPerRequest: 0.004 }),
      limits: baseLimits('node'),
      appHttp: true,
      scrape: { style: 'pods', port: 3000 },
    }),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// cpu-saturation (OpenTelemetry Go) on a service whose 5xx always come from one route, yesterday as today.

function menusCpuChronicRoute(): ScenarioDefinition {
  const at = sec('2026-10-18T12:30:00Z');
  const onset = at - 12 * MINUTE;
  const created = sec('2026-10-15T08:20:00Z');
  const heavy = (t: number) => ramp(t, onset - MINUTE, 3 * MINUTE);
  const cpuPerRequest = 0.0055;
  const utilisation = (ctx: PodContext) => 0.03 + cpuPerRequest * ctx.rps * (1 + 2.6 * heavy(ctx.t));
  const queue = (ctx: PodContext) => 1 + (5 * clamp(utilisation(ctx) - 0.9, 0, 0.5)) / 0.5;
  const scenario = scenarioOf(
    {
      id: 'cpu-saturation-chronic-route-errors-otel',
      service: 'menus',
      namespace: 'restaurants',
      convention: 'otel',
      cause: 'cpu-saturation',
      symptom: 'menus is slow and throwing some 500s',
      description:
        'GET /api/menus/{id}/pdf has failed ~7 % of the time for months (fonts missing for some scripts): it produces ' +
        'nearly all of menus’ 5xx, ~0.3 % of all requests, yesterday as today. At 12:18 a feature flag turns on ' +
        'personalised dish ranking for everyone: CPU per request ×3.6, the pods sit at their 1-core quota, CFS ' +
        'throttles and every route slows ~4–5×. Request rate is flat. The 5xx are what they always were; the CPU is new.',
      extras: [],
      evidence: [
        'http_server_request_duration_seconds_count{http_route="/api/menus/{id}/pdf",http_response_status_code="500"} ~7 % of that route, ~0.3 % overall — the same at offset 1d',
        'container_cpu_usage_seconds_total ≈ the 1-core limit from ~0.3, CFS throttling > 50 % since 12:18',
        'p99 latency of every route ×4–5; request rate flat vs yesterday and the hour before',
        'no deploy, no restarts, memory flat, no new error route',
      ],
    },
    at,
    onset,
    3,
    true,
  );
  const route = (path: string, weight: number, median: number): RouteModel => ({
    method: 'GET',
    route: path,
    weight,
    outcomes: (ctx) =>
      slower(
        healthy(median, { clientErrors: 0.006 }),
        (1 + 1.5 * heavy(ctx.t)) * queue(ctx),
        0.55 + 0.3 * heavy(ctx.t),
        10,
      ),
  });
  const resources = baseResources('go-otel', { cpuPerRequest, cpuIdle: 0.03 });
  return {
    scenario,
    build: () => ({
      service: 'menus',
      namespace: 'restaurants',
      runtime: 'go-otel',
      seed: scenario.id,
      windows: windows(at, 3, true),
      pods: replicaSet('menus', 'v6.7.2', '0f9b3e4', created, { stagger: 20 }),
      deployment: steadyDeployment(74),
      rps: diurnal(110, 12),
      routes: [
        route('/api/menus/{id}', 0.6, 0.02),
        route('/api/restaurants/{id}', 0.25, 0.015),
        route('/api/menus/{id}/dishes', 0.11, 0.03),
        {
          method: 'GET',
          route: '/api/menus/{id}/pdf',
          weight: 0.04,
          outcomes: (ctx) =>
            withFailure(
              slower(healthy(0.4), (1 + 0.5 * heavy(ctx.t)) * queue(ctx), 0.6, 10),
              { code: 500, median: 0.05, sigma: 0.5 },
              0.07,
            ),
        },
      ],
      clients: [],
      dbOps: [
        { operation: 'SELECT', collection: 'menus', perRequest: 1, latency: () => ({ median: 0.0022, sigma: 0.5 }) },
      ],
      pool: steadyPool(20, 0.003),
      database: { name: 'menus', host: 'menus-db.restaurants.svc.cluster.local' },
      resources: {
        ...resources,
        cpuCores: (ctx) => utilisation(ctx) * ctx.noise.factor(`cpu:${ctx.pod.name}`, ctx.t, 0.05),
      },
      limits: baseLimits('go-otel'),
      appHttp: true,
      scrape: { style: 'pods', port: 9464 },
    }),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// healthy (Micrometer): G1's old generation fills for ~40 minutes and is emptied by a mixed collection, over and
// over. Over any half hour the heap "grows steadily"; over three hours it is a saw-tooth, and the container's
// memory is flat (the JVM keeps its committed heap).

function boardingHeapSawtooth(): ScenarioDefinition {
  const at = sec('2026-10-19T16:50:00Z');
  const onset = at - 15 * MINUTE;
  const created = sec('2026-10-16T11:35:00Z');
  const cycle = 42 * MINUTE;
  const scenario = scenarioOf(
    {
      id: 'healthy-heap-sawtooth-micrometer',
      service: 'boarding',
      namespace: 'airport',
      convention: 'micrometer',
      cause: 'healthy',
      symptom: 'boarding heap keeps growing, is boarding leaking memory?',
      description:
        'boarding is healthy. Its G1 heap fills by ~500 MiB over ~40 minutes and a mixed collection empties ' +
        'it; each pod is at its own point of the cycle. Someone looking at the last 30 minutes of ' +
        'jvm_memory_used_bytes{area="heap"} sees steady growth; the 3 h history is a saw-tooth with the same peaks, ' +
        'RSS and the container working set are flat (the JVM does not return committed heap), GC pauses are short, ' +
        'latency and errors normal.',
      extras: [],
      evidence: [
        'sum of jvm_memory_used_bytes{area="heap"} saw-tooth ~360 → ~860 MiB every ~42 min on each pod (most of it G1 Old Gen), same peaks for 3 h',
        'container_memory_working_set_bytes and process RSS flat at ~65 % of the 1.5 GiB limit (committed heap); no restarts',
        '5xx < 0.02 %, mean latency < 50 ms, _max < 1 s, HikariCP < 30 %, CPU < 20 %',
      ],
    },
    at,
    onset,
    3,
    false,
  );
  const resources = baseResources('jvm', { rssBytes: 1010 * MIB });
  return {
    scenario,
    build: () => ({
      service: 'boarding',
      namespace: 'airport',
      runtime: 'jvm',
      seed: scenario.id,
      windows: windows(at, 3, false),
      pods: replicaSet('boarding', '5.8.1', 'aa41c07', created, { stagger: 40, readySeconds: 35 }),
      deployment: steadyDeployment(38),
      rps: diurnal(45, 16),
      routes: [
        steadyRoute('GET', '/api/flights/{flightId}/boarding', 0.6, 0.02),
        steadyRoute('POST', '/api/boarding-passes/{id}/scan', 0.3, 0.035, {
          clientErrors: 0.01,
          clientErrorCode: 409,
          serverErrors: 0.0002,
          exception: 'OptimisticLockingFailureException',
        }),
        steadyRoute('GET', '/api/gates/{gate}', 0.1, 0.01),
      ],
      clients: [],
      dbOps: [],
      pool: steadyPool(10, 0.02),
      resources: {
        ...resources,
        heapUsedBytes: (ctx) => {
          const phase = (((ctx.t + ctx.pod.slot * 0.37 * cycle) % cycle) + cycle) % cycle;
          const young = 60 * MIB * ctx.noise.uniform(`young:${ctx.pod.name}`, ctx.t);
          return 330 * MIB + 500 * MIB * (phase / cycle) + young;
        },
        gcPerSecond: (ctx) => resources.gcPerSecond(ctx) + 0.02,
      },
      limits: baseLimits('jvm'),
      appHttp: true,
      scrape: { style: 'service-monitor', port: 8080 },
    }),
  };
}

export const DEFINITIONS: readonly ScenarioDefinition[] = [
  ratingCpuBurst(),
  premiumsCpuBurst(),
  webshopTwoHops(),
  dispatchCalleeErrors(),
  ticketsOomSawtooth(),
  geoipUnmeasured(),
  webhooksSingleRoute(),
  intranetProxyTimeouts(),
  statementsNightly(),
  leaderboardSurge(),
  policiesPoolThreads(),
  vatLatencyOnly(),
  menusCpuChronicRoute(),
  boardingHeapSawtooth(),
];
