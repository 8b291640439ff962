/**
 * Deterministic incident scenarios for a real Prometheus (backfilled with promtool).
 *
 * Each scenario is one service in its own namespace and time, with the series real exporters would produce
 * (application metrics in one convention, cAdvisor, kube-state-metrics, sometimes a proxy, a database exporter or
 * blackbox probes) and the incident's evidence as causes.md describes it. Nothing here is tuned to a query: the
 * generators simulate requests, processes and containers, and the metrics fall out of that.
 */
import { OpenMetricsWriter, type WriterStats } from '../support/prometheus/openmetrics-writer.js';
import { DEFINITIONS as INFERRED } from './conventions/inferred.js';
import { DEFINITIONS as LOW_TRAFFIC } from './conventions/low-traffic.js';
import { DEFINITIONS as REASONING } from './conventions/reasoning.js';
import { DEFINITIONS as SERVERS_AND_PROXIES } from './conventions/servers-and-proxies.js';
import { DEFINITIONS as STORES_AND_RUNTIMES } from './conventions/stores-and-runtimes.js';
import { DEFINITIONS as WHAT_MOVED } from './conventions/what-moved.js';
import { crashLoopRuns, makePod } from './model/cluster.js';
import { declareFamilies } from './model/families.js';
import {
  baseLimits,
  baseResources,
  clamp,
  diurnal,
  GIB,
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
} from './model/profiles.js';
import {
  replicaSet,
  type Scenario,
  type ScenarioDefinition,
  scenarioOf,
  steadyDeployment,
  steadyPool,
} from './model/scenario-kit.js';
import { renderService } from './model/simulate.js';
import type { ClientModel, ExitReason, PodContext, ServiceModel } from './model/types.js';

export type { Convention, Scenario } from './model/scenario-kit.js';

// ---------------------------------------------------------------------------------------------------------------
// app-crash (prom-client + ingress-nginx): one of three pods crash-loops; 502s at the ingress.

function checkoutCrash(): ScenarioDefinition {
  const at = sec('2026-10-02T14:20:00Z');
  const onset = sec('2026-10-02T14:04:00Z');
  const firstCrash = onset + 10;
  const created = sec('2026-09-30T09:12:00Z');
  const scenario = scenarioOf(
    {
      id: 'app-crash-prom-client',
      service: 'checkout',
      namespace: 'shop',
      convention: 'prom-client',
      cause: 'app-crash',
      symptom: '502s on checkout',
      description:
        'One checkout pod crash-loops (uncaught exception, exit code 1, reading a corrupt file in its emptyDir cache) ' +
        'since 14:04; the other two pods are fine. ingress-nginx answers 502 for POSTs sent to the dying pod before ' +
        'its readiness probe removes it; GETs are retried on another upstream.',
      extras: ['ingress-nginx'],
      evidence: [
        'one pod: up == 0 at several scrapes, restarts 0 → 5 in 16 min, last_terminated_reason="Error", waiting_reason="CrashLoopBackOff", ready 0 (down at `at`)',
        'process_start_time_seconds of that pod changes at every restart; app counters reset',
        'kube_deployment_status_replicas_unavailable 1 at times; no version, image or generation change',
        'nginx_ingress_controller_requests{ingress="checkout",status="502"} ~1–3 % of traffic; the app itself reports no 5xx',
        'no CPU or memory pressure on the other pods',
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
      service: 'checkout',
      namespace: 'shop',
      runtime: 'node',
      seed: scenario.id,
      windows: windows(at, 3, false),
      pods: replicaSet('checkout', '4.12.1', 'a41c9e2', created, {
        stagger: 25,
        readySeconds: 6,
        runs: (slot) =>
          slot === 1 ? crashLoopRuns(created + 25, firstCrash, [150, 75, 110, 70, 95], 'Error') : undefined,
      }),
      deployment: steadyDeployment(27),
      rps: diurnal(95),
      routes: [
        steadyRoute('GET', '/api/cart', 0.42, 0.028, { serverErrors: 0.0002 }),
        steadyRoute('POST', '/api/cart/items', 0.25, 0.045, { ok: 201 }),
        steadyRoute('POST', '/api/checkout', 0.08, 0.18, { ok: 201 }),
        steadyRoute('GET', '/api/checkout/:id/status', 0.25, 0.02, { clientErrors: 0.005 }),
      ],
      clients: [],
      dbOps: [],
      resources: baseResources('node', { cpuPerRequest: 0.0035 }),
      limits: baseLimits('node'),
      edge: 'ingress-nginx',
      appHttp: true,
      scrape: { style: 'service-monitor', port: 3000 },
    }),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// app-crash seen only at the mesh (Python app without HTTP metrics, Istio): OOMKilled crash loop on all pods.

function storefrontCrash(): ScenarioDefinition {
  const at = sec('2026-10-03T19:50:00Z');
  const onset = sec('2026-10-03T19:38:00Z');
  const created = sec('2026-09-29T16:40:00Z');
  const limit = 384 * MIB;
  const loops: ReadonlyArray<readonly [number, readonly number[]]> = [
    [onset + 15, [95, 60, 140, 80, 120]],
    [onset + 40, [70, 120, 60, 100, 90]],
    [onset + 95, [110, 85, 75, 90, 60]],
  ];
  const scenario = scenarioOf(
    {
      id: 'app-crash-istio',
      service: 'storefront',
      namespace: 'web',
      convention: 'istio',
      cause: 'app-crash',
      symptom: 'storefront is down, 503 errors',
      description:
        'Every storefront pod is OOMKilled a minute or two after it starts (a product-feed render needs more than the ' +
        '384 MiB limit) and crash-loops. The Python app exposes no HTTP metrics; only Istio sees the requests: 503 UF ' +
        'at the sidecars while a dead pod is still an endpoint, 503 UC for requests in flight at a kill, and 503 UH at ' +
        'the ingress gateway while no pod is ready.',
      extras: ['istio'],
      evidence: [
        'istio_requests_total{destination_service_name="storefront",response_code="503"} with response_flags UH (reporter=source, gateway), UF and UC (reporter=destination)',
        'restarts rising on all three pods, last_terminated_reason="OOMKilled", CrashLoopBackOff',
        'container_memory_working_set_bytes climbs to the 384 MiB limit before each kill',
        'up{job="storefront"} == 0 intermittently on every pod; sidecars stay up',
        'no version or generation change',
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
      service: 'storefront',
      namespace: 'web',
      runtime: 'python',
      seed: scenario.id,
      windows: windows(at, 3, false),
      pods: replicaSet('storefront', '7.3.0', '5be0c1d', created, {
        stagger: 40,
        readySeconds: 10,
        runs: (slot) => {
          const loop = loops[slot];
          return loop ? crashLoopRuns(created + slot * 40, loop[0], loop[1], 'OOMKilled') : undefined;
        },
      }),
      deployment: steadyDeployment(12),
      rps: diurnal(70, 19),
      routes: [
        steadyRoute('GET', '/', 0.3, 0.06),
        steadyRoute('GET', '/products/:slug', 0.45, 0.085, { clientErrors: 0.01, serverErrors: 0.0002 }),
        steadyRoute('GET', '/search', 0.15, 0.14),
        steadyRoute('POST', '/cart', 0.1, 0.07),
      ],
      clients: [],
      dbOps: [],
      resources: {
        ...baseResources('python'),
        rssBytes: (ctx) => {
          const base = 168 * MIB * (1 + 0.02 * ctx.noise.smooth(`rss:${ctx.pod.name}`, ctx.t, 1800));
          const run = ctx.run;
          if (run.exit !== 'OOMKilled' || !Number.isFinite(run.end)) return base;
          const life = (ctx.t - run.start) / (run.end - run.start);
          return base + (limit * 0.985 - base) * clamp(life, 0, 1) ** 1.6;
        },
      },
      limits: baseLimits('python', { memoryBytes: limit, memoryRequestBytes: 256 * MIB }),
      edge: 'istio',
      appHttp: false,
      scrape: { style: 'pods', port: 8000 },
    }),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// bad-deploy (prom-client): a rolling update replaces all pods with 3.8.0, which fails two invoice routes.

function billingDeploy(): ScenarioDefinition {
  const at = sec('2026-10-05T10:45:00Z');
  const deploy = sec('2026-10-05T10:30:00Z');
  const onset = sec('2026-10-05T10:31:00Z');
  const oldCreated = sec('2026-10-02T15:20:00Z');
  const newVersion = '3.8.0';
  const scenario = scenarioOf(
    {
      id: 'bad-deploy-prom-client',
      service: 'billing',
      namespace: 'finance',
      convention: 'prom-client',
      cause: 'bad-deploy',
      symptom: '500 errors on billing',
      description:
        'A rolling update (generation 23 → 24, image 3.7.2 → 3.8.0) replaces all three billing pods between 10:30:00 ' +
        'and 10:31:00 (maxSurge 1). The new version fails POST /api/invoices and GET /api/invoices/:id/pdf. As in a ' +
        'real rollout the new pods are new series (new pod names and IPs), so changes(process_start_time_seconds[…]) ' +
        'is 0 per series; the deploy shows as new instances with recent start times, a new version and a new generation.',
      extras: [],
      evidence: [
        'kube_deployment_metadata_generation and observed_generation 23 → 24 at 10:30; status_replicas 4 and replicas_unavailable 1 during the rollout',
        'old pods (version 3.7.2) disappear, new pods (3.8.0) appear with process_start_time_seconds 10:30:00–10:30:40',
        'app_build_info{version} and the cAdvisor image tag change from 3.7.2 to 3.8.0',
        '500s only from 3.8.0 pods: ~22 % of POST /api/invoices and ~38 % of GET /api/invoices/:id/pdf (≈7 % overall) from 10:30:15',
        'same window a day earlier is clean; CPU and memory normal',
      ],
    },
    at,
    onset,
    3,
    true,
  );
  const newPodCreated = (slot: number) => deploy + slot * 20;
  const isNew = (ctx: PodContext) => ctx.pod.version === newVersion;
  const coldStart = (ctx: PodContext) => 1 + 0.8 * (1 - ramp(ctx.uptime, 0, 90));
  return {
    scenario,
    build: () => ({
      service: 'billing',
      namespace: 'finance',
      runtime: 'node',
      seed: scenario.id,
      windows: windows(at, 3, true),
      pods: [
        ...replicaSet('billing', '3.7.2', '9f2d1a7', oldCreated, {
          stagger: 30,
          deleted: (slot) => newPodCreated(slot) + 20,
        }),
        ...replicaSet('billing', newVersion, 'c03e8b5', deploy, { stagger: 20, readySeconds: 15 }),
      ],
      deployment: {
        replicas: 3,
        generations: [
          [0, 23],
          [deploy - 2, 24],
        ],
      },
      rps: diurnal(60),
      routes: [
        steadyRoute('GET', '/api/invoices', 0.45, 0.04, { serverErrors: 0.00015 }),
        steadyRoute('GET', '/api/invoices/:id', 0.3, 0.025, { clientErrors: 0.006 }),
        {
          method: 'POST',
          route: '/api/invoices',
          weight: 0.15,
          outcomes: (ctx) => {
            const base = slower(healthy(0.09, { ok: 201 }), isNew(ctx) ? coldStart(ctx) : 1);
            return isNew(ctx) ? withFailure(base, { code: 500, median: 0.025, sigma: 0.4 }, 0.22) : base;
          },
        },
        {
          method: 'GET',
          route: '/api/invoices/:id/pdf',
          weight: 0.1,
          outcomes: (ctx) => {
            const base = slower(healthy(0.35, { sigma: 0.5 }), isNew(ctx) ? coldStart(ctx) : 1);
            return isNew(ctx) ? withFailure(base, { code: 500, median: 0.04, sigma: 0.4 }, 0.38) : base;
          },
        },
      ],
      clients: [],
      dbOps: [],
      resources: baseResources('node', { cpuPerRequest: 0.0045 }),
      limits: baseLimits('node'),
      appHttp: true,
      scrape: { style: 'pods', port: 8080 },
    }),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// app-error (prom-client, `status` label): 500s on one route only.

function catalogError(): ScenarioDefinition {
  const at = sec('2026-10-06T16:30:00Z');
  const onset = sec('2026-10-06T16:18:00Z');
  const created = sec('2026-10-02T11:05:00Z');
  const scenario = scenarioOf(
    {
      id: 'app-error-prom-client',
      service: 'catalog',
      namespace: 'shop',
      convention: 'prom-client',
      cause: 'app-error',
      symptom: 'catalog is throwing 500s',
      description:
        'From 16:18 GET /api/products/:id/reviews fails for about 31 % of requests on every pod (a null rating in newly ' +
        'imported reviews hits an unguarded code path). Nothing else changes: no deploy for four days, no restarts, no ' +
        'resource pressure. The status label is `status`, not `code`.',
      extras: [],
      evidence: [
        'http_requests_total{route="/api/products/:id/reviews",status="500"} ~31 % of that route on all pods (~4 % overall); other routes clean',
        'process_start_time_seconds 4 days old, no restarts, app_build_info and generation unchanged',
        'CPU ~20 % of limit, memory flat, latency of other routes flat',
        'same window a day earlier: no 500s on that route',
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
      service: 'catalog',
      namespace: 'shop',
      runtime: 'node',
      seed: scenario.id,
      windows: windows(at, 3, true),
      pods: replicaSet('catalog', '2.31.4', '77ab310', created, { stagger: 35 }),
      deployment: steadyDeployment(41),
      rps: diurnal(85),
      routes: [
        steadyRoute('GET', '/api/products', 0.44, 0.045, { serverErrors: 0.0001 }),
        steadyRoute('GET', '/api/products/:id', 0.32, 0.022, { clientErrors: 0.008 }),
        {
          method: 'GET',
          route: '/api/products/:id/reviews',
          weight: 0.14,
          outcomes: (ctx) =>
            withFailure(healthy(0.06), { code: 500, median: 0.008, sigma: 0.4 }, 0.31 * ramp(ctx.t, onset, 120)),
        },
        steadyRoute('GET', '/api/categories', 0.1, 0.012),
      ],
      clients: [],
      dbOps: [],
      resources: baseResources('node'),
      limits: baseLimits('node'),
      appHttp: true,
      scrape: { style: 'pods', port: 3000 },
      statusLabel: 'status',
    }),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// db-slow (OTel Go + postgres_exporter): one query family got slow; pool not saturated.

function ordersDbSlow(): ScenarioDefinition {
  const at = sec('2026-10-07T09:40:00Z');
  const onset = sec('2026-10-07T09:28:00Z');
  const created = sec('2026-10-03T13:48:00Z');
  const slow = (t: number) => ramp(t, onset, 180);
  const scenario = scenarioOf(
    {
      id: 'db-slow-otel',
      service: 'orders',
      namespace: 'shop',
      convention: 'otel',
      cause: 'db-slow',
      symptom: 'orders API is slow and some requests time out with 504',
      description:
        'From 09:28 the SELECT on order_items (used by the order list) takes ~1 s instead of 6 ms (a plan flip after ' +
        'autovacuum statistics changed). The list route slows down and hits the 5 s handler deadline (504) for ~9 % of ' +
        'its requests. The pgx pool is busier but far from full; nothing waits for a connection.',
      extras: ['postgres_exporter'],
      evidence: [
        'db_client_operation_duration_seconds{db_operation_name="SELECT",db_collection_name="order_items"} p99 from ~25 ms to ~4 s',
        'pg_stat_activity_max_tx_duration{datname="orders",state="active"} from ~0.1 s to ~4.5 s; active connections up but ≪ max_connections 200',
        'db_client_connections_usage{state="used"} ~6–9 of max 20 (< 50 %), pending_requests 0, no timeouts',
        'http_server_request_duration_seconds for GET /api/orders p99 ~5 s (the handler deadline), 504s ~9 % of that route',
        'CPU, memory, restarts, version unchanged; a day earlier normal',
      ],
    },
    at,
    onset,
    3,
    true,
  );
  const listLatency = (t: number) => ({ median: 0.006 + slow(t) * 0.7, sigma: 0.5 + slow(t) * 0.25 });
  return {
    scenario,
    build: () => ({
      service: 'orders',
      namespace: 'shop',
      runtime: 'go-otel',
      seed: scenario.id,
      windows: windows(at, 3, true),
      pods: replicaSet('orders', 'v1.19.3', '3d9e6f0', created, { stagger: 15 }),
      deployment: steadyDeployment(58),
      rps: diurnal(32, 14),
      routes: [
        {
          method: 'GET',
          route: '/api/orders',
          weight: 0.4,
          outcomes: (ctx) => {
            const s = slow(ctx.t);
            const base = slower(healthy(0.055), 1 + s * 14, 0.55 + s * 0.15, 5);
            return withFailure(base, { code: 504, median: 5.01, sigma: 0.02 }, 0.09 * s);
          },
        },
        {
          method: 'GET',
          route: '/api/orders/{id}',
          weight: 0.3,
          outcomes: (ctx) =>
            slower(healthy(0.018, { clientErrors: 0.006, serverErrors: 0.0002 }), 1 + slow(ctx.t) * 0.6),
        },
        {
          method: 'POST',
          route: '/api/orders',
          weight: 0.2,
          outcomes: (ctx) => slower(healthy(0.07, { ok: 201 }), 1 + slow(ctx.t) * 0.5),
        },
        steadyRoute('PATCH', '/api/orders/{id}', 0.1, 0.035),
      ],
      clients: [],
      dbOps: [
        {
          operation: 'SELECT',
          collection: 'orders',
          perRequest: 0.7,
          latency: (ctx) => ({ median: 0.003 * (1 + slow(ctx.t)), sigma: 0.5 }),
        },
        { operation: 'SELECT', collection: 'order_items', perRequest: 0.4, latency: (ctx) => listLatency(ctx.t) },
        { operation: 'INSERT', collection: 'orders', perRequest: 0.2, latency: () => ({ median: 0.004, sigma: 0.5 }) },
        { operation: 'UPDATE', collection: 'orders', perRequest: 0.1, latency: () => ({ median: 0.0035, sigma: 0.5 }) },
      ],
      pool: (ctx) => {
        const l = listLatency(ctx.t);
        const inFlight = ctx.rps * 0.4 * l.median * Math.exp((l.sigma * l.sigma) / 2) + ctx.rps * 0.012;
        const used = clamp((0.5 + inFlight) * ctx.noise.factor(`pool:${ctx.pod.name}`, ctx.t, 0.12), 0, 20);
        return {
          max: 20,
          used,
          idle: Math.max(2, 4 - used),
          pending: 0,
          timeoutsPerSecond: 0,
          acquire: { median: 0.0002, sigma: 0.5 },
        };
      },
      database: { name: 'orders', host: 'orders-db.shop.svc.cluster.local' },
      postgres: {
        datname: 'orders',
        usename: 'orders',
        applicationName: '',
        pod: 'orders-db-0',
        ip: '10.42.20.61',
        maxConnections: 200,
        connections: (t) => ({ active: 2 + 16 * slow(t), idle: 12 - 3 * slow(t), idleInTransaction: 0 }),
        maxTxDurationSeconds: (t) => 0.08 + 4.4 * slow(t),
      },
      resources: baseResources('go-otel'),
      limits: baseLimits('go-otel'),
      appHttp: true,
      scrape: { style: 'pods', port: 9464 },
    }),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// connection-pool-exhausted (Micrometer + HikariCP + postgres_exporter): pool full, DB fast.

function paymentsPool(): ScenarioDefinition {
  const at = sec('2026-10-08T11:15:00Z');
  const onset = sec('2026-10-08T11:02:00Z');
  const created = sec('2026-10-05T08:30:00Z');
  const busy = (t: number) => ramp(t, onset - 4 * MINUTE, 6 * MINUTE);
  const postShare = (t: number) => 0.3 + 0.25 * busy(t);
  const max = 10;
  const hold = 0.5;
  const demand = (ctx: PodContext) =>
    (ctx.rps * postShare(ctx.t) * hold + ctx.rps * (1 - postShare(ctx.t)) * 0.02) *
    ctx.noise.factor(`demand:${ctx.pod.name}`, ctx.t, 0.08);
  const pressure = (ctx: PodContext) => demand(ctx) / max;
  const timeoutFrac = (ctx: PodContext) => clamp((pressure(ctx) - 1) * 0.8, 0, 0.45);
  const scenario = scenarioOf(
    {
      id: 'connection-pool-exhausted-micrometer',
      service: 'payments',
      namespace: 'payments',
      convention: 'micrometer',
      cause: 'connection-pool-exhausted',
      symptom: 'payments returning 503s and timing out',
      description:
        'Month-end payouts raise traffic ~45 % and shift it to POST /api/payments, which holds a JDBC connection for ' +
        'its whole transaction including the ~0.45 s card-authorisation call. Demand (rate × hold time) exceeds the ' +
        '10-connection HikariCP pool per pod: active == max, threads queue for connections and time out after 5 s ' +
        '(503, CannotCreateTransactionException). Postgres itself is fast and far from its connection limit; the ' +
        'PSP answers at its usual speed.',
      extras: ['postgres_exporter'],
      evidence: [
        'hikaricp_connections_active == hikaricp_connections_max (10) on every pod, hikaricp_connections_pending 10–40, idle 0',
        'hikaricp_connections_timeout_total rising, hikaricp_connections_acquire_seconds_max ~5 s',
        'http_server_requests_seconds_count{status="503",exception="CannotCreateTransactionException"} ~10–20 %; mean latency up, _max ~5 s; tomcat busy threads up',
        'pg_stat_activity_max_tx_duration{state="active"} < 0.3 s, ~35 of 200 connections (many idle in transaction); PSP client latency flat',
        'traffic +45 % vs the same time yesterday (not a surge); CPU < 50 %; no deploy or restarts',
      ],
    },
    at,
    onset,
    3,
    true,
  );
  const dbRoute = (
    method: string,
    route: string,
    weight: number,
    median: number,
    ok = 200,
    extra = 0,
  ): ServiceModel['routes'][number] => ({
    method,
    route,
    weight,
    outcomes: (ctx) => {
      const p = pressure(ctx);
      const wait = p > 0.95 ? 0.4 + 1.6 * clamp((p - 0.95) * 5, 0, 1) : 0;
      const base = healthy(median + extra + wait, {
        ok,
        sigma: wait > 0 ? 0.7 : 0.5,
        serverErrors: method === 'POST' && route === '/api/payments' ? 0.0004 : 0,
        exception: 'DataIntegrityViolationException',
      });
      // Nothing waits longer than Hikari's connectionTimeout (5 s) plus the work itself.
      const capped = wait > 0 ? base.map((o) => ({ ...o, cap: 5 + median + extra })) : base;
      return withFailure(
        capped,
        { code: 503, median: 5.002, sigma: 0.01, exception: 'CannotCreateTransactionException' },
        timeoutFrac(ctx),
      );
    },
  });
  return {
    scenario,
    build: () => ({
      service: 'payments',
      namespace: 'payments',
      runtime: 'jvm',
      seed: scenario.id,
      windows: windows(at, 3, true),
      pods: replicaSet('payments', '5.4.0', 'e8a4c21', created, { stagger: 45, readySeconds: 35 }),
      deployment: steadyDeployment(19),
      rps: (t) => diurnal(75)(t) * (1 + 0.45 * busy(t)),
      routes: [
        dbRoute('POST', '/api/payments', 0.3, 0.09, 201, 0.45),
        dbRoute('GET', '/api/payments/{id}', 0.35, 0.02),
        dbRoute('POST', '/api/refunds', 0.05, 0.11, 201),
        dbRoute('GET', '/api/payouts', 0.3, 0.06),
      ],
      clients: [
        {
          peer: 'api.psp.example',
          port: 443,
          method: 'POST',
          uri: '/v2/authorizations',
          callsPerRequest: (ctx) => postShare(ctx.t) * (1 - timeoutFrac(ctx)),
          outcomes: () => [
            { code: 201, frac: 0.996, median: 0.42, sigma: 0.35 },
            { code: 402, frac: 0.004, median: 0.3, sigma: 0.3 },
          ],
        },
      ],
      dbOps: [],
      pool: (ctx) => {
        const d = demand(ctx);
        if (d < max * 0.97) {
          const used = clamp(d, 0, max);
          return {
            max,
            used,
            idle: max - Math.round(used),
            pending: 0,
            timeoutsPerSecond: 0,
            acquire: { median: 0.0004, sigma: 0.7 },
          };
        }
        const excess = d / max - 0.97;
        return {
          max,
          used: max,
          idle: 0,
          pending: clamp(excess * 140, 1, 45) * ctx.noise.factor(`pending:${ctx.pod.name}`, ctx.t, 0.2),
          timeoutsPerSecond: ctx.rps * timeoutFrac(ctx),
          acquire: { median: 0.6 + 1.5 * clamp(excess * 4, 0, 1), sigma: 0.9, cap: 5 },
        };
      },
      postgres: {
        datname: 'payments',
        usename: 'payments',
        applicationName: 'PostgreSQL JDBC Driver',
        pod: 'payments-db-0',
        ip: '10.42.41.12',
        maxConnections: 200,
        connections: (t) => ({ active: 3 + 2 * busy(t), idle: 20 - 14 * busy(t), idleInTransaction: 4 + 22 * busy(t) }),
        maxTxDurationSeconds: () => 0.12,
        // Transactions stay open (idle in transaction) during the ~0.45 s card authorisation.
        maxIdleInTxDurationSeconds: (t) => 0.55 + 0.5 * busy(t),
      },
      resources: baseResources('jvm', { cpuPerRequest: 0.007 }),
      limits: baseLimits('jvm'),
      appHttp: true,
      scrape: { style: 'pods', port: 8080 },
    }),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// memory-leak (OTel Go): RSS rising linearly for hours toward the limit; OOM kills reset it.

function inventoryLeak(): ScenarioDefinition {
  const at = sec('2026-10-09T22:10:00Z');
  const onset = sec('2026-10-09T21:57:00Z');
  const limit = 1 * GIB;
  const base = 96 * MIB;
  const slopes = [75 * MIB, 78 * MIB, 72 * MIB]; // bytes per hour
  // Uptime of the current process at `at`: pods 0 and 1 near the limit, pod 2 restarted by an OOM kill 7 h ago.
  const uptimeAtAt = [11.4 * HOUR, 10.6 * HOUR, 7 * HOUR];
  const period = (slot: number) => ((limit * 0.995 - base) / (slopes[slot] ?? 75 * MIB)) * HOUR;
  const scenario = scenarioOf(
    {
      id: 'memory-leak-otel',
      service: 'inventory',
      namespace: 'shop',
      convention: 'otel',
      cause: 'memory-leak',
      symptom: 'inventory p99 latency is high',
      description:
        'inventory leaks ~75 MiB/h (a per-SKU cache without eviction). Each process grows linearly from ~100 MiB until ' +
        'the 1 GiB limit and is OOMKilled every ~12.5 h. At 22:10 two pods are at ~93 % and ~90 % of the limit and the ' +
        'Go GC runs constantly on the fullest, so its latency and CPU rise from ~21:57; the third pod was OOMKilled at ' +
        '15:10 and is at ~59 %. Goroutines are flat (not a goroutine leak); no deploy.',
      extras: [],
      evidence: [
        'process_resident_memory_bytes, go_memstats_heap_inuse_bytes and container_memory_working_set_bytes rise linearly (~75 MiB/h) for the whole 8 h history',
        'at `at`: ~93 %, ~90 % and ~59 % (RSS) of container_spec_memory_limit_bytes (1 GiB); predict_linear crosses the limit within ~1–2 h on two pods',
        'one OOM kill inside the window (pod 2 at ~15:10: memory drops to ~100 MiB, restarts +1); last_terminated_reason="OOMKilled" on all pods from earlier kills',
        'p99 latency and GC CPU up on the fullest pod since ~21:57; go_goroutines flat; request rate normal',
      ],
    },
    at,
    onset,
    8,
    false,
  );
  const pods = [0, 1, 2].map((slot) => {
    const p = period(slot);
    const current = at - (uptimeAtAt[slot] ?? 10 * HOUR);
    const starts = [current - 4 * p, current - 3 * p, current - 2 * p, current - p, current];
    const runs: Array<[number, number, ExitReason?]> = starts.map((s, i) =>
      i < starts.length - 1 ? [s, starts[i + 1] ?? s, 'OOMKilled'] : [s, Number.POSITIVE_INFINITY],
    );
    return makePod({
      service: 'inventory',
      replicaSetSeed: 'v3.4.0',
      slot,
      created: starts[0] ?? current,
      version: 'v3.4.0',
      revision: '1f7e44b',
      runs,
    });
  });
  const fill = (ctx: PodContext) => (base + (slopes[ctx.pod.slot] ?? 75 * MIB) * (ctx.uptime / HOUR)) / limit;
  const pressure = (ctx: PodContext) => clamp((fill(ctx) - 0.915) / 0.015, 0, 1.5) ** 2;
  const resources = baseResources('go-otel', { goroutines: 52 });
  return {
    scenario,
    build: () => ({
      service: 'inventory',
      namespace: 'shop',
      runtime: 'go-otel',
      seed: scenario.id,
      windows: windows(at, 8, false),
      pods,
      deployment: steadyDeployment(33),
      rps: diurnal(55, 16),
      routes: [
        {
          method: 'GET',
          route: '/api/stock/{sku}',
          weight: 0.55,
          outcomes: (ctx) =>
            slower(
              healthy(0.008, { clientErrors: 0.01, serverErrors: 0.0001 }),
              1 + 6 * pressure(ctx),
              0.55 + 0.3 * clamp(pressure(ctx), 0, 1),
            ),
        },
        {
          method: 'POST',
          route: '/api/reservations',
          weight: 0.3,
          outcomes: (ctx) => slower(healthy(0.025, { ok: 201 }), 1 + 6 * pressure(ctx)),
        },
        {
          method: 'GET',
          route: '/api/warehouses/{id}/stock',
          weight: 0.15,
          outcomes: (ctx) => slower(healthy(0.04), 1 + 6 * pressure(ctx)),
        },
      ],
      clients: [],
      dbOps: [
        {
          operation: 'SELECT',
          collection: 'stock_levels',
          perRequest: 0.7,
          latency: () => ({ median: 0.0021, sigma: 0.5 }),
        },
        {
          operation: 'UPDATE',
          collection: 'stock_levels',
          perRequest: 0.3,
          latency: () => ({ median: 0.0034, sigma: 0.5 }),
        },
      ],
      pool: steadyPool(16, 0.006),
      database: { name: 'inventory', host: 'inventory-db.shop.svc.cluster.local' },
      resources: {
        ...resources,
        rssBytes: (ctx) => fill(ctx) * limit * (1 + 0.004 * ctx.noise.white(`rss:${ctx.pod.name}`, ctx.t)),
        heapUsedBytes: (ctx) =>
          (fill(ctx) * limit - 34 * MIB) * (0.97 + 0.02 * ctx.noise.uniform(`heap:${ctx.pod.name}`, ctx.t)),
        cpuCores: (ctx) => resources.cpuCores(ctx) + 0.35 * clamp(pressure(ctx), 0, 1.5) + 0.04 * fill(ctx),
        gcPerSecond: (ctx) => 0.2 + 0.004 * ctx.rps + 3 * pressure(ctx),
      },
      limits: baseLimits('go-otel', { memoryBytes: limit, memoryRequestBytes: 512 * MIB }),
      appHttp: true,
      scrape: { style: 'pods', port: 9464 },
    }),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// resource-leak, file descriptors (prom-client): sockets leak for ~11 h until EMFILE.

function notificationsFdLeak(): ScenarioDefinition {
  const at = sec('2026-10-10T06:30:00Z');
  const onset = sec('2026-10-10T06:18:00Z');
  const created = sec('2026-10-06T14:00:00Z');
  const leakStart = sec('2026-10-09T19:40:00Z');
  const maxFds = 65536;
  const rates = [6154, 5931, 6096]; // leaked fds per hour per pod
  const scenario = scenarioOf(
    {
      id: 'resource-leak-prom-client',
      service: 'notifications',
      namespace: 'messaging',
      convention: 'prom-client',
      cause: 'resource-leak',
      symptom: 'notifications failing to send emails, 500 errors on notifications',
      description:
        'Since 19:40 the day before, the SMTP relay closes idle connections and the mailer leaks one socket per ' +
        'reconnect: open file descriptors grow ~6 000/h on every pod toward the 65 536 limit. Pod 0 reached it at ' +
        '06:18 and pod 2 at ~06:24; from then sending email fails with EMFILE ("too many open files") → 500s on ' +
        'POST /api/notifications/email. CPU and restarts are normal.',
      extras: [],
      evidence: [
        'process_open_fds rising linearly ~6 000/h for the whole 8 h history toward process_max_fds = 65536; two pods at the limit at `at`, the third at ~97 %',
        'container_file_descriptors follows; memory up only slightly (socket buffers)',
        '500s on POST /api/notifications/email (~70 % on the pods at the limit) and a few on push; none before 06:18',
        'no restarts, no deploy for 3.5 days, CPU flat',
      ],
    },
    at,
    onset,
    8,
    false,
  );
  const fds = (ctx: PodContext) => {
    const leaked = Math.max(0, ((ctx.t - leakStart) / HOUR) * (rates[ctx.pod.slot] ?? 6000));
    return Math.min(maxFds - 2 - 30 * ctx.noise.uniform(`fdcap:${ctx.pod.name}`, ctx.t), 40 + 0.1 * ctx.rps + leaked);
  };
  const exhausted = (ctx: PodContext) => clamp((fds(ctx) - (maxFds - 400)) / 360, 0, 1);
  const resources = baseResources('node');
  return {
    scenario,
    build: () => ({
      service: 'notifications',
      namespace: 'messaging',
      runtime: 'node',
      seed: scenario.id,
      windows: windows(at, 8, false),
      pods: replicaSet('notifications', '1.22.0', '4ac0e93', created, { stagger: 30 }),
      deployment: steadyDeployment(15),
      rps: diurnal(40, 13),
      routes: [
        {
          method: 'POST',
          route: '/api/notifications/email',
          weight: 0.45,
          outcomes: (ctx) =>
            withFailure(healthy(0.12, { ok: 202 }), { code: 500, median: 0.003, sigma: 0.4 }, 0.7 * exhausted(ctx)),
        },
        {
          method: 'POST',
          route: '/api/notifications/push',
          weight: 0.3,
          outcomes: (ctx) =>
            withFailure(healthy(0.04, { ok: 202 }), { code: 500, median: 0.004, sigma: 0.4 }, 0.12 * exhausted(ctx)),
        },
        steadyRoute('GET', '/api/notifications/:id', 0.25, 0.01, { clientErrors: 0.01, serverErrors: 0.0002 }),
      ],
      clients: [],
      dbOps: [],
      resources: {
        ...resources,
        openFds: fds,
        rssBytes: (ctx) => resources.rssBytes(ctx) + fds(ctx) * 1100,
      },
      limits: baseLimits('node', { maxFds }),
      appHttp: true,
      scrape: { style: 'pods', port: 3000 },
    }),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// resource-leak, threads (Micrometer): a scheduled job leaks a thread pool on every run.

function reportingThreadLeak(): ScenarioDefinition {
  const at = sec('2026-10-11T13:05:00Z');
  const onset = sec('2026-10-11T12:52:00Z');
  const deploy = sec('2026-10-11T01:40:30Z');
  const pidsMax = 1024;
  const jobEvery = 170;
  const threadsPerRun = 4;
  const scenario = scenarioOf(
    {
      id: 'resource-leak-micrometer',
      service: 'reporting',
      namespace: 'analytics',
      convention: 'micrometer',
      cause: 'resource-leak',
      symptom: 'reporting API errors, 500s when generating reports',
      description:
        'Version 2.9.0 (deployed at 01:40, 11 h before) creates a new 4-thread executor in a job that runs every ' +
        '170 s and never shuts it down. Live JVM threads grow ~85/h per pod until the pod pids limit (1024) at ~12:52; ' +
        'then the JVM cannot start threads ("OutOfMemoryError: unable to create native thread") and report ' +
        'generation fails. Heap and file descriptors are flat.',
      extras: [],
      evidence: [
        'jvm_threads_live_threads and container_threads rise in steps from ~70 to ~1 016 over 11 h against container_threads_max = 1024; jvm_threads_states_threads{state="waiting"} grows',
        'http_server_requests_seconds_count{status="500",exception="OutOfMemoryError"} on POST /api/reports since ~12:52',
        'heap (jvm_memory_used_bytes{area="heap"}) and process_files_open_files flat; RSS up a little (thread stacks)',
        'the deploy is 11 h old (version constant in the window); no restarts',
      ],
    },
    at,
    onset,
    8,
    false,
  );
  const leaked = (ctx: PodContext) => threadsPerRun * Math.floor(ctx.uptime / jobEvery);
  const threads = (ctx: PodContext) =>
    Math.min(pidsMax - 8 - (ctx.pod.slot % 2), 68 + leaked(ctx) + Math.min(30, ctx.rps * 0.4));
  const starved = (ctx: PodContext) => clamp((68 + leaked(ctx) - (pidsMax - 12)) / 24, 0, 1);
  const resources = baseResources('jvm', { cpuPerRequest: 0.012, heapBytes: 420 * MIB });
  return {
    scenario,
    build: () => ({
      service: 'reporting',
      namespace: 'analytics',
      runtime: 'jvm',
      seed: scenario.id,
      windows: windows(at, 8, false),
      pods: replicaSet('reporting', '2.9.0', '0d4b7e2', deploy, { stagger: 40, readySeconds: 40 }),
      deployment: { replicas: 3, generations: [[0, 8]] },
      rps: diurnal(18, 11),
      routes: [
        steadyRoute('GET', '/api/reports/{id}', 0.5, 0.04),
        {
          method: 'POST',
          route: '/api/reports',
          weight: 0.2,
          outcomes: (ctx) =>
            withFailure(
              healthy(0.15, { ok: 202 }),
              { code: 500, median: 0.012, sigma: 0.5, exception: 'OutOfMemoryError' },
              0.65 * starved(ctx),
            ),
        },
        {
          method: 'GET',
          route: '/api/dashboards/{id}',
          weight: 0.3,
          outcomes: (ctx) =>
            withFailure(
              healthy(0.22, { serverErrors: 0.0003, exception: 'JpaSystemException' }),
              { code: 500, median: 0.01, sigma: 0.5, exception: 'OutOfMemoryError' },
              0.06 * starved(ctx),
            ),
        },
      ],
      clients: [],
      dbOps: [],
      pool: steadyPool(10, 0.05),
      resources: {
        ...resources,
        threads,
        rssBytes: (ctx) => resources.rssBytes(ctx) + leaked(ctx) * 180 * 1024,
      },
      limits: baseLimits('jvm', { memoryBytes: 2 * GIB, memoryRequestBytes: 1.5 * GIB, pidsMax }),
      appHttp: true,
      scrape: { style: 'service-monitor', port: 8080 },
    }),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// cpu-saturation (prom-client): CPU cost per request ×4 with flat traffic.

function pricingCpu(): ScenarioDefinition {
  const at = sec('2026-10-12T15:25:00Z');
  const onset = sec('2026-10-12T15:12:00Z');
  const created = sec('2026-10-08T10:20:00Z');
  const heavy = (t: number) => ramp(t, onset - MINUTE, 3 * MINUTE);
  const scenario = scenarioOf(
    {
      id: 'cpu-saturation-prom-client',
      service: 'pricing',
      namespace: 'shop',
      convention: 'prom-client',
      cause: 'cpu-saturation',
      symptom: 'pricing is slow',
      description:
        'At 15:10 marketing imported 40 000 promotion rules through the admin UI (data, not a deploy). Every price ' +
        'quote now evaluates them, so CPU per request rises ~4×: the pods sit at their 1-core limit, CFS throttles ' +
        '~60 % of periods, the event loop lags and latency climbs; a few requests hit the 5 s timeout (503). ' +
        'Request rate is the same as yesterday and the previous hours.',
      extras: [],
      evidence: [
        'rate(process_cpu_seconds_total) and container_cpu_usage_seconds_total ≈ 0.97 core = the limit (from ~0.35)',
        'container_cpu_cfs_throttled_periods_total / container_cpu_cfs_periods_total ~0.6–0.75',
        'p99 latency several seconds (capped by the 5 s timeout), nodejs_eventloop_lag_p99_seconds 0.3–0.5 s, ~1 % 503',
        'request rate flat vs the same time yesterday and the previous hours; no deploy, no restarts, memory flat',
      ],
    },
    at,
    onset,
    3,
    true,
  );
  const resources = baseResources('node', { cpuPerRequest: 0.008, cpuIdle: 0.04 });
  const utilisation = (ctx: PodContext) => (0.04 + 0.008 * ctx.rps * (1 + 3.1 * heavy(ctx.t))) / 1;
  const queueFactor = (ctx: PodContext) => 1 + (5 * clamp(utilisation(ctx) - 0.9, 0, 0.4)) / 0.4;
  return {
    scenario,
    build: () => ({
      service: 'pricing',
      namespace: 'shop',
      runtime: 'node',
      seed: scenario.id,
      windows: windows(at, 3, true),
      pods: replicaSet('pricing', '6.2.0', '62f8a0c', created, { stagger: 20 }),
      deployment: steadyDeployment(52),
      rps: diurnal(110),
      routes: [
        {
          method: 'POST',
          route: '/api/prices/quote',
          weight: 0.55,
          outcomes: (ctx) => {
            const h = heavy(ctx.t);
            const base = slower(
              healthy(0.035, { serverErrors: 0.0001 }),
              (1 + 3 * h) * queueFactor(ctx),
              0.55 + 0.35 * h,
              5,
            );
            return withFailure(base, { code: 503, median: 5.0, sigma: 0.02 }, 0.02 * h);
          },
        },
        {
          method: 'GET',
          route: '/api/prices/:sku',
          weight: 0.35,
          outcomes: (ctx) => slower(healthy(0.009), queueFactor(ctx), 0.55 + 0.35 * heavy(ctx.t), 5),
        },
        {
          method: 'GET',
          route: '/api/promotions',
          weight: 0.1,
          outcomes: (ctx) => slower(healthy(0.015), queueFactor(ctx), 0.55 + 0.35 * heavy(ctx.t), 5),
        },
      ],
      clients: [],
      dbOps: [],
      resources: {
        ...resources,
        cpuCores: (ctx) => utilisation(ctx) * ctx.noise.factor(`cpu:${ctx.pod.name}`, ctx.t, 0.05),
        eventLoopLagSeconds: (ctx) =>
          resources.eventLoopLagSeconds(ctx) +
          0.45 * heavy(ctx.t) * (1 + 0.2 * ctx.noise.white(`lag2:${ctx.pod.name}`, ctx.t)),
      },
      limits: baseLimits('node'),
      appHttp: true,
      scrape: { style: 'pods', port: 3000 },
    }),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// traffic-surge (prom-client): ×4.2 requests vs yesterday; CPU, latency, 503 shedding follow.

function searchSurge(): ScenarioDefinition {
  const at = sec('2026-10-13T20:40:00Z');
  const onset = sec('2026-10-13T20:28:00Z');
  const created = sec('2026-10-10T07:55:00Z');
  const surge = (t: number) => ramp(t, onset - 2 * MINUTE, 2 * MINUTE);
  const cpuPerRequest = 0.0065;
  const utilisation = (ctx: PodContext) => 0.04 + cpuPerRequest * ctx.rps;
  const overload = (ctx: PodContext) => clamp((utilisation(ctx) - 0.85) / 0.25, 0, 1);
  const scenario = scenarioOf(
    {
      id: 'traffic-surge-prom-client',
      service: 'search',
      namespace: 'shop',
      convention: 'prom-client',
      cause: 'traffic-surge',
      symptom: 'search is slow and returning 503s',
      description:
        'A TV campaign at 20:26 sends 4.2× the usual search traffic. CPU per request is unchanged, so the pods hit ' +
        'their 1-core limit, latency climbs and the overload guard sheds ~8 % of requests with 503.',
      extras: [],
      evidence: [
        'sum(rate(http_requests_total{job="search"}[5m])) ×4.2 vs offset 1d and vs the previous hours',
        'CPU at the 1-core limit with heavy CFS throttling after the surge (from ~30 %); CPU per request unchanged',
        'p99 latency up to seconds; 503 ~8 % (load shedding, fast responses)',
        'no deploy, no restarts, memory slightly up',
      ],
    },
    at,
    onset,
    3,
    true,
  );
  const resources = baseResources('node', { cpuPerRequest, cpuIdle: 0.04 });
  return {
    scenario,
    build: () => ({
      service: 'search',
      namespace: 'shop',
      runtime: 'node',
      seed: scenario.id,
      windows: windows(at, 3, true),
      pods: replicaSet('search', '9.0.3', 'b71c2d9', created, { stagger: 25 }),
      deployment: steadyDeployment(64),
      rps: (t) => diurnal(120, 19)(t) * (1 + 3.2 * surge(t)),
      routes: [
        {
          method: 'GET',
          route: '/api/search',
          weight: 0.7,
          outcomes: (ctx) =>
            withFailure(
              slower(healthy(0.045, { serverErrors: 0.0001 }), 1 + 14 * overload(ctx), 0.55 + 0.4 * overload(ctx)),
              { code: 503, median: 0.002, sigma: 0.4 },
              0.085 * overload(ctx),
            ),
        },
        {
          method: 'GET',
          route: '/api/search/suggest',
          weight: 0.25,
          outcomes: (ctx) =>
            withFailure(
              slower(healthy(0.012), 1 + 14 * overload(ctx), 0.55 + 0.4 * overload(ctx)),
              { code: 503, median: 0.002, sigma: 0.4 },
              0.085 * overload(ctx),
            ),
        },
        {
          method: 'GET',
          route: '/api/search/facets',
          weight: 0.05,
          outcomes: (ctx) => slower(healthy(0.06), 1 + 14 * overload(ctx), 0.55 + 0.4 * overload(ctx)),
        },
      ],
      clients: [],
      dbOps: [],
      resources: {
        ...resources,
        eventLoopLagSeconds: (ctx) => resources.eventLoopLagSeconds(ctx) + 0.25 * overload(ctx),
        rssBytes: (ctx) => resources.rssBytes(ctx) + 40 * MIB * overload(ctx),
      },
      limits: baseLimits('node'),
      appHttp: true,
      scrape: { style: 'service-monitor', port: 3000 },
    }),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// dependency-failure (OTel Go + blackbox): the carrier API fails; our 502/504 follow on the routes that call it.

function shippingDependency(): ScenarioDefinition {
  const at = sec('2026-10-14T08:50:00Z');
  const onset = sec('2026-10-14T08:37:00Z');
  const created = sec('2026-10-12T16:30:00Z');
  const carrier = 'api.carrierhub.example';
  const outage = (t: number) => ramp(t, onset, 60);
  const carrierOutcomes = (t: number) => {
    const o = outage(t);
    return [
      { code: 200, frac: 0.998 - 0.598 * o, median: 0.28, sigma: 0.4 },
      { code: 500, frac: 0.002, median: 0.05, sigma: 0.4 },
      { code: 503, frac: 0.45 * o, median: 0.035, sigma: 0.5 },
      { errorType: 'timeout', frac: 0.148 * o, median: 5.0, sigma: 0.01 },
    ];
  };
  const failing = (t: number) => 0.45 * outage(t);
  const timingOut = (t: number) => 0.148 * outage(t);
  const scenario = scenarioOf(
    {
      id: 'dependency-failure-otel',
      service: 'shipping',
      namespace: 'logistics',
      convention: 'otel',
      cause: 'dependency-failure',
      symptom: 'shipping quotes failing with 5xx',
      description:
        'From 08:37 the external carrier API (api.carrierhub.example) answers 503 to ~45 % of calls and ~15 % time ' +
        'out after 5 s. shipping turns those into 502 and 504 on the routes that call it (quotes, tracking). The ' +
        'internal address-validation dependency, shipping’s own CPU, memory and pods are fine.',
      extras: ['blackbox_exporter'],
      evidence: [
        'http_client_request_duration_seconds_count{server_address="api.carrierhub.example"}: 503 ~45 %, error_type="timeout" ~15 % since 08:37',
        'calls to address-validation.logistics.svc.cluster.local all 200',
        'probe_success{instance="https://api.carrierhub.example/v2/health"} 0 for ~60 % of probes, probe_http_status_code 503',
        'our 502/504 only on POST /api/shipments/quote and GET /api/shipments/{id}/tracking (~30 % of all requests)',
        'CPU, memory, restarts, version normal',
      ],
    },
    at,
    onset,
    3,
    false,
  );
  const carrierRoute = (route: string, weight: number, median: number): ServiceModel['routes'][number] => ({
    method: route.endsWith('quote') ? 'POST' : 'GET',
    route,
    weight,
    outcomes: (ctx) => {
      const base = healthy(median, { sigma: 0.45 });
      const f = failing(ctx.t);
      const to = timingOut(ctx.t);
      const ok = 1 - f - to;
      return [
        ...base.map((o) => ({ ...o, frac: o.frac * ok })),
        { code: 502, frac: f, median: 0.04, sigma: 0.5 },
        { code: 504, frac: to, median: 5.01, sigma: 0.01 },
      ];
    },
  });
  const clients: ClientModel[] = [
    {
      peer: carrier,
      port: 443,
      method: 'POST',
      uri: '/v2/rates',
      callsPerRequest: () => 0.5,
      outcomes: (ctx) => carrierOutcomes(ctx.t),
    },
    {
      peer: 'address-validation.logistics.svc.cluster.local',
      port: 8080,
      method: 'POST',
      uri: '/v1/validate',
      callsPerRequest: () => 0.2,
      outcomes: () => [
        { code: 200, frac: 0.985, median: 0.012, sigma: 0.45 },
        { code: 422, frac: 0.015, median: 0.01, sigma: 0.4 },
      ],
    },
  ];
  return {
    scenario,
    build: () => ({
      service: 'shipping',
      namespace: 'logistics',
      runtime: 'go-otel',
      seed: scenario.id,
      windows: windows(at, 3, false),
      pods: replicaSet('shipping', 'v2.8.1', 'f19a6c3', created, { stagger: 20 }),
      deployment: steadyDeployment(21),
      rps: diurnal(45, 10),
      routes: [
        carrierRoute('/api/shipments/quote', 0.45, 0.35),
        steadyRoute('POST', '/api/shipments', 0.2, 0.12, { ok: 201, serverErrors: 0.0003 }),
        steadyRoute('GET', '/api/shipments/{id}', 0.3, 0.015, { clientErrors: 0.01 }),
        carrierRoute('/api/shipments/{id}/tracking', 0.05, 0.25),
      ],
      clients,
      dbOps: [
        {
          operation: 'SELECT',
          collection: 'shipments',
          perRequest: 0.5,
          latency: () => ({ median: 0.0025, sigma: 0.5 }),
        },
        {
          operation: 'INSERT',
          collection: 'shipments',
          perRequest: 0.2,
          latency: () => ({ median: 0.004, sigma: 0.5 }),
        },
      ],
      pool: steadyPool(10, 0.006),
      database: { name: 'shipping', host: 'shipping-db.logistics.svc.cluster.local' },
      blackbox: [
        {
          target: `https://${carrier}/v2/health`,
          failureProbability: (t) => 0.01 + 0.64 * outage(t),
          okStatus: 200,
          failStatus: 503,
          duration: (t, ok) => (ok ? 0.21 + 0.05 * outage(t) : 0.09),
        },
      ],
      resources: baseResources('go-otel'),
      limits: baseLimits('go-otel'),
      appHttp: true,
      scrape: { style: 'pods', port: 9464 },
    }),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// rate-limited (Micrometer): the FX provider answers 429; retries; our 503s follow.

function currencyRateLimited(): ScenarioDefinition {
  const at = sec('2026-10-15T12:35:00Z');
  const onset = sec('2026-10-15T12:24:00Z');
  const created = sec('2026-10-11T09:10:00Z');
  const limited = (t: number) => ramp(t, onset, 90);
  const scenario = scenarioOf(
    {
      id: 'rate-limited-micrometer',
      service: 'currency',
      namespace: 'finance',
      convention: 'micrometer',
      cause: 'rate-limited',
      symptom: 'currency conversion failing, 503 on currency',
      description:
        'From 12:24 the FX provider (api.fxrates.example) rejects ~62 % of calls with 429: a batch job of another ' +
        'team shares the API key and exhausted the quota. Retries (3 attempts) more than double the outbound call ' +
        'rate; requests that cannot be served from cache fail with 503 (exception TooManyRequests). The ledger ' +
        'dependency and currency’s own resources are fine.',
      extras: [],
      evidence: [
        'http_client_requests_seconds_count{client_name="api.fxrates.example",status="429",outcome="CLIENT_ERROR"} ~62 % of calls since 12:24; outbound call rate ×2.4 (retries)',
        'http_server_requests_seconds_count{status="503",exception="TooManyRequests"} on the rates and conversion routes',
        'calls to ledger.finance.svc.cluster.local healthy; logback warn events up',
        'traffic flat vs yesterday; CPU, memory, pool, restarts normal',
      ],
    },
    at,
    onset,
    3,
    true,
  );
  const failingRoute = (
    method: string,
    route: string,
    weight: number,
    median: number,
    share: number,
  ): ServiceModel['routes'][number] => ({
    method,
    route,
    weight,
    outcomes: (ctx) =>
      withFailure(
        healthy(median, {
          exception: 'HttpServerErrorException',
          serverErrors: route.startsWith('/api/rates') ? 0.0002 : 0,
        }),
        { code: 503, median: 0.09, sigma: 0.5, exception: 'TooManyRequests' },
        share * limited(ctx.t),
      ),
  });
  return {
    scenario,
    build: () => ({
      service: 'currency',
      namespace: 'finance',
      runtime: 'jvm',
      seed: scenario.id,
      windows: windows(at, 3, true),
      pods: replicaSet('currency', '1.14.2', '8c5d3e1', created, { stagger: 50, readySeconds: 30 }),
      deployment: steadyDeployment(26),
      rps: diurnal(50, 13),
      routes: [
        failingRoute('GET', '/api/rates/{base}/{quote}', 0.6, 0.03, 0.35),
        failingRoute('POST', '/api/conversions', 0.3, 0.045, 0.3),
        steadyRoute('GET', '/api/currencies', 0.1, 0.005),
      ],
      clients: [
        {
          peer: 'api.fxrates.example',
          port: 443,
          method: 'GET',
          uri: '/v1/latest?base={base}',
          callsPerRequest: (ctx) => 0.25 * (1 + 1.4 * limited(ctx.t)),
          outcomes: (ctx) => {
            const l = limited(ctx.t);
            return [
              { code: 200, frac: 0.999 - 0.619 * l, median: 0.085, sigma: 0.4 },
              { code: 500, frac: 0.001, median: 0.05, sigma: 0.4 },
              { code: 429, frac: 0.62 * l, median: 0.03, sigma: 0.4 },
            ];
          },
        },
        {
          peer: 'ledger.finance.svc.cluster.local',
          port: 8080,
          method: 'POST',
          uri: '/api/entries',
          callsPerRequest: (ctx) => 0.3 * (1 - 0.3 * limited(ctx.t)),
          outcomes: () => [{ code: 201, frac: 1, median: 0.018, sigma: 0.45 }],
        },
      ],
      dbOps: [],
      pool: steadyPool(10, 0.01),
      resources: baseResources('jvm'),
      limits: baseLimits('jvm'),
      appHttp: true,
      scrape: { style: 'pods', port: 8080 },
    }),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Healthy services, one per convention.

function accountsHealthy(): ScenarioDefinition {
  const at = sec('2026-10-16T10:00:00Z');
  const onset = sec('2026-10-16T09:45:00Z');
  const created = sec('2026-10-13T12:30:00Z');
  const scenario = scenarioOf(
    {
      id: 'healthy-prom-client',
      service: 'accounts',
      namespace: 'identity',
      convention: 'prom-client',
      cause: 'healthy',
      symptom: 'accounts feels slow',
      description:
        'Nothing is wrong with accounts: latency, errors and resources are as usual and as a day earlier. 401s on ' +
        'POST /api/sessions (wrong passwords) and 404s are normal client errors, not server errors.',
      extras: [],
      evidence: [
        'p99 < 0.5 s, 5xx < 0.02 %, CPU < 40 %, memory < 40 % of the limit, no restarts, no deploy',
        'traffic like yesterday',
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
      service: 'accounts',
      namespace: 'identity',
      runtime: 'node',
      seed: scenario.id,
      windows: windows(at, 3, true),
      pods: replicaSet('accounts', '11.4.2', '2e6f9a8', created, { stagger: 30 }),
      deployment: steadyDeployment(73),
      rps: diurnal(70, 10),
      routes: [
        steadyRoute('POST', '/api/sessions', 0.3, 0.08, {
          ok: 201,
          clientErrors: 0.03,
          clientErrorCode: 401,
          serverErrors: 0.0002,
        }),
        steadyRoute('GET', '/api/users/me', 0.5, 0.012),
        steadyRoute('POST', '/api/tokens/refresh', 0.2, 0.018),
      ],
      clients: [],
      dbOps: [],
      resources: baseResources('node', { cpuPerRequest: 0.006 }),
      limits: baseLimits('node'),
      appHttp: true,
      scrape: { style: 'pods', port: 3000 },
    }),
  };
}

function loyaltyHealthy(): ScenarioDefinition {
  const at = sec('2026-10-17T17:20:00Z');
  const onset = sec('2026-10-17T17:05:00Z');
  const created = sec('2026-10-14T09:45:00Z');
  const scenario = scenarioOf(
    {
      id: 'healthy-micrometer',
      service: 'loyalty',
      namespace: 'shop',
      convention: 'micrometer',
      cause: 'healthy',
      symptom: 'errors on loyalty?',
      description:
        'loyalty is healthy. Micrometer without histograms: only _count, _sum and _max (no _bucket series). 400s on ' +
        'redeem (insufficient points) are client errors.',
      extras: [],
      evidence: [
        '5xx < 0.02 %, mean latency < 60 ms, _max < 1 s, HikariCP ~20 % used, CPU < 20 %, heap < 40 %',
        'no restarts, no deploy',
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
      service: 'loyalty',
      namespace: 'shop',
      runtime: 'jvm',
      seed: scenario.id,
      windows: windows(at, 3, false),
      pods: replicaSet('loyalty', '3.0.7', 'd2a91f4', created, { stagger: 40, readySeconds: 30 }),
      deployment: steadyDeployment(14),
      rps: diurnal(40, 17),
      routes: [
        steadyRoute('GET', '/api/loyalty/{customerId}/points', 0.6, 0.025),
        steadyRoute('POST', '/api/loyalty/{customerId}/earn', 0.3, 0.04, {
          serverErrors: 0.0003,
          exception: 'OptimisticLockingFailureException',
        }),
        steadyRoute('POST', '/api/loyalty/{customerId}/redeem', 0.1, 0.06, {
          clientErrors: 0.02,
          clientErrorCode: 400,
        }),
      ],
      clients: [],
      dbOps: [],
      pool: steadyPool(10, 0.035),
      resources: baseResources('jvm'),
      limits: baseLimits('jvm'),
      appHttp: true,
      scrape: { style: 'service-monitor', port: 8080 },
    }),
  };
}

function recommendationsHealthy(): ScenarioDefinition {
  const at = sec('2026-10-18T07:45:00Z');
  const onset = sec('2026-10-18T07:30:00Z');
  const created = sec('2026-10-16T18:05:00Z');
  const scenario = scenarioOf(
    {
      id: 'healthy-otel',
      service: 'recommendations',
      namespace: 'shop',
      convention: 'otel',
      cause: 'healthy',
      symptom: 'recommendations is slow',
      description:
        'recommendations is healthy: OTel HTTP server/client and DB pool metrics all normal, like a day earlier.',
      extras: [],
      evidence: [
        'p99 < 0.3 s, 5xx < 0.02 %, feature-store calls 200, pool ~10 % used, CPU < 20 %, memory < 30 %',
        'traffic like yesterday',
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
      service: 'recommendations',
      namespace: 'shop',
      runtime: 'go-otel',
      seed: scenario.id,
      windows: windows(at, 3, true),
      pods: replicaSet('recommendations', 'v0.42.0', '6b0e2c7', created, { stagger: 15 }),
      deployment: steadyDeployment(37),
      rps: diurnal(65, 12),
      routes: [
        steadyRoute('GET', '/api/recommendations/{customerId}', 0.8, 0.035, { serverErrors: 0.0002 }),
        steadyRoute('GET', '/api/recommendations/similar/{sku}', 0.2, 0.02),
      ],
      clients: [
        {
          peer: 'feature-store.ml.svc.cluster.local',
          port: 8080,
          method: 'GET',
          uri: '/v1/features',
          callsPerRequest: () => 1,
          outcomes: () => [
            { code: 200, frac: 0.9998, median: 0.011, sigma: 0.45 },
            { code: 500, frac: 0.0002, median: 0.01, sigma: 0.4 },
          ],
        },
      ],
      dbOps: [
        {
          operation: 'SELECT',
          collection: 'recommendation_sets',
          perRequest: 0.3,
          latency: () => ({ median: 0.0028, sigma: 0.5 }),
        },
      ],
      pool: steadyPool(12, 0.004),
      database: { name: 'recommendations', host: 'recommendations-db.shop.svc.cluster.local' },
      resources: baseResources('go-otel'),
      limits: baseLimits('go-otel'),
      appHttp: true,
      scrape: { style: 'pods', port: 9464 },
    }),
  };
}

const DEFINITIONS: readonly ScenarioDefinition[] = [
  checkoutCrash(),
  storefrontCrash(),
  billingDeploy(),
  catalogError(),
  ordersDbSlow(),
  paymentsPool(),
  inventoryLeak(),
  notificationsFdLeak(),
  reportingThreadLeak(),
  pricingCpu(),
  searchSurge(),
  shippingDependency(),
  currencyRateLimited(),
  accountsHealthy(),
  loyaltyHealthy(),
  recommendationsHealthy(),
  ...SERVERS_AND_PROXIES,
  ...STORES_AND_RUNTIMES,
  ...INFERRED,
  ...WHAT_MOVED,
  ...REASONING,
  ...LOW_TRAFFIC,
];

/** Every scenario, in a stable order. */
export const SCENARIOS: readonly Scenario[] = DEFINITIONS.map((d) => d.scenario);

/** The scenario with this id (throws for an unknown id). */
export function scenarioById(id: string): Scenario {
  const found = SCENARIOS.find((s) => s.id === id);
  if (!found) throw new Error(`unknown scenario ${id}`);
  return found;
}

/** The simulation model of one scenario (for tests that want its pods or windows). */
export function scenarioModel(id: string): ServiceModel {
  const found = DEFINITIONS.find((d) => d.scenario.id === id);
  if (!found) throw new Error(`unknown scenario ${id}`);
  return found.build();
}

/** Writes the series of the given scenarios (default: all) into `writer`. */
export function writeScenarios(writer: OpenMetricsWriter, scenarios: readonly Scenario[] = SCENARIOS): void {
  declareFamilies(writer);
  for (const scenario of scenarios) {
    const definition = DEFINITIONS.find((d) => d.scenario.id === scenario.id);
    if (!definition) throw new Error(`unknown scenario ${scenario.id}`);
    renderService(writer, definition.build());
  }
}

/**
 * One OpenMetrics document with the given scenarios, ready for promtool. Meant for subsets: the whole catalogue
 * (~540 MB) is longer than a JavaScript string can be, so the scenario server streams `writer.chunks()` instead.
 */
export function renderScenarios(scenarios: readonly Scenario[]): { text: string; stats: WriterStats } {
  const writer = new OpenMetricsWriter();
  writeScenarios(writer, scenarios);
  return { text: writer.toString(), stats: writer.stats() };
}
