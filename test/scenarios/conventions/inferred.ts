/**
 * Services whose own HTTP metrics match no convention in signals/*.yml: teams registered their own counters and
 * histograms (prom-client, client_golang, client_python) or send DogStatsD to a statsd_exporter sidecar. Triage
 * must infer the request counters, latency histograms, summaries and client counters from names and labels
 * (src/domain/discovery/infer-variants.ts). cAdvisor, kube-state-metrics, `up` and the runtime's process
 * collectors are there as usual.
 */
import {
  boundsInSeconds,
  fineBounds,
  handRolledClientCounter,
  handRolledHttp,
  statsdSidecar,
} from '../model/emit-custom.js';
import {
  baseLimits,
  baseResources,
  clamp,
  diurnal,
  healthy,
  MINUTE,
  ramp,
  sec,
  slower,
  steadyRoute,
  windows,
  withFailure,
} from '../model/profiles.js';
import { replicaSet, type ScenarioDefinition, scenarioOf, steadyDeployment } from '../model/scenario-kit.js';
import type { PodContext, ServiceModel } from '../model/types.js';

/** client_golang's DefBuckets (seconds). */
const GO_DEFAULT_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

// ---------------------------------------------------------------------------------------------------------------
// app-error (Node.js, prom-client with hand-rolled names): 500s on one endpoint.

function cartApiError(): ScenarioDefinition {
  const at = sec('2026-10-01T13:25:00Z');
  const onset = sec('2026-10-01T13:12:00Z');
  const created = sec('2026-09-28T10:40:00Z');
  const latencyMs = [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000];
  const scenario = scenarioOf(
    {
      id: 'app-error-hand-rolled-node',
      service: 'cart-api',
      namespace: 'basket',
      convention: 'inferred',
      cause: 'app-error',
      symptom: 'cart-api throwing 500s when adding items',
      description:
        'cart-api (Node.js) registers its own prom-client metrics: acme_cart_requests_total{status,endpoint,method} ' +
        'and acme_cart_request_latency_ms (a histogram in milliseconds, by endpoint and method); no default HTTP ' +
        'middleware. From 13:12 a catalogue change sends prices as strings for bundle products and the add-item ' +
        'handler throws on them: POST /cart/:cartId/items answers 500 for ~34 % of requests on every pod. No deploy, ' +
        'no restarts, resources normal.',
      extras: [],
      evidence: [
        'acme_cart_requests_total{endpoint="/cart/:cartId/items",method="POST",status="500"} ~34 % of that endpoint (~9 % overall) from 13:12 on all pods; other endpoints clean (inferred request counter: 5xx and 500 ratios, errors by endpoint)',
        'acme_cart_request_latency_ms_bucket (le in ms) p99 flat at ~150–250 ms (inferred latency histogram)',
        'process_start_time_seconds 3 days old, no restarts, app_build_info and deployment generation unchanged',
        'CPU ~20 % of the limit, memory flat; the same window a day earlier has no 500s',
      ],
    },
    at,
    onset,
    3,
    true,
  );
  return {
    scenario,
    build: () => ({
      service: 'cart-api',
      namespace: 'basket',
      runtime: 'node',
      seed: scenario.id,
      windows: windows(at, 3, true),
      pods: replicaSet('cart-api', '5.3.2', '1c8e0a4', created, { stagger: 30 }),
      deployment: steadyDeployment(46),
      rps: diurnal(80, 14),
      routes: [
        steadyRoute('GET', '/cart/:cartId', 0.55, 0.018, { clientErrors: 0.01 }),
        {
          method: 'POST',
          route: '/cart/:cartId/items',
          weight: 0.26,
          outcomes: (ctx) =>
            withFailure(
              healthy(0.042, { ok: 201, serverErrors: 0.0001 }),
              { code: 500, median: 0.011, sigma: 0.45 },
              0.34 * ramp(ctx.t, onset, 90),
            ),
        },
        steadyRoute('DELETE', '/cart/:cartId/items/:itemId', 0.09, 0.03, { ok: 204 }),
        steadyRoute('POST', '/cart/:cartId/promo', 0.1, 0.06, { clientErrors: 0.04, clientErrorCode: 422 }),
      ],
      clients: [],
      dbOps: [],
      resources: baseResources('node', { cpuPerRequest: 0.0045 }),
      limits: baseLimits('node'),
      appHttp: true,
      runtimeHttp: false,
      httpBuckets: boundsInSeconds(latencyMs, 'milliseconds'),
      appEmitters: [
        handRolledHttp(
          {
            family: 'acme_cart_requests',
            sample: 'acme_cart_requests_total',
            help: 'Requests handled by the cart API',
            status: 'status',
            route: 'endpoint',
            method: 'method',
          },
          {
            family: 'acme_cart_request_latency_ms',
            help: 'Cart API request latency in ms',
            unit: 'milliseconds',
            bounds: latencyMs,
            route: 'endpoint',
            method: 'method',
          },
        ),
      ],
      scrape: { style: 'pods', port: 3000 },
    }),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// dependency-failure (Go, client_golang with hand-rolled names): the tax engine got slow; its proxy answers 504.

function orderRouterSlowPeer(): ScenarioDefinition {
  const at = sec('2026-10-04T03:55:00Z');
  const onset = sec('2026-10-04T03:41:00Z');
  const created = sec('2026-10-01T16:20:00Z');
  const slow = (t: number) => ramp(t, onset, 120);
  // tax-engine's answers: normally ~40 ms; from the onset ~0.9 s, and its Envoy route timeout (1.5 s) cuts the tail
  // with 504 "upstream request timeout".
  const taxTimeouts = (t: number) => 0.16 * slow(t);
  const taxLatency = (t: number) => ({ median: 0.04 + 0.86 * slow(t), sigma: 0.45 + 0.2 * slow(t), cap: 1.5 });
  const scenario = scenarioOf(
    {
      id: 'dependency-failure-hand-rolled-go',
      service: 'order-router',
      namespace: 'fulfilment',
      convention: 'inferred',
      cause: 'dependency-failure',
      symptom: 'order-router is really slow since 03:40',
      description:
        'order-router (Go) has its own client_golang metrics: orders_http_requests_count{http_status,handler,method} ' +
        '(a counter whose name ends in _count), orders_http_duration_seconds (histogram, DefBuckets, by handler and ' +
        'method) and orders_upstream_calls_total{peer,status_code} for its outbound calls. From 03:41 tax-engine ' +
        '(another team’s service) answers in ~0.9 s instead of 40 ms after a cache node was lost; the Envoy in front ' +
        'of it cuts requests at its 1.5 s route timeout with 504 (~16 % of calls). POST /orders and POST ' +
        '/orders/quote call it once per request: they slow down to seconds and answer 502 when tax-engine fails. ' +
        'Nothing changed in order-router itself.',
      extras: [],
      evidence: [
        'orders_upstream_calls_total{peer="tax-engine",status_code="504"} ~16 % of calls to tax-engine since 03:41 (inferred client counter: dependency error ratio); calls to warehouse-api all 200',
        'orders_http_duration_seconds_bucket p99 from ~0.2 s to ~2.5 s (inferred latency histogram, seconds); mean ×5',
        'orders_http_requests_count{http_status="502"} ~7 % of all requests, on POST /orders and POST /orders/quote (inferred request counter)',
        'request rate, CPU, memory, restarts, version and deployment generation unchanged',
      ],
    },
    at,
    onset,
    3,
    false,
  );
  /** A route calling tax-engine once: its time is ours plus tax-engine's; a 504 from it becomes our 502. */
  const taxRoute = (route: string, weight: number, own: number): ServiceModel['routes'][number] => ({
    method: 'POST',
    route,
    weight,
    outcomes: (ctx) => {
      const tax = taxLatency(ctx.t);
      const base = healthy(own + tax.median, { ok: route === '/orders' ? 201 : 200, sigma: tax.sigma });
      const capped = base.map((o) => ({ ...o, cap: own + tax.cap + 0.05 }));
      return withFailure(capped, { code: 502, median: 1.5 + own, sigma: 0.03 }, taxTimeouts(ctx.t));
    },
  });
  return {
    scenario,
    build: () => ({
      service: 'order-router',
      namespace: 'fulfilment',
      runtime: 'go-otel',
      seed: scenario.id,
      windows: windows(at, 3, false),
      pods: replicaSet('order-router', 'v3.11.0', '9a2f5c1', created, { stagger: 15 }),
      deployment: steadyDeployment(31),
      rps: diurnal(28, 13),
      routes: [
        taxRoute('/orders', 0.25, 0.035),
        taxRoute('/orders/quote', 0.2, 0.02),
        steadyRoute('GET', '/orders/{id}', 0.45, 0.012, { clientErrors: 0.008 }),
        steadyRoute('GET', '/healthz', 0.1, 0.0008),
      ],
      clients: [
        {
          peer: 'tax-engine',
          port: 8080,
          method: 'POST',
          uri: '/v2/tax/calculate',
          callsPerRequest: () => 0.45,
          outcomes: (ctx) => [
            { code: 200, frac: 0.9995 - taxTimeouts(ctx.t), ...taxLatency(ctx.t) },
            { code: 500, frac: 0.0005, median: 0.02, sigma: 0.4 },
            { code: 504, frac: taxTimeouts(ctx.t), median: 1.5, sigma: 0.01 },
          ],
        },
        {
          peer: 'warehouse-api',
          port: 8080,
          method: 'GET',
          uri: '/v1/stock',
          callsPerRequest: () => 0.25,
          outcomes: () => [{ code: 200, frac: 1, median: 0.009, sigma: 0.4 }],
        },
      ],
      dbOps: [],
      resources: baseResources('go-otel'),
      limits: baseLimits('go-otel'),
      appHttp: true,
      runtimeHttp: false,
      httpBuckets: GO_DEFAULT_BUCKETS,
      appEmitters: [
        handRolledHttp(
          {
            family: 'orders_http_requests_count',
            sample: 'orders_http_requests_count',
            help: 'Number of HTTP requests handled, by status.',
            status: 'http_status',
            route: 'handler',
            method: 'method',
          },
          {
            family: 'orders_http_duration_seconds',
            help: 'HTTP request duration.',
            unit: 'seconds',
            bounds: GO_DEFAULT_BUCKETS,
            route: 'handler',
            method: 'method',
          },
        ),
        handRolledClientCounter({
          family: 'orders_upstream_calls',
          sample: 'orders_upstream_calls_total',
          help: 'Calls to upstream services.',
          peer: 'peer',
          status: 'status_code',
        }),
      ],
      scrape: { style: 'pods', port: 9090 },
    }),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// traffic-surge (Python + DogStatsD → statsd_exporter sidecar): month-end statement exports triple the traffic.

function ledgerSurge(): ScenarioDefinition {
  const at = sec('2026-10-11T18:10:00Z');
  const onset = sec('2026-10-11T17:58:00Z');
  const created = sec('2026-10-08T08:15:00Z');
  const surge = (t: number) => ramp(t, onset - MINUTE, 3 * MINUTE);
  const cpuPerRequest = 0.024;
  const utilisation = (ctx: PodContext) => 0.03 + cpuPerRequest * ctx.rps;
  const overload = (ctx: PodContext) => clamp((utilisation(ctx) - 0.85) / 0.3, 0, 1);
  const scenario = scenarioOf(
    {
      id: 'traffic-surge-statsd',
      service: 'ledger',
      namespace: 'accounting',
      convention: 'inferred',
      cause: 'traffic-surge',
      symptom: 'ledger is slow and returning 503s',
      description:
        'ledger (Python, gunicorn) sends its request metrics with the DogStatsD client to a statsd_exporter sidecar ' +
        '(PodMonitor job "accounting/statsd-exporter"): a counter mapped to ledger_api_responses_total{code,endpoint} ' +
        'and a DogStatsD histogram of response times in milliseconds, unmapped, which statsd_exporter keeps in ms ' +
        'as the summary ledger_api_response_time_ms{quantile="0.5|0.9|0.99",endpoint}; the client adds service, env ' +
        'and version tags. The app’s own /metrics has only client_python’s default collectors. At 17:57 a partner ' +
        'starts its month-end statement export: traffic ×3.4, CPU per request unchanged, the pods reach their 1-core ' +
        'limit, latency climbs and the admission limiter sheds ~6 % with 503.',
      extras: ['statsd_exporter'],
      evidence: [
        'sum(rate(ledger_api_responses_total{service="ledger"}[5m])) ×3.4 vs the same time a day earlier and vs the previous hours (inferred request counter)',
        'ledger_api_response_time_ms{quantile="0.99"} from ~120 ms to seconds (inferred summary percentile, ms)',
        'ledger_api_responses_total{code="503"} ~6 % after the surge (load shedding)',
        'CPU at the 1-core limit with CFS throttling; no deploy, no restarts',
      ],
    },
    at,
    onset,
    3,
    true,
  );
  const resources = baseResources('python', { cpuPerRequest, cpuIdle: 0.03 });
  const shedRoute = (
    method: string,
    route: string,
    weight: number,
    median: number,
  ): ServiceModel['routes'][number] => ({
    method,
    route,
    weight,
    outcomes: (ctx) =>
      withFailure(
        slower(healthy(median, { serverErrors: 0.0001 }), 1 + 12 * overload(ctx), 0.55 + 0.4 * overload(ctx), 30),
        { code: 503, median: 0.003, sigma: 0.4 },
        0.065 * overload(ctx),
      ),
  });
  return {
    scenario,
    build: () => ({
      service: 'ledger',
      namespace: 'accounting',
      runtime: 'python',
      seed: scenario.id,
      windows: windows(at, 3, true),
      pods: replicaSet('ledger', '2.14.0', '4b7d1e9', created, { stagger: 35, readySeconds: 12 }),
      deployment: steadyDeployment(18),
      rps: (t) => diurnal(30, 16)(t) * (1 + 2.4 * surge(t)),
      routes: [
        shedRoute('GET', '/v1/accounts/<account_id>/entries', 0.6, 0.028),
        shedRoute('GET', '/v1/accounts/<account_id>/balance', 0.3, 0.012),
        shedRoute('POST', '/v1/entries', 0.1, 0.045),
      ],
      clients: [],
      dbOps: [],
      resources: {
        ...resources,
        rssBytes: (ctx) => resources.rssBytes(ctx) * (1 + 0.15 * overload(ctx)),
      },
      limits: baseLimits('python'),
      appHttp: true,
      runtimeHttp: false,
      httpBuckets: fineBounds(),
      appEmitters: [
        statsdSidecar({
          job: 'accounting/statsd-exporter',
          port: 9102,
          exporterVersion: '0.28.0',
          counter: {
            family: 'ledger_api_responses',
            help: 'Metric autogenerated by statsd_exporter.',
            status: 'code',
            route: 'endpoint',
          },
          timer: {
            family: 'ledger_api_response_time_ms',
            help: 'Metric autogenerated by statsd_exporter.',
            unit: 'milliseconds',
            route: 'endpoint',
          },
          constantTags: (_model, pod) => ({ service: 'ledger', env: 'production', version: pod.version }),
        }),
      ],
      scrape: { style: 'pods', port: 8000 },
    }),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// bad-deploy (Python, client_python with hand-rolled names, microseconds): 4.2.0 breaks two tariff endpoints.

function tariffsDeploy(): ScenarioDefinition {
  const at = sec('2026-10-19T11:35:00Z');
  const deploy = sec('2026-10-19T11:20:12Z');
  const onset = sec('2026-10-19T11:21:00Z');
  const oldCreated = sec('2026-10-15T09:05:00Z');
  const newVersion = '4.2.0';
  const latencyUs = [1000, 2500, 5000, 10000, 25000, 50000, 100000, 250000, 500000, 1000000, 2500000, 5000000];
  const scenario = scenarioOf(
    {
      id: 'bad-deploy-hand-rolled-python',
      service: 'tariffs',
      namespace: 'pricing-rules',
      convention: 'inferred',
      cause: 'bad-deploy',
      symptom: 'tariffs broken since the deploy, lots of 500s',
      description:
        'tariffs (Python, Flask) registers client_python metrics of its own: svc_http_server_requests_total{code,path,' +
        'method} (plus the _created series client_python adds) and svc_http_server_latency_microseconds, a histogram ' +
        'in microseconds by path and method. A rolling update at 11:20 (generation 12 → 13, 4.1.3 → 4.2.0) replaces ' +
        'all three pods; 4.2.0 reads a renamed column and fails GET /tariffs/<zone>/rates (~30 %) and POST ' +
        '/tariffs/quote (~20 %) with 500.',
      extras: [],
      evidence: [
        'app_build_info{version} 4.1.3 → 4.2.0 and kube_deployment_metadata_generation 12 → 13 at 11:20; all pods new (process_start_time_seconds 11:20)',
        'svc_http_server_requests_total{code="500"} from 4.2.0 pods only: ~30 % of GET /tariffs/<zone>/rates and ~20 % of POST /tariffs/quote (~9 % overall) (inferred request counter)',
        'svc_http_server_latency_microseconds_bucket p99 (le in µs) up a little during the rollout (inferred latency histogram)',
        'the same window a day earlier is clean; CPU and memory normal',
      ],
    },
    at,
    onset,
    3,
    true,
  );
  const newPodCreated = (slot: number) => deploy + slot * 25;
  const isNew = (ctx: PodContext) => ctx.pod.version === newVersion;
  const failing = (method: string, route: string, weight: number, median: number, share: number) => ({
    method,
    route,
    weight,
    outcomes: (ctx: PodContext) => {
      const base = healthy(median, { serverErrors: 0.0001 });
      return isNew(ctx) ? withFailure(base, { code: 500, median: 0.006, sigma: 0.4 }, share) : base;
    },
  });
  return {
    scenario,
    build: () => ({
      service: 'tariffs',
      namespace: 'pricing-rules',
      runtime: 'python',
      seed: scenario.id,
      windows: windows(at, 3, true),
      pods: [
        ...replicaSet('tariffs', '4.1.3', '6e0c2b8', oldCreated, {
          stagger: 30,
          deleted: (slot) => newPodCreated(slot) + 20,
        }),
        ...replicaSet('tariffs', newVersion, 'f3a91d0', deploy, { stagger: 25, readySeconds: 10 }),
      ],
      deployment: {
        replicas: 3,
        generations: [
          [0, 12],
          [deploy - 2, 13],
        ],
      },
      rps: diurnal(45, 12),
      routes: [
        failing('GET', '/tariffs/<zone>/rates', 0.35, 0.03, 0.3),
        failing('POST', '/tariffs/quote', 0.2, 0.065, 0.2),
        steadyRoute('GET', '/tariffs/<zone>', 0.35, 0.015, { clientErrors: 0.02 }),
        steadyRoute('GET', '/healthz', 0.1, 0.001),
      ],
      clients: [],
      dbOps: [],
      resources: baseResources('python'),
      limits: baseLimits('python'),
      appHttp: true,
      runtimeHttp: false,
      httpBuckets: boundsInSeconds(latencyUs, 'microseconds'),
      appEmitters: [
        handRolledHttp(
          {
            family: 'svc_http_server_requests',
            sample: 'svc_http_server_requests_total',
            help: 'HTTP requests served',
            status: 'code',
            route: 'path',
            method: 'method',
            created: true,
          },
          {
            family: 'svc_http_server_latency_microseconds',
            help: 'HTTP request latency (microseconds)',
            unit: 'microseconds',
            bounds: latencyUs,
            route: 'path',
            method: 'method',
            created: true,
          },
        ),
      ],
      scrape: { style: 'pods', port: 8000 },
    }),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// healthy (Node.js, prom-client with hand-rolled names).

function wishlistHealthy(): ScenarioDefinition {
  const at = sec('2026-10-20T15:05:00Z');
  const onset = sec('2026-10-20T14:50:00Z');
  const created = sec('2026-10-17T11:30:00Z');
  const latencyMs = [10, 25, 50, 100, 200, 400, 800, 1600, 3200];
  const scenario = scenarioOf(
    {
      id: 'healthy-hand-rolled-node',
      service: 'wishlist',
      namespace: 'engagement',
      convention: 'inferred',
      cause: 'healthy',
      symptom: 'wishlist feels slow, anything wrong?',
      description:
        'wishlist is healthy. Its Node.js code counts requests itself in wishlist_requests_served_total' +
        '{response_code,handler} and times them in wishlist_response_duration_milliseconds (histogram in ms, by ' +
        'handler); 404s for unknown lists and 409s for duplicates are client errors.',
      healthChecks: {
        errorRatio:
          '(sum(rate(wishlist_requests_served_total{job="wishlist",response_code=~"5.."}[5m])) or vector(0)) / sum(rate(wishlist_requests_served_total{job="wishlist"}[5m]))',
        latency:
          'histogram_quantile(0.99, sum by (le) (rate(wishlist_response_duration_milliseconds_bucket{job="wishlist"}[5m]))) / 1000',
      },
      extras: [],
      evidence: [
        'wishlist_requests_served_total: 5xx < 0.1 % (rare 500s on addToWishlist), 404/409 client errors (inferred request counter); traffic like the hours before',
        'wishlist_response_duration_milliseconds_bucket p99 < 200 ms (inferred latency histogram)',
        'CPU < 30 %, memory < 40 % of the limit, no restarts, no deploy',
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
      service: 'wishlist',
      namespace: 'engagement',
      runtime: 'node',
      seed: scenario.id,
      windows: windows(at, 3, false),
      pods: replicaSet('wishlist', '1.9.4', '8d3b6f2', created, { stagger: 20 }),
      deployment: steadyDeployment(22),
      rps: diurnal(35, 18),
      routes: [
        steadyRoute('GET', 'getWishlist', 0.6, 0.014, { clientErrors: 0.015 }),
        steadyRoute('POST', 'addToWishlist', 0.25, 0.024, {
          ok: 201,
          clientErrors: 0.01,
          clientErrorCode: 409,
          serverErrors: 0.0001,
        }),
        steadyRoute('DELETE', 'removeFromWishlist', 0.15, 0.02, { ok: 204 }),
      ],
      clients: [],
      dbOps: [],
      resources: baseResources('node', { cpuPerRequest: 0.005 }),
      limits: baseLimits('node'),
      appHttp: true,
      runtimeHttp: false,
      httpBuckets: boundsInSeconds(latencyMs, 'milliseconds'),
      appEmitters: [
        handRolledHttp(
          {
            family: 'wishlist_requests_served',
            sample: 'wishlist_requests_served_total',
            help: 'Requests served by wishlist',
            status: 'response_code',
            route: 'handler',
          },
          {
            family: 'wishlist_response_duration_milliseconds',
            help: 'Response time of wishlist handlers',
            unit: 'milliseconds',
            bounds: latencyMs,
            route: 'handler',
          },
        ),
      ],
      scrape: { style: 'service-monitor', port: 3000 },
    }),
  };
}

export const DEFINITIONS: readonly ScenarioDefinition[] = [
  cartApiError(),
  orderRouterSlowPeer(),
  ledgerSurge(),
  tariffsDeploy(),
  wishlistHealthy(),
];
