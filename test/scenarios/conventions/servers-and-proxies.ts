/**
 * Scenarios for HTTP servers, proxies and gRPC conventions beyond the original five: Linkerd, Traefik, Envoy,
 * Contour, HAProxy, Kong, Istio seen only from the callers, client_golang promhttp, express-prom-bundle,
 * django-prometheus, prometheus-fastapi-instrumentator, yabeda-rails, Micrometer with histograms, prometheus-net,
 * OpenTelemetry through the collector (current and old names), go-grpc-middleware and OpenTelemetry RPC.
 *
 * As in catalog.ts, nothing is tuned to a query: requests, processes and containers are simulated and each
 * library's series (names, labels, label values, units, buckets, target labels) fall out of that, as
 * /work/research/http.md and runtimes.md describe them from the libraries' code.
 */
import { crashLoopRuns } from '../model/cluster.js';
import { appBuildInfo } from '../model/emit-app.js';
import { envoyEdge, haproxyEdge, istioSourceEdge, kongEdge, linkerdEdge, traefikEdge } from '../model/emit-proxies.js';
import { clientGolangRuntime, dotnetStats, otelGoRuntime } from '../model/emit-runtimes.js';
import {
  DJANGO_HTTP_BUCKETS,
  djangoPrometheus,
  EXPRESS_PROM_BUNDLE_BUCKETS,
  expressPromBundle,
  FASTAPI_HIGHR_BUCKETS,
  fastapiInstrumentator,
  goGrpcMiddleware,
  micrometerHistogramServer,
  micrometerTimerBuckets,
  OTEL_MS_BUCKETS_AS_SECONDS,
  otelHttp,
  otelHttpLegacy,
  otelRpcLegacy,
  otelTargetInfo,
  PROMETHEUS_NET_BUCKETS,
  prometheusNetHttp,
  promhttpServer,
  YABEDA_BUCKETS,
  yabedaPuma,
  yabedaRails,
} from '../model/emit-servers.js';
import {
  baseLimits,
  baseResources,
  clamp,
  diurnal,
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
import { replicaSet, type ScenarioDefinition, scenarioOf, steadyDeployment } from '../model/scenario-kit.js';
import { BUCKETS } from '../model/stats.js';
import type { ClientModel, Pod, PodContext, ServiceModel } from '../model/types.js';

// ---------------------------------------------------------------------------------------------------------------
// app-crash (Traefik + express-prom-bundle): one pod crash-loops; Traefik answers 502 for requests sent to it.

function favoritesCrash(): ScenarioDefinition {
  const at = sec('2026-10-02T07:30:00Z');
  const onset = sec('2026-10-02T07:17:00Z');
  const created = sec('2026-09-29T11:20:00Z');
  const scenario = scenarioOf(
    {
      id: 'app-crash-traefik-express',
      service: 'favorites',
      namespace: 'gifts',
      convention: 'traefik',
      cause: 'app-crash',
      symptom: 'favorites keeps giving 502 bad gateway',
      description:
        'One favorites pod crash-loops from 07:17 (a segfault in a native image-resizing module on one malformed ' +
        'upload, exit code 139 reported as Error); the other two pods are fine. Traefik (Kubernetes Ingress provider, ' +
        'no retry middleware) sends requests to the dying pod until its readiness probe fails and answers 502 for ' +
        'them and for requests in flight when it dies. The Node.js app uses express-prom-bundle: one histogram with ' +
        'status_code, method and path, no request counter.',
      extras: ['traefik'],
      evidence: [
        'traefik_service_requests_total{service="gifts-favorites-3000@kubernetes",code="502"} ~1–3 % of requests since 07:17',
        'one pod: up == 0 at several scrapes, restarts 0 → 5, last_terminated_reason="Error", CrashLoopBackOff',
        'http_request_duration_seconds_count{job="favorites"} (express-prom-bundle) shows no 5xx: the app never answered those requests',
        'no version or generation change; CPU and memory of the other pods normal',
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
      service: 'favorites',
      namespace: 'gifts',
      runtime: 'node',
      runtimeHttp: false,
      seed: scenario.id,
      windows: windows(at, 3, false),
      pods: replicaSet('favorites', '2.7.4', 'c1d8e0a', created, {
        stagger: 20,
        readySeconds: 5,
        runs: (slot) =>
          slot === 2 ? crashLoopRuns(created + 40, onset + 15, [130, 80, 105, 60, 90], 'Error') : undefined,
      }),
      deployment: steadyDeployment(31),
      rps: diurnal(55, 19),
      routes: [
        steadyRoute('GET', '/api/favorites/#val', 0.5, 0.018, { clientErrors: 0.006 }),
        steadyRoute('POST', '/api/favorites/#val/items', 0.25, 0.035, { ok: 201, serverErrors: 0.0002 }),
        steadyRoute('DELETE', '/api/favorites/#val/items/#val', 0.1, 0.02, { ok: 204 }),
        steadyRoute('POST', '/api/uploads', 0.15, 0.2, { ok: 201 }),
      ],
      clients: [],
      dbOps: [],
      resources: baseResources('node', { cpuPerRequest: 0.004 }),
      limits: baseLimits('node'),
      edge: traefikEdge({ port: 3000 }),
      appEmitters: [expressPromBundle()],
      httpBuckets: EXPRESS_PROM_BUNDLE_BUCKETS,
      appHttp: true,
      scrape: { style: 'pods', port: 3000 },
    }),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// dependency-failure (Linkerd): the fares service behind the mesh fails; itinerary's 502s follow.

function itineraryDependency(): ScenarioDefinition {
  const at = sec('2026-10-01T03:40:00Z');
  const onset = sec('2026-10-01T03:27:00Z');
  const created = sec('2026-09-28T15:10:00Z');
  const outage = (t: number) => ramp(t, onset, 90);
  const faresFailing = (t: number) => 0.42 * outage(t);
  const scenario = scenarioOf(
    {
      id: 'dependency-failure-linkerd',
      service: 'itinerary',
      namespace: 'travel',
      convention: 'linkerd',
      cause: 'dependency-failure',
      symptom: 'itinerary page failing with 5xx errors',
      description:
        'From 03:27 the fares service (same namespace, meshed) answers 503 to ~42 % of calls: its cache cluster lost ' +
        'a shard. itinerary turns those into 502 on the routes that price a trip. itinerary is a Python app without ' +
        'HTTP metrics of its own; the Linkerd proxy sees both its inbound requests (deployment="itinerary", ' +
        'direction="inbound") and its outbound calls (dst_deployment="fares"). The seats dependency is fine.',
      extras: ['linkerd'],
      evidence: [
        'response_total{direction="outbound",deployment="itinerary",dst_deployment="fares",classification="failure"} ~42 % of calls to fares since 03:27',
        'outbound calls to seats all 200',
        'response_total{direction="inbound",deployment="itinerary",status_code="502"} ~25 % of requests',
        'no restarts, no deploy, CPU and memory normal',
      ],
    },
    at,
    onset,
    3,
    false,
  );
  const pricing = (method: string, route: string, weight: number, median: number): ServiceModel['routes'][number] => ({
    method,
    route,
    weight,
    outcomes: (ctx: PodContext) =>
      withFailure(healthy(median), { code: 502, median: 0.03, sigma: 0.5 }, faresFailing(ctx.t)),
  });
  const clients: ClientModel[] = [
    {
      peer: 'fares',
      port: 8080,
      method: 'POST',
      uri: '/v1/fares/search',
      callsPerRequest: () => 0.65,
      outcomes: (ctx) => [
        { code: 200, frac: 0.999 - faresFailing(ctx.t), median: 0.045, sigma: 0.45 },
        { code: 500, frac: 0.001, median: 0.02, sigma: 0.4 },
        { code: 503, frac: faresFailing(ctx.t), median: 0.004, sigma: 0.5 },
      ],
    },
    {
      peer: 'seats',
      port: 8080,
      method: 'GET',
      uri: '/v1/seatmaps',
      callsPerRequest: () => 0.3,
      outcomes: () => [{ code: 200, frac: 1, median: 0.015, sigma: 0.4 }],
    },
  ];
  return {
    scenario,
    build: () => ({
      service: 'itinerary',
      namespace: 'travel',
      runtime: 'python',
      seed: scenario.id,
      windows: windows(at, 3, false),
      pods: replicaSet('itinerary', '5.2.1', '0e7b3c9', created, { stagger: 30, readySeconds: 12 }),
      deployment: steadyDeployment(44),
      rps: diurnal(38, 8),
      routes: [
        pricing('GET', '/trips/{id}/itinerary', 0.45, 0.09),
        pricing('POST', '/trips/{id}/reprice', 0.15, 0.12),
        steadyRoute('GET', '/trips/{id}', 0.3, 0.03, { clientErrors: 0.01 }),
        steadyRoute('GET', '/healthz', 0.1, 0.002),
      ],
      clients,
      dbOps: [],
      resources: baseResources('python', { cpuPerRequest: 0.006 }),
      limits: baseLimits('python'),
      edge: linkerdEdge({ port: 8000 }),
      appHttp: false,
      scrape: { style: 'pods', port: 8000 },
    }),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// cpu-saturation (standalone Envoy + Go promhttp with client_golang's collectors).

function geocoderCpu(): ScenarioDefinition {
  const at = sec('2026-10-03T03:30:00Z');
  const onset = sec('2026-10-03T03:17:00Z');
  const created = sec('2026-09-30T13:25:00Z');
  const heavy = (t: number) => ramp(t, onset - MINUTE, 3 * MINUTE);
  const cpuPerRequest = 0.013;
  const utilisation = (ctx: PodContext) => 0.02 + cpuPerRequest * ctx.rps * (1 + 3.4 * heavy(ctx.t));
  const queue = (ctx: PodContext) => 1 + (6 * clamp(utilisation(ctx) - 0.9, 0, 0.5)) / 0.5;
  const scenario = scenarioOf(
    {
      id: 'cpu-saturation-envoy-promhttp',
      service: 'geocoder',
      namespace: 'maps',
      convention: 'envoy',
      cause: 'cpu-saturation',
      symptom: 'geocoder is really slow tonight',
      description:
        'A partner started a bulk re-geocoding job at 03:15 through the normal API: same request rate as usual at ' +
        'night, but every address is a long free-text one that takes the fuzzy-matching path, ~4.4× the CPU per ' +
        'request. The Go pods (GOMAXPROCS 4, limit 1 core) sit at their quota and are throttled; latency climbs and ' +
        'http.TimeoutHandler answers 503 after 5 s for a few requests. A standalone Envoy front proxy routes to the ' +
        'cluster "geocoder". The app\'s own metrics are client_golang promhttp (code, lower-case method, curried handler).',
      extras: ['envoy'],
      evidence: [
        'container_cpu_usage_seconds_total ≈ the 1-core limit, CFS throttling > 50 % of periods, from ~25 %',
        'envoy_cluster_upstream_rq_time (ms) p99 from ~150 ms to seconds; envoy_cluster_upstream_rq{envoy_response_code="503"} ~1 %',
        'http_requests_total{job="geocoder",code="503",method="get"} from the TimeoutHandler; request rate flat vs a day earlier',
        'no deploy, no restarts, memory flat',
      ],
    },
    at,
    onset,
    3,
    true,
  );
  const slowRoute = (
    route: string,
    weight: number,
    median: number,
    timeouts: number,
  ): ServiceModel['routes'][number] => ({
    method: 'GET',
    route,
    weight,
    outcomes: (ctx) => {
      const h = heavy(ctx.t);
      const base = slower(healthy(median, { clientErrors: 0.004 }), (1 + 3.4 * h) * queue(ctx), 0.55 + 0.3 * h, 5);
      return withFailure(base, { code: 503, median: 5.0, sigma: 0.01 }, timeouts * h);
    },
  });
  const resources = baseResources('go-otel', { cpuPerRequest, cpuIdle: 0.02 });
  return {
    scenario,
    build: () => ({
      service: 'geocoder',
      namespace: 'maps',
      runtime: 'go',
      seed: scenario.id,
      windows: windows(at, 3, true),
      pods: replicaSet('geocoder', 'v4.3.2', '8a1f0c6', created, { stagger: 15 }),
      deployment: steadyDeployment(29),
      rps: diurnal(70, 14),
      routes: [
        slowRoute('/v1/geocode', 0.6, 0.022, 0.015),
        slowRoute('/v1/reverse', 0.35, 0.012, 0.005),
        steadyRoute('GET', '/healthz', 0.05, 0.0004),
      ],
      clients: [],
      dbOps: [],
      resources: {
        ...resources,
        cpuCores: (ctx) => utilisation(ctx) * ctx.noise.factor(`cpu:${ctx.pod.name}`, ctx.t, 0.05),
        goroutines: (ctx) => resources.goroutines(ctx) * (1 + 2 * heavy(ctx.t)),
      },
      limits: baseLimits('go-otel'),
      edge: envoyEdge({
        clusterName: 'geocoder',
        job: 'front-envoy',
        namespace: 'edge',
        deployment: 'front-envoy',
        adminPort: 9901,
        connManagerPrefix: 'ingress_http',
      }),
      appEmitters: [clientGolangRuntime({ gomaxprocs: 4 }), promhttpServer()],
      httpBuckets: BUCKETS.promClient,
      appHttp: true,
      scrape: { style: 'pods', port: 8080 },
    }),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// bad-deploy (Contour + django-prometheus): the new version fails one view.

function helpdeskDeploy(): ScenarioDefinition {
  const at = sec('2026-10-06T05:15:00Z');
  const deploy = sec('2026-10-06T05:00:00Z');
  const onset = sec('2026-10-06T05:01:00Z');
  const oldCreated = sec('2026-10-01T09:40:00Z');
  const newVersion = '2024.10.3';
  const isNew = (ctx: PodContext) => ctx.pod.version === newVersion;
  const scenario = scenarioOf(
    {
      id: 'bad-deploy-contour-django',
      service: 'helpdesk',
      namespace: 'support',
      convention: 'envoy',
      cause: 'bad-deploy',
      symptom: 'helpdesk throwing 500 errors after the release',
      description:
        'The 05:00 rollout of helpdesk 2024.10.3 (generation 17 → 18) renamed a template context variable; the ticket ' +
        'detail and ticket reply views raise KeyError on the new pods. Contour routes to it through Envoy, whose stats ' +
        'name the cluster by alt_stat_name "support_helpdesk_8000". The Django app uses django-prometheus (views, ' +
        'status, DB query histogram) and the client_python process collector.',
      extras: ['contour', 'envoy'],
      evidence: [
        'envoy_cluster_upstream_rq{envoy_cluster_name="support_helpdesk_8000",envoy_response_code="500"} ~9 % of requests from 05:01',
        'django_http_responses_total_by_status_view_method_total{status="500"} on tickets:detail and tickets:reply only; django_http_exceptions_total_by_type_total{type="KeyError"}',
        'app_build_info version 2024.10.2 → 2024.10.3, kube_deployment_metadata_generation 17 → 18, all pods new',
        'database query time, CPU and memory unchanged; a day earlier clean',
      ],
    },
    at,
    onset,
    3,
    true,
  );
  const broken = (view: string, weight: number, median: number, share: number): ServiceModel['routes'][number] => ({
    method: view.endsWith('reply') ? 'POST' : 'GET',
    route: view,
    weight,
    outcomes: (ctx) => {
      const base = healthy(median, { clientErrors: 0.005, ok: view.endsWith('reply') ? 302 : 200 });
      return isNew(ctx)
        ? withFailure(base, { code: 500, median: 0.02, sigma: 0.4, exception: 'KeyError' }, share)
        : base;
    },
  });
  const newCreated = (slot: number) => deploy + slot * 25;
  return {
    scenario,
    build: () => ({
      service: 'helpdesk',
      namespace: 'support',
      runtime: 'python',
      seed: scenario.id,
      windows: windows(at, 3, true),
      pods: [
        ...replicaSet('helpdesk', '2024.10.2', '41c2aa9', oldCreated, {
          stagger: 30,
          deleted: (slot) => newCreated(slot) + 25,
        }),
        ...replicaSet('helpdesk', newVersion, '9e03b71', deploy, { stagger: 25, readySeconds: 14 }),
      ],
      deployment: {
        replicas: 3,
        generations: [
          [0, 17],
          [deploy - 2, 18],
        ],
      },
      rps: diurnal(30, 12),
      routes: [
        steadyRoute('GET', 'tickets:list', 0.35, 0.07),
        broken('tickets:detail', 0.3, 0.05, 0.2),
        broken('tickets:reply', 0.1, 0.11, 0.3),
        steadyRoute('GET', 'kb:article', 0.25, 0.03, { clientErrors: 0.01 }),
      ],
      clients: [],
      dbOps: [
        {
          operation: 'SELECT',
          collection: 'tickets',
          perRequest: 3.2,
          latency: () => ({ median: 0.0018, sigma: 0.55 }),
        },
        {
          operation: 'INSERT',
          collection: 'ticket_replies',
          perRequest: 0.1,
          latency: () => ({ median: 0.003, sigma: 0.5 }),
        },
      ],
      resources: baseResources('python', { cpuPerRequest: 0.008 }),
      limits: baseLimits('python'),
      edge: envoyEdge({
        clusterName: 'support_helpdesk_8000',
        job: 'envoy',
        namespace: 'projectcontour',
        deployment: 'envoy',
        adminPort: 8002,
        connManagerPrefix: 'ingress_https',
        replicas: 3,
        daemonSet: true,
      }),
      appEmitters: [djangoPrometheus({ vendor: 'postgresql' })],
      httpBuckets: DJANGO_HTTP_BUCKETS,
      appHttp: true,
      scrape: { style: 'pods', port: 8000 },
    }),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// traffic-surge (HAProxy promex + prometheus-fastapi-instrumentator): both only know status classes.

function listingsSurge(): ScenarioDefinition {
  const at = sec('2026-10-07T23:30:00Z');
  const onset = sec('2026-10-07T23:17:00Z');
  const created = sec('2026-10-04T10:05:00Z');
  const surge = (t: number) => ramp(t, onset - 2 * MINUTE, 2 * MINUTE);
  const cpuPerRequest = 0.034;
  const utilisation = (ctx: PodContext) => 0.03 + cpuPerRequest * ctx.rps;
  const overload = (ctx: PodContext) => clamp((utilisation(ctx) - 0.85) / 0.25, 0, 1);
  const scenario = scenarioOf(
    {
      id: 'traffic-surge-haproxy-fastapi',
      service: 'listings',
      namespace: 'realestate',
      convention: 'haproxy',
      cause: 'traffic-surge',
      symptom: 'listings search overloaded, lots of 503s',
      description:
        'A price-comparison site started scraping the listings search at 23:15: 3.6× the usual late-evening traffic. ' +
        'CPU per request is unchanged; the pods hit their 1-core limit, latency climbs and the concurrency limiter ' +
        'sheds ~7 % with 503. HAProxy (promex, backend "be_listings") and prometheus-fastapi-instrumentator both ' +
        'report status classes only ("5xx"), so a per-code question (500 or 503?) cannot be answered from them.',
      extras: ['haproxy'],
      evidence: [
        'haproxy_backend_http_requests_total{proxy="be_listings"} ×3.6 vs a day earlier and the hours before',
        'haproxy_backend_http_responses_total{code="5xx"} and http_requests_total{status="5xx"} ~6–7 % (classes only)',
        'CPU at the 1-core limit, heavy throttling; haproxy_backend_response_time_average_seconds up',
        'no deploy, no restarts',
      ],
    },
    at,
    onset,
    3,
    true,
  );
  const route = (
    method: string,
    path: string,
    weight: number,
    median: number,
    shed: boolean,
  ): ServiceModel['routes'][number] => ({
    method,
    route: path,
    weight,
    outcomes: (ctx) => {
      const base = slower(
        healthy(median, { clientErrors: 0.006 }),
        1 + 10 * overload(ctx),
        0.55 + 0.35 * overload(ctx),
      );
      return shed ? withFailure(base, { code: 503, median: 0.002, sigma: 0.4 }, 0.08 * overload(ctx)) : base;
    },
  });
  const resources = baseResources('python', { cpuPerRequest, cpuIdle: 0.03 });
  return {
    scenario,
    build: () => ({
      service: 'listings',
      namespace: 'realestate',
      runtime: 'python',
      seed: scenario.id,
      windows: windows(at, 3, true),
      pods: replicaSet('listings', '3.11.0', '5d7a2e4', created, { stagger: 20, readySeconds: 9 }),
      deployment: steadyDeployment(48),
      rps: (t) => diurnal(22, 19)(t) * (1 + 2.6 * surge(t)),
      routes: [
        route('GET', '/listings/search', 0.65, 0.06, true),
        route('GET', '/listings/{listing_id}', 0.3, 0.025, true),
        route('POST', '/listings/{listing_id}/contact', 0.05, 0.09, false),
      ],
      clients: [],
      dbOps: [],
      resources: {
        ...resources,
        rssBytes: (ctx) => resources.rssBytes(ctx) + 30 * MIB * overload(ctx),
      },
      limits: baseLimits('python'),
      edge: haproxyEdge({ backend: 'be_listings', frontend: 'fe_https' }),
      appEmitters: [fastapiInstrumentator()],
      httpBuckets: FASTAPI_HIGHR_BUCKETS,
      appHttp: true,
      scrape: { style: 'pods', port: 8000 },
    }),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// rate-limited (Kong + OpenTelemetry through the collector, resource attributes promoted).

/** The OpenTelemetry collector's target labels: job = service.namespace/service.name, instance = service.instance.id. */
function collectorTargets(model: ServiceModel, pod: Pod) {
  return { job: `${model.namespace}/${model.service}`, instance: `${model.namespace}.${pod.name}.${model.service}` };
}

/** Resource attributes as target_info carries them (all but the ones in job and instance). */
function goResource(model: ServiceModel, podName: string, version: string) {
  return {
    k8s_deployment_name: model.service,
    k8s_namespace_name: model.namespace,
    k8s_pod_name: podName,
    service_version: version,
    telemetry_sdk_language: 'go',
    telemetry_sdk_name: 'opentelemetry',
    telemetry_sdk_version: '1.32.0',
  };
}

const OTELHTTP_SCOPE = { name: 'go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp', version: '0.57.0' };
const RUNTIME_SCOPE = { name: 'go.opentelemetry.io/contrib/instrumentation/runtime', version: '0.57.0' };

function remittanceRateLimited(): ScenarioDefinition {
  const at = sec('2026-10-09T03:20:00Z');
  const onset = sec('2026-10-09T03:09:00Z');
  const created = sec('2026-10-05T16:45:00Z');
  const limited = (t: number) => ramp(t, onset, 90);
  const partner = 'api.fxpartner.example';
  const scenario = scenarioOf(
    {
      id: 'rate-limited-kong-otel-collector',
      service: 'remittance',
      namespace: 'transfers',
      convention: 'kong',
      cause: 'rate-limited',
      symptom: 'remittance quotes failing, 503 from remittance',
      description:
        'From 03:09 the FX partner API answers 429 to ~58 % of calls: its per-client quota was lowered overnight. ' +
        'Retries raise the outbound call rate; quotes that cannot be priced fail with 503. remittance is a Go ' +
        'service instrumented with OpenTelemetry and exported through the collector (job="transfers/remittance", ' +
        'instance = service.instance.id, resource attributes promoted to labels such as service_name). Kong 3.x is ' +
        'in front (service "remittance-api").',
      job: 'transfers/remittance',
      lacks: ['process', 'build-info'],
      extras: ['kong', 'otel-collector'],
      evidence: [
        'http_client_request_duration_seconds_count{server_address="api.fxpartner.example",http_response_status_code="429",error_type="429"} ~58 % of calls since 03:09',
        'kong_http_requests_total{service="remittance-api",code="503",source="service"} on the quotes route',
        'calls to compliance.transfers.svc.cluster.local all 200; traffic flat vs a day earlier',
        'CPU, memory, restarts, version normal',
      ],
    },
    at,
    onset,
    3,
    true,
  );
  const clients: ClientModel[] = [
    {
      peer: partner,
      port: 443,
      method: 'GET',
      uri: '/v3/rates',
      callsPerRequest: (ctx) => 0.55 * (1 + 1.2 * limited(ctx.t)),
      outcomes: (ctx) => {
        const l = limited(ctx.t);
        return [
          { code: 200, frac: 0.9995 - 0.5795 * l, median: 0.11, sigma: 0.4 },
          { code: 500, frac: 0.0005, median: 0.05, sigma: 0.4 },
          { code: 429, frac: 0.58 * l, median: 0.02, sigma: 0.4 },
        ];
      },
    },
    {
      peer: 'compliance.transfers.svc.cluster.local',
      port: 8080,
      method: 'POST',
      uri: '/v1/screenings',
      callsPerRequest: () => 0.2,
      outcomes: () => [{ code: 200, frac: 1, median: 0.025, sigma: 0.45 }],
    },
  ];
  const promoted = (model: ServiceModel, podName: string, version: string) => ({
    service_name: model.service,
    service_namespace: model.namespace,
    service_version: version,
    k8s_pod_name: podName,
  });
  return {
    scenario,
    build: () => ({
      service: 'remittance',
      namespace: 'transfers',
      runtime: 'go',
      seed: scenario.id,
      windows: windows(at, 3, true),
      pods: replicaSet('remittance', 'v1.9.0', '2b6c8d1', created, { stagger: 15 }),
      deployment: steadyDeployment(22),
      rps: diurnal(26, 13),
      routes: [
        {
          method: 'POST',
          route: '/v1/quotes',
          weight: 0.55,
          outcomes: (ctx) =>
            withFailure(
              healthy(0.16, { ok: 201, clientErrors: 0.01, clientErrorCode: 422 }),
              { code: 503, median: 0.06, sigma: 0.5 },
              0.45 * limited(ctx.t),
            ),
        },
        steadyRoute('POST', '/v1/transfers', 0.15, 0.2, { ok: 201 }),
        steadyRoute('GET', '/v1/transfers/{id}', 0.3, 0.02, { clientErrors: 0.01 }),
      ],
      clients,
      dbOps: [],
      resources: baseResources('go-otel'),
      limits: baseLimits('go-otel'),
      edge: kongEdge({
        service: 'remittance-api',
        routeOf: (r) => (r.startsWith('/v1/quotes') ? 'remittance-quotes' : 'remittance-transfers'),
      }),
      appEmitters: [
        otelTargetInfo(goResource),
        otelGoRuntime({ promoted, scope: RUNTIME_SCOPE }),
        otelHttp({ promoted, scope: OTELHTTP_SCOPE }),
      ],
      httpBuckets: BUCKETS.otel,
      clientBuckets: BUCKETS.otel,
      targetLabels: collectorTargets,
      appHttp: true,
      scrape: { style: 'pods', port: 8080 },
    }),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// db-slow (Rails with yabeda + puma, no sidecar; Istio sees it from its callers only).

function bookingsDbSlow(): ScenarioDefinition {
  const at = sec('2026-10-11T02:10:00Z');
  const onset = sec('2026-10-11T01:57:00Z');
  const created = sec('2026-10-07T08:15:00Z');
  const slow = (t: number) => ramp(t, onset, 150);
  const availability = (ctx: PodContext) => ({ median: 0.004 + 0.55 * slow(ctx.t), sigma: 0.5 + 0.2 * slow(ctx.t) });
  const scenario = scenarioOf(
    {
      id: 'db-slow-istio-source-rails',
      service: 'bookings',
      namespace: 'hotel',
      convention: 'istio-source',
      cause: 'db-slow',
      symptom: 'bookings API slow and timing out',
      description:
        'From 01:57 the availability query of bookings takes ~0.5 s instead of 4 ms: the nightly ANALYZE changed the ' +
        'statistics of room_nights and the planner switched to a sequential scan. bookings is a Rails app (yabeda-rails, ' +
        'yabeda-puma-plugin; no process collector) in a namespace without sidecar injection: Istio sees it only from ' +
        'its callers\' sidecars (reporter="source", destination_workload unknown). rack-timeout answers 503 after 5 s.',
      lacks: ['process', 'build-info'],
      extras: ['istio'],
      evidence: [
        'rails_db_runtime_seconds (sum/count) from ~10 ms to ~0.5 s per request on availability#index and bookings#create',
        'rails_request_duration_seconds p99 several seconds; 503 (Rack::Timeout) ~4 % of availability',
        'istio_requests_total{reporter="source",destination_service_name="bookings"} from hotel-frontend and partner-gateway: latency up, 503s',
        'puma threads busier but not exhausted; traffic, CPU, memory, version unchanged',
      ],
    },
    at,
    onset,
    3,
    false,
  );
  const railsRoutes: Record<string, { controller: string; action: string; format: string }> = {
    '/availability': { controller: 'availability', action: 'index', format: 'json' },
    '/bookings': { controller: 'bookings', action: 'create', format: 'json' },
    '/bookings/:id': { controller: 'bookings', action: 'show', format: 'json' },
  };
  return {
    scenario,
    build: () => ({
      service: 'bookings',
      namespace: 'hotel',
      runtime: 'ruby',
      seed: scenario.id,
      windows: windows(at, 3, false),
      pods: replicaSet('bookings', '8.14.0', 'a7c31f2', created, { stagger: 30, readySeconds: 20 }),
      deployment: steadyDeployment(63),
      rps: diurnal(24, 18),
      routes: [
        {
          method: 'GET',
          route: '/availability',
          weight: 0.6,
          outcomes: (ctx) => {
            const s = slow(ctx.t);
            const base = slower(healthy(0.045, { clientErrors: 0.004 }), 1 + 12 * s, 0.55 + 0.25 * s, 5);
            return withFailure(
              base,
              { code: 503, median: 5.0, sigma: 0.01, exception: 'Rack::Timeout::RequestTimeoutException' },
              0.04 * s,
            );
          },
        },
        {
          method: 'POST',
          route: '/bookings',
          weight: 0.15,
          outcomes: (ctx) =>
            slower(healthy(0.09, { ok: 201, clientErrors: 0.02, clientErrorCode: 422 }), 1 + 5 * slow(ctx.t)),
        },
        steadyRoute('GET', '/bookings/:id', 0.25, 0.02, { clientErrors: 0.01 }),
      ],
      clients: [],
      dbOps: [
        { operation: 'SELECT', collection: 'room_nights', perRequest: 0.75, latency: availability },
        {
          operation: 'SELECT',
          collection: 'bookings',
          perRequest: 1.2,
          latency: () => ({ median: 0.0012, sigma: 0.5 }),
        },
      ],
      resources: {
        ...baseResources('python', { cpuPerRequest: 0.012, rssBytes: 310 * MIB, threads: 14 }),
      },
      limits: baseLimits('python', { memoryBytes: 1024 * MIB, memoryRequestBytes: 768 * MIB }),
      edge: istioSourceEdge([
        { workload: 'hotel-frontend', namespace: 'web', share: 0.7, replicas: 2 },
        { workload: 'partner-gateway', namespace: 'partners', share: 0.3, replicas: 2 },
      ]),
      appEmitters: [
        yabedaRails((r) => railsRoutes[r.route] ?? { controller: 'application', action: 'index', format: 'html' }),
        yabedaPuma({ workers: 2, threads: 5 }),
      ],
      httpBuckets: YABEDA_BUCKETS,
      appHttp: true,
      scrape: { style: 'pods', port: 9394 },
    }),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// connection-pool-exhausted (Micrometer with percentile histograms + HikariCP).

function adjustersPool(): ScenarioDefinition {
  const at = sec('2026-10-12T03:45:00Z');
  const onset = sec('2026-10-12T03:32:00Z');
  const created = sec('2026-10-09T14:00:00Z');
  const max = 10;
  const batch = (t: number) => ramp(t, onset - 2 * MINUTE, 2 * MINUTE);
  const demand = (ctx: PodContext) =>
    (0.3 + ctx.rps * 0.05 + 10 * batch(ctx.t)) * ctx.noise.factor(`demand:${ctx.pod.name}`, ctx.t, 0.08);
  const pressure = (ctx: PodContext) => demand(ctx) / max;
  const timeoutFrac = (ctx: PodContext) => clamp((pressure(ctx) - 1) * 0.9, 0, 0.4);
  const scenario = scenarioOf(
    {
      id: 'connection-pool-exhausted-micrometer-histogram',
      service: 'adjusters',
      namespace: 'insurance',
      convention: 'micrometer-histogram',
      cause: 'connection-pool-exhausted',
      symptom: 'adjusters API returning 503s, connection timeouts',
      description:
        'At 03:30 the in-process @Scheduled re-scoring job (moved to the night by a config-server change, no deploy) ' +
        'runs 10 worker threads per pod, each holding one of the 10 HikariCP connections in a long transaction. Web ' +
        'requests queue behind them and time out after 5 s (503, CannotCreateTransactionException). The database is fast. Spring Boot ' +
        'publishes percentile histograms for http.server.requests (http_server_requests_seconds_bucket).',
      extras: [],
      evidence: [
        'hikaricp_connections_active == hikaricp_connections_max (10), pending > 0, hikaricp_connections_timeout_total rising',
        'http_server_requests_seconds_count{status="503",exception="CannotCreateTransactionException"} ~15 %; histogram_quantile on http_server_requests_seconds_bucket ~5 s',
        'traffic flat vs a day earlier; CPU < 50 %; no deploy or restarts',
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
  ): ServiceModel['routes'][number] => ({
    method,
    route,
    weight,
    outcomes: (ctx) => {
      const p = pressure(ctx);
      const wait = p > 0.95 ? 0.3 + 1.8 * clamp((p - 0.95) * 4, 0, 1) : 0;
      const base = healthy(median + wait, { ok, sigma: wait > 0 ? 0.7 : 0.5, clientErrors: 0.005 });
      const capped = wait > 0 ? base.map((o) => ({ ...o, cap: 5 + median })) : base;
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
      service: 'adjusters',
      namespace: 'insurance',
      runtime: 'jvm',
      runtimeHttp: false,
      seed: scenario.id,
      windows: windows(at, 3, true),
      pods: replicaSet('adjusters', '7.2.1', 'f04d9b3', created, { stagger: 45, readySeconds: 35 }),
      deployment: steadyDeployment(35),
      rps: diurnal(28, 15),
      routes: [
        dbRoute('GET', '/api/claims/{id}', 0.5, 0.03),
        dbRoute('POST', '/api/claims', 0.2, 0.08, 201),
        dbRoute('GET', '/api/policies/{policyId}/claims', 0.3, 0.05),
      ],
      clients: [],
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
          pending: clamp(excess * 60, 1, 25) * ctx.noise.factor(`pending:${ctx.pod.name}`, ctx.t, 0.2),
          timeoutsPerSecond: ctx.rps * timeoutFrac(ctx),
          acquire: { median: 0.5 + 1.5 * clamp(excess * 3, 0, 1), sigma: 0.9, cap: 5 },
        };
      },
      resources: baseResources('jvm', { cpuPerRequest: 0.007 }),
      limits: baseLimits('jvm'),
      appEmitters: [micrometerHistogramServer()],
      httpBuckets: micrometerTimerBuckets(),
      appHttp: true,
      scrape: { style: 'service-monitor', port: 8080 },
    }),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// app-error (ASP.NET Core with prometheus-net): one controller action fails.

function timesheetsError(): ScenarioDefinition {
  const at = sec('2026-10-14T01:20:00Z');
  const onset = sec('2026-10-14T01:08:00Z');
  const created = sec('2026-10-10T10:30:00Z');
  const scenario = scenarioOf(
    {
      id: 'app-error-prometheus-net',
      service: 'timesheets',
      namespace: 'hr',
      convention: 'prometheus-net',
      cause: 'app-error',
      symptom: 'timesheets approvals erroring with 500',
      description:
        'From 01:08, when the Asia-Pacific week rolled over, Approvals/Submit throws NullReferenceException for ~35 % ' +
        'of submissions (entries for a public holiday have no cost centre). Everything else is normal. ASP.NET Core ' +
        'with prometheus-net UseHttpMetrics (code, method, controller, action) and its DotNetStats collector.',
      extras: [],
      evidence: [
        'http_requests_received_total{controller="Approvals",action="Submit",code="500"} ~35 % of that action since 01:08',
        'other actions clean; no deploy, no restarts, CPU and memory normal',
      ],
    },
    at,
    onset,
    3,
    false,
  );
  const actions: Record<string, { controller: string; action: string }> = {
    '/api/timesheets/{id}': { controller: 'Timesheets', action: 'Get' },
    '/api/timesheets': { controller: 'Timesheets', action: 'Create' },
    '/api/approvals/{id}/submit': { controller: 'Approvals', action: 'Submit' },
    '/api/approvals': { controller: 'Approvals', action: 'List' },
  };
  return {
    scenario,
    build: () => ({
      service: 'timesheets',
      namespace: 'hr',
      runtime: 'dotnet',
      seed: scenario.id,
      windows: windows(at, 3, false),
      pods: replicaSet('timesheets', '3.4.12', '77d0e5b', created, { stagger: 30, readySeconds: 15 }),
      deployment: steadyDeployment(52),
      rps: diurnal(35, 3),
      routes: [
        steadyRoute('GET', '/api/timesheets/{id}', 0.4, 0.015, { clientErrors: 0.01 }),
        steadyRoute('POST', '/api/timesheets', 0.25, 0.04, { ok: 201, clientErrors: 0.02, clientErrorCode: 400 }),
        {
          method: 'POST',
          route: '/api/approvals/{id}/submit',
          weight: 0.15,
          outcomes: (ctx) =>
            withFailure(healthy(0.05), { code: 500, median: 0.012, sigma: 0.4 }, 0.35 * ramp(ctx.t, onset, 120)),
        },
        steadyRoute('GET', '/api/approvals', 0.2, 0.03),
      ],
      clients: [],
      dbOps: [],
      resources: baseResources('node', { cpuPerRequest: 0.005, rssBytes: 185 * MIB, heapBytes: 64 * MIB, threads: 31 }),
      limits: baseLimits('node'),
      appEmitters: [
        dotnetStats(),
        appBuildInfo(),
        prometheusNetHttp((r) => actions[r.route] ?? { controller: 'Home', action: 'Index' }),
      ],
      httpBuckets: PROMETHEUS_NET_BUCKETS,
      appHttp: true,
      scrape: { style: 'service-monitor', port: 8080 },
    }),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// healthy (OpenTelemetry Go, old HTTP names in milliseconds, in-process Prometheus exporter).

function geofenceHealthy(): ScenarioDefinition {
  const at = sec('2026-10-16T03:00:00Z');
  const onset = sec('2026-10-16T02:45:00Z');
  const created = sec('2026-10-13T09:20:00Z');
  const scenario = scenarioOf(
    {
      id: 'healthy-otel-legacy-http',
      service: 'geofence',
      namespace: 'fleet',
      convention: 'opentelemetry-legacy',
      cause: 'healthy',
      symptom: 'geofence seems slow?',
      description:
        'geofence is healthy. It runs an older otelhttp (semantic conventions before 1.20): ' +
        'http_server_duration_milliseconds with http_method, http_status_code and http_route, the SDK default ' +
        'millisecond buckets (0, 5, 10 … 10000), and the in-process Prometheus exporter on the client_golang registry.',
      extras: [],
      evidence: [
        'p99 < 100 ms, 5xx < 0.02 %, CPU < 20 %, memory < 30 %, no restarts or deploy',
        'traffic like yesterday',
      ],
      healthChecks: {
        errorRatio:
          '(sum(rate(http_server_duration_milliseconds_count{job="geofence",http_status_code=~"5.."}[5m])) or vector(0)) / sum(rate(http_server_duration_milliseconds_count{job="geofence"}[5m]))',
        latency:
          'histogram_quantile(0.99, sum by (le) (rate(http_server_duration_milliseconds_bucket{job="geofence"}[5m]))) / 1000',
      },
    },
    at,
    onset,
    3,
    true,
  );
  return {
    scenario,
    build: () => ({
      service: 'geofence',
      namespace: 'fleet',
      runtime: 'go-otel',
      runtimeHttp: false,
      seed: scenario.id,
      windows: windows(at, 3, true),
      pods: replicaSet('geofence', 'v2.2.5', 'e31b07a', created, { stagger: 20 }),
      deployment: steadyDeployment(18),
      rps: diurnal(48, 9),
      routes: [
        steadyRoute('POST', '/v1/positions/check', 0.75, 0.006, { serverErrors: 0.0001 }),
        steadyRoute('GET', '/v1/fences/{id}', 0.2, 0.004, { clientErrors: 0.005 }),
        steadyRoute('PUT', '/v1/fences/{id}', 0.05, 0.012),
      ],
      clients: [],
      dbOps: [],
      resources: baseResources('go-otel'),
      limits: baseLimits('go-otel'),
      appEmitters: [otelHttpLegacy({ port: 8080 })],
      httpBuckets: OTEL_MS_BUCKETS_AS_SECONDS,
      appHttp: true,
      scrape: { style: 'pods', port: 9464 },
    }),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// dependency-failure (gRPC, go-grpc-middleware server and client metrics).

function scoringDependency(): ScenarioDefinition {
  const at = sec('2026-10-17T04:10:00Z');
  const onset = sec('2026-10-17T03:57:00Z');
  const created = sec('2026-10-13T17:40:00Z');
  const outage = (t: number) => ramp(t, onset, 60);
  const unavailable = (t: number) => 0.38 * outage(t);
  const deadline = (t: number) => 0.07 * outage(t);
  const scenario = scenarioOf(
    {
      id: 'dependency-failure-grpc-go',
      service: 'scoring',
      namespace: 'risk',
      convention: 'grpc-go',
      cause: 'dependency-failure',
      symptom: 'scoring grpc calls failing with Unavailable errors',
      description:
        'From 03:57 the feature store (gRPC service features.v1.FeatureStore) answers Unavailable to ~38 % of calls ' +
        'and ~7 % hit the 2 s deadline: one of its Redis shards failed over. scoring, a Go gRPC server with ' +
        'go-grpc-middleware metrics (handling-time histograms on), returns Unavailable for the scores it cannot ' +
        'compute. The rules-engine dependency is fine.',
      extras: [],
      evidence: [
        'grpc_client_handled_total{grpc_service="features.v1.FeatureStore",grpc_code=~"Unavailable|DeadlineExceeded"} ~45 % since 03:57',
        'grpc_server_handled_total{grpc_service="risk.v1.ScoringService",grpc_code="Unavailable"} ~30 % of Score',
        'calls to risk.v1.RulesEngine all OK; CPU, memory, restarts, version normal',
      ],
    },
    at,
    onset,
    3,
    false,
  );
  const clients: ClientModel[] = [
    {
      peer: 'features.v1.FeatureStore',
      port: 9090,
      method: 'POST',
      uri: 'GetFeatures',
      callsPerRequest: () => 0.8,
      outcomes: (ctx) => [
        { code: 200, frac: 0.9995 - unavailable(ctx.t) - deadline(ctx.t), median: 0.006, sigma: 0.45 },
        { code: 404, frac: 0.0005, median: 0.003, sigma: 0.4 },
        { code: 503, frac: unavailable(ctx.t), median: 0.002, sigma: 0.5 },
        { code: 504, frac: deadline(ctx.t), median: 2.0, sigma: 0.01 },
      ],
    },
    {
      peer: 'risk.v1.RulesEngine',
      port: 9090,
      method: 'POST',
      uri: 'Evaluate',
      callsPerRequest: () => 0.8,
      outcomes: () => [{ code: 200, frac: 1, median: 0.004, sigma: 0.4 }],
    },
  ];
  return {
    scenario,
    build: () => ({
      service: 'scoring',
      namespace: 'risk',
      runtime: 'go',
      seed: scenario.id,
      windows: windows(at, 3, false),
      pods: replicaSet('scoring', 'v0.31.2', 'b5e08c4', created, { stagger: 15 }),
      deployment: steadyDeployment(40),
      rps: diurnal(90, 14),
      routes: [
        {
          method: 'POST',
          route: 'risk.v1.ScoringService/Score',
          weight: 0.8,
          outcomes: (ctx) => [
            ...healthy(0.014, { clientErrors: 0.003, clientErrorCode: 400 }).map((o) => ({
              ...o,
              frac: o.frac * (1 - unavailable(ctx.t) - deadline(ctx.t)),
            })),
            { code: 503, frac: unavailable(ctx.t), median: 0.004, sigma: 0.5 },
            { code: 504, frac: deadline(ctx.t), median: 2.003, sigma: 0.01 },
          ],
        },
        steadyRoute('POST', 'risk.v1.ScoringService/Explain', 0.2, 0.03),
      ],
      clients,
      dbOps: [],
      resources: baseResources('go-otel', { cpuPerRequest: 0.002 }),
      limits: baseLimits('go-otel'),
      appEmitters: [clientGolangRuntime({ gomaxprocs: 4 }), goGrpcMiddleware()],
      httpBuckets: BUCKETS.promClient,
      clientBuckets: BUCKETS.promClient,
      appHttp: true,
      scrape: { style: 'pods', port: 9092 },
    }),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// healthy (gRPC with OpenTelemetry RPC metrics, names before semconv 1.39).

function tilesHealthy(): ScenarioDefinition {
  const at = sec('2026-10-19T02:30:00Z');
  const onset = sec('2026-10-19T02:15:00Z');
  const created = sec('2026-10-15T12:10:00Z');
  const scenario = scenarioOf(
    {
      id: 'healthy-otel-rpc',
      service: 'tiles',
      namespace: 'cartography',
      convention: 'opentelemetry-rpc-legacy',
      cause: 'healthy',
      symptom: 'are tiles erroring? grpc clients complain',
      description:
        'tiles is healthy: a Go gRPC server with otelgrpc (rpc_server_duration_milliseconds, numeric ' +
        'rpc_grpc_status_code; NotFound for tiles outside the map is normal) and the in-process Prometheus exporter.',
      extras: [],
      evidence: ['no Unavailable/Internal codes beyond noise, p99 < 100 ms, CPU < 30 %, no restarts or deploy'],
      healthChecks: {
        errorRatio:
          '(sum(rate(rpc_server_duration_milliseconds_count{job="tiles",rpc_grpc_status_code=~"2|4|12|13|14|15"}[5m])) or vector(0)) / sum(rate(rpc_server_duration_milliseconds_count{job="tiles"}[5m]))',
        latency:
          'histogram_quantile(0.99, sum by (le) (rate(rpc_server_duration_milliseconds_bucket{job="tiles"}[5m]))) / 1000',
      },
    },
    at,
    onset,
    3,
    true,
  );
  return {
    scenario,
    build: () => ({
      service: 'tiles',
      namespace: 'cartography',
      runtime: 'go-otel',
      runtimeHttp: false,
      seed: scenario.id,
      windows: windows(at, 3, true),
      pods: replicaSet('tiles', 'v5.0.3', '13fa9c0', created, { stagger: 25 }),
      deployment: steadyDeployment(26),
      rps: diurnal(120, 16),
      routes: [
        steadyRoute('POST', 'tiles.v1.TileService/GetTile', 0.85, 0.004, { clientErrors: 0.02, serverErrors: 0.00005 }),
        steadyRoute('POST', 'tiles.v1.TileService/GetStyle', 0.15, 0.002),
      ],
      clients: [],
      dbOps: [],
      resources: baseResources('go-otel', { cpuPerRequest: 0.0015 }),
      limits: baseLimits('go-otel'),
      appEmitters: [
        otelRpcLegacy({
          scope: {
            name: 'go.opentelemetry.io/contrib/instrumentation/google.golang.org/grpc/otelgrpc',
            version: '0.49.0',
          },
        }),
      ],
      httpBuckets: OTEL_MS_BUCKETS_AS_SECONDS,
      appHttp: true,
      scrape: { style: 'pods', port: 9464 },
    }),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// app-error, named the way people type it: "refunds svc" while Prometheus only has job="returns/refunds".

function refundsError(): ScenarioDefinition {
  const at = sec('2026-10-20T03:50:00Z');
  const onset = sec('2026-10-20T03:38:00Z');
  const created = sec('2026-10-16T11:35:00Z');
  const scenario = scenarioOf(
    {
      id: 'app-error-otel-collector-composite',
      service: 'refunds',
      namespace: 'returns',
      convention: 'opentelemetry',
      cause: 'app-error',
      symptom: 'refunds svc throwing 500s',
      description:
        'From 03:38 POST /v1/refunds fails with 500 for ~30 % of requests: refunds for orders paid with a newly ' +
        'enabled wallet provider hit an unhandled payment-method type. Nothing else changes. refunds is a Go service ' +
        'exporting OpenTelemetry metrics through the collector without promoting resource attributes: its series are ' +
        'named only by job="returns/refunds" and instance = service.instance.id (target_info carries the k8s ' +
        'attributes).',
      job: 'returns/refunds',
      lacks: ['process', 'build-info'],
      extras: ['otel-collector'],
      evidence: [
        'http_server_request_duration_seconds_count{job="returns/refunds",http_route="/v1/refunds",http_response_status_code="500"} ~30 % of that route',
        'other routes clean; no deploy, restarts, resource pressure; callers of the payments API fine',
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
      service: 'refunds',
      namespace: 'returns',
      runtime: 'go',
      seed: scenario.id,
      windows: windows(at, 3, false),
      pods: replicaSet('refunds', 'v3.0.8', 'c8e2f61', created, { stagger: 20 }),
      deployment: steadyDeployment(14),
      rps: diurnal(16, 15),
      routes: [
        {
          method: 'POST',
          route: '/v1/refunds',
          weight: 0.35,
          outcomes: (ctx) =>
            withFailure(
              healthy(0.12, { ok: 201, clientErrors: 0.01, clientErrorCode: 409 }),
              { code: 500, median: 0.03, sigma: 0.4 },
              0.3 * ramp(ctx.t, onset, 120),
            ),
        },
        steadyRoute('GET', '/v1/refunds/{id}', 0.45, 0.015, { clientErrors: 0.01 }),
        steadyRoute('GET', '/v1/orders/{orderId}/refunds', 0.2, 0.025),
      ],
      clients: [
        {
          peer: 'payments-gateway.payments.svc.cluster.local',
          port: 8080,
          method: 'POST',
          uri: '/v2/refunds',
          callsPerRequest: () => 0.25,
          outcomes: () => [{ code: 201, frac: 1, median: 0.08, sigma: 0.4 }],
        },
      ],
      dbOps: [],
      resources: baseResources('go-otel'),
      limits: baseLimits('go-otel'),
      appEmitters: [
        otelTargetInfo(goResource),
        otelGoRuntime({ scope: RUNTIME_SCOPE }),
        otelHttp({ scope: OTELHTTP_SCOPE }),
      ],
      httpBuckets: BUCKETS.otel,
      clientBuckets: BUCKETS.otel,
      targetLabels: collectorTargets,
      appHttp: true,
      scrape: { style: 'pods', port: 8080 },
    }),
  };
}

export const DEFINITIONS: readonly ScenarioDefinition[] = [
  itineraryDependency(),
  favoritesCrash(),
  geocoderCpu(),
  helpdeskDeploy(),
  listingsSurge(),
  remittanceRateLimited(),
  bookingsDbSlow(),
  adjustersPool(),
  timesheetsError(),
  geofenceHealthy(),
  scoringDependency(),
  tilesHealthy(),
  refundsError(),
];
