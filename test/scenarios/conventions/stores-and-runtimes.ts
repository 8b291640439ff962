/**
 * Scenarios for the pool, data-store exporter and runtime conventions (signals/pools.yml, datastores.yml,
 * runtimes.yml): Go database/sql (client_golang DBStatsCollector and sqlstats), pgxpool, PgBouncer, Spring Data
 * repository timers, HikariCP's own tracker, OpenTelemetry pools with the stable names, postgres_exporter per
 * datname, mysqld_exporter, redis_exporter, percona mongodb_exporter, memcached_exporter, kafka_exporter, RabbitMQ,
 * and the Go (OpenTelemetry), JVM (OpenTelemetry), Node.js, Python and .NET runtimes.
 *
 * As in catalog.ts, nothing is tuned to a query: each scenario simulates the requests, pools and stores, and the
 * exporters write what the real ones would.
 */
import { makePod } from '../model/cluster.js';
import {
  type AppPool,
  goSqlStats,
  hikariPrometheusTracker,
  otelDbOperations,
  otelPoolStable,
  pgxpoolCollector,
  springDataRepositories,
} from '../model/emit-pools.js';
import {
  clientGolangRuntime,
  dotnetRuntimeStats,
  dotnetStats,
  otelGoRuntime,
  otelJvmRuntime,
} from '../model/emit-runtimes.js';
import {
  FASTAPI_HIGHR_BUCKETS,
  fastapiInstrumentator,
  otelHttp,
  otelTargetInfo,
  PROMETHEUS_NET_BUCKETS,
  prometheusNetHttp,
  promhttpServer,
} from '../model/emit-servers.js';
import {
  kafkaExporter,
  memcachedExporter,
  mongodbExporter,
  mysqldExporter,
  pgbouncerExporter,
  postgresExporter,
  rabbitmqExporter,
  redisExporter,
} from '../model/emit-stores.js';
import {
  baseLimits,
  baseResources,
  clamp,
  DAY,
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
} from '../model/profiles.js';
import {
  replicaSet,
  type ScenarioDefinition,
  scenarioOf,
  steadyDeployment,
  steadyPool,
} from '../model/scenario-kit.js';
import { BUCKETS } from '../model/stats.js';
import type { ExitReason, PodContext, RouteModel } from '../model/types.js';

/** A pod's IP for an exporter target (stable per name). */
function ipOf(name: string): string {
  let h = 0;
  for (let i = 0; i < name.length; i++) h = (h * 31 + name.charCodeAt(i)) >>> 0;
  return `10.42.${40 + (h % 40)}.${2 + ((h >>> 8) % 250)}`;
}

// ---------------------------------------------------------------------------------------------------------------
// connection-pool-exhausted (Go database/sql with client_golang's DBStatsCollector; postgres_exporter per datname).

function bookkeepingPool(): ScenarioDefinition {
  const at = sec('2026-10-02T23:40:00Z');
  const onset = sec('2026-10-02T23:27:00Z');
  const created = sec('2026-09-28T10:05:00Z');
  const batch = (t: number) => ramp(t, onset - 2 * MINUTE, 5 * MINUTE);
  const maxOpen = 10;
  const postShare = 0.3;
  const rps = (t: number) => diurnal(120, 20)(t) * (1 + 0.45 * batch(t));
  /** Connections wanted: POST /v1/transfers holds one for its whole transaction, fraud check included (~0.45 s). */
  const demand = (ctx: PodContext) =>
    ctx.rps * (postShare * 0.5 + (1 - postShare) * 0.012) * ctx.noise.factor(`demand:${ctx.pod.name}`, ctx.t, 0.06);
  const pressure = (ctx: PodContext) => demand(ctx) / maxOpen;
  const timeoutFrac = (ctx: PodContext) => clamp((pressure(ctx) - 1) * 0.35, 0, 0.3);
  const pool = (ctx: PodContext): AppPool => {
    const d = demand(ctx);
    const p = d / maxOpen;
    const acquires = ctx.rps * 1.6;
    if (p < 0.9) {
      return {
        max: maxOpen,
        used: clamp(d, 0, maxOpen),
        idle: Math.max(0, 2 - Math.round(d) + 2),
        pending: 0,
        acquiresPerSecond: acquires,
        waitedShare: 0.0005 * p,
        acquire: { median: 0.00008, sigma: 0.6 },
        timeoutsPerSecond: 0,
        hold: { median: 0.02, sigma: 1 },
      };
    }
    const excess = clamp((p - 0.9) * 2.5, 0, 1);
    return {
      max: maxOpen,
      used: p >= 1 ? maxOpen : clamp(d, 0, maxOpen),
      idle: 0,
      pending: clamp((p - 1) * 25, 0, 60),
      acquiresPerSecond: acquires,
      waitedShare: 0.05 + 0.75 * excess,
      acquire: { median: 0.02 + 0.6 * excess, sigma: 0.9, cap: 2 },
      timeoutsPerSecond: ctx.rps * timeoutFrac(ctx),
      hold: { median: 0.02, sigma: 1 },
    };
  };
  const scenario = scenarioOf(
    {
      id: 'connection-pool-exhausted-go-sql',
      service: 'bookkeeping',
      namespace: 'bookkeeping',
      convention: 'otel',
      cause: 'connection-pool-exhausted',
      symptom: 'bookkeeping returns 503 and transfers are slow',
      description:
        'A partner starts a bulk payout at 23:25: traffic rises ~45 %. POST /v1/transfers keeps ' +
        'its database/sql connection for the whole transaction, including the ~0.45 s fraud check. Each pod has ' +
        'SetMaxOpenConns(10): from ~23:27 every connection is in use, goroutines queue in database/sql (wait_count ' +
        'climbs) and requests whose 2 s context deadline expires while waiting answer 503. PostgreSQL itself is fast ' +
        'and far from max_connections; the fraud service answers at its usual speed.',
      extras: ['postgres_exporter', 'client_golang DBStatsCollector'],
      evidence: [
        'go_sql_in_use_connections{db_name="bookkeeping"} == go_sql_max_open_connections (10) on every pod, go_sql_idle_connections 0',
        'rate(go_sql_wait_count_total) from ~0 to ~20–40/s per pod; go_sql_wait_duration_seconds_total rising ~0.3 s per wait',
        'http_server_request_duration_seconds{http_response_status_code="503"} ~5–10 % of requests, p99 ~2 s',
        'pg_stat_activity_max_tx_duration{datname="bookkeeping",state="active"} < 0.1 s; pg_stat_activity_count ~35 of 200; pg_locks_count normal',
        'db_client_operation_duration_seconds flat; fraud client latency flat; traffic +45 % (not a surge); no deploy',
      ],
    },
    at,
    onset,
    3,
    true,
  );
  const route = (method: string, path: string, weight: number, median: number, ok = 200): RouteModel => ({
    method,
    route: path,
    weight,
    outcomes: (ctx) => {
      const p = pressure(ctx);
      const wait = p > 0.95 ? 0.15 + 0.6 * clamp((p - 0.95) * 3, 0, 1) : 0;
      const base = healthy(median + wait, { ok, sigma: wait > 0 ? 0.8 : 0.5 }).map((o) =>
        wait > 0 ? { ...o, cap: 2 } : o,
      );
      return withFailure(base, { code: 503, median: 2.001, sigma: 0.01 }, timeoutFrac(ctx));
    },
  });
  return {
    scenario,
    build: () => ({
      service: 'bookkeeping',
      namespace: 'bookkeeping',
      runtime: 'go-otel',
      seed: scenario.id,
      windows: windows(at, 3, true),
      pods: replicaSet('bookkeeping', 'v2.31.0', '9c04be7', created, { stagger: 20 }),
      deployment: steadyDeployment(41),
      rps,
      routes: [
        route('GET', '/v1/accounts/{id}/balance', 0.5, 0.011),
        route('POST', '/v1/transfers', postShare, 0.52, 201),
        route('GET', '/v1/accounts/{id}/entries', 0.2, 0.028),
      ],
      clients: [
        {
          peer: 'fraud-check.risk.svc.cluster.local',
          port: 8080,
          method: 'POST',
          uri: '/v1/assessments',
          callsPerRequest: (ctx) => postShare * (1 - timeoutFrac(ctx)),
          outcomes: () => [{ code: 200, frac: 1, median: 0.43, sigma: 0.3 }],
        },
      ],
      dbOps: [
        {
          operation: 'SELECT',
          collection: 'accounts',
          perRequest: 0.9,
          latency: () => ({ median: 0.0012, sigma: 0.5 }),
        },
        {
          operation: 'INSERT',
          collection: 'entries',
          perRequest: 0.6,
          latency: () => ({ median: 0.0021, sigma: 0.5 }),
        },
        {
          operation: 'SELECT',
          collection: 'entries',
          perRequest: 0.2,
          latency: () => ({ median: 0.0045, sigma: 0.5 }),
        },
      ],
      database: { name: 'bookkeeping', host: 'bookkeeping-db.bookkeeping.svc.cluster.local' },
      appEmitters: [goSqlStats('client_golang', 'bookkeeping', pool)],
      exporters: [
        postgresExporter(
          {
            target: {
              job: 'postgres-exporter',
              instance: `${ipOf('bookkeeping-pg-exporter')}:9187`,
              namespace: 'bookkeeping',
              pod: 'postgres-exporter-6f7c9d8b5-q2kxm',
            },
          },
          {
            datname: 'bookkeeping',
            datid: '16384',
            usename: 'bookkeeping',
            applicationName: '',
            connections: (t) => {
              const b = batch(t);
              return { active: 3 + 4 * b, idle: 24 - 6 * b, idleInTransaction: 2 + 22 * b };
            },
            maxTxSeconds: () => 0.045,
            maxIdleInTxSeconds: (t) => 0.02 + 0.46 * batch(t),
            locks: (t) => ({
              accesssharelock: 6 + 3 * batch(t),
              rowexclusivelock: 4 + 20 * batch(t),
              exclusivelock: 0,
            }),
            commitsPerSecond: (t) => rps(t) * postShare * 1.1 + 3,
          },
          { maxConnections: 200, origin: at - 30 * DAY },
        ),
      ],
      resources: baseResources('go-otel', { cpuPerRequest: 0.0018 }),
      limits: baseLimits('go-otel'),
      appHttp: true,
      scrape: { style: 'pods', port: 9464 },
    }),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// db-slow (Spring Data repository timers + Micrometer HikariCP; postgres_exporter sidecar with locks).

function claimsDbSlow(): ScenarioDefinition {
  const at = sec('2026-10-14T16:55:00Z');
  const onset = sec('2026-10-14T16:42:00Z');
  const created = sec('2026-09-30T07:50:00Z');
  const locked = (t: number) => ramp(t, onset, 90);
  const scenario = scenarioOf(
    {
      id: 'db-slow-spring-data',
      service: 'claims',
      namespace: 'claims-processing',
      convention: 'micrometer',
      cause: 'db-slow',
      symptom: 'claims API is slow since 16:40',
      description:
        "At 14:22 a manual data fix (psql, a long UPDATE over last year's claims inside one open transaction) takes " +
        'row locks on the claims table and keeps them. ClaimRepository.save and updateStatus wait for those locks: ' +
        'their mean time goes from ~5 ms to ~1.2 s, PUT /api/claims/{id}/status and POST /api/claims slow down and ' +
        'some time out. The HikariCP pool (30) is busier but not full; reads are unaffected.',
      extras: ['postgres_exporter (sidecar)', 'spring-data'],
      evidence: [
        'spring_data_repository_invocations_seconds_sum / _count for ClaimRepository.save and updateStatus from ~5 ms to ~1.2 s; _max up to ~8 s',
        'pg_stat_activity_max_tx_duration{datname="claims",state="active"} grows from < 0.5 s to ~13 min (the open UPDATE)',
        'pg_locks_count{datname="claims",mode="rowexclusivelock"} and mode="sharelock" up; pg_stat_activity_count well under max_connections',
        'hikaricp_connections_active ~8–14 of 30, pending 0',
        'http_server_requests_seconds_max for PUT /api/claims/{id}/status ~8 s; no deploy, CPU and memory normal',
      ],
    },
    at,
    onset,
    3,
    true,
  );
  const writeLatency = (t: number) => ({ median: 0.0048 + 1.1 * locked(t), sigma: 0.5 + 0.7 * locked(t), cap: 10 });
  return {
    scenario,
    build: () => ({
      service: 'claims',
      namespace: 'claims-processing',
      runtime: 'jvm',
      seed: scenario.id,
      windows: windows(at, 3, true),
      pods: replicaSet('claims', '3.14.2', 'b71e0a9', created, { stagger: 40, readySeconds: 30 }),
      deployment: steadyDeployment(64),
      rps: diurnal(45, 14),
      routes: [
        steadyRoute('GET', '/api/claims/{id}', 0.45, 0.018, { clientErrors: 0.004 }),
        steadyRoute('GET', '/api/policies/{policyId}/claims', 0.25, 0.035),
        {
          method: 'PUT',
          route: '/api/claims/{id}/status',
          weight: 0.18,
          outcomes: (ctx) => {
            const l = locked(ctx.t);
            return withFailure(
              slower(healthy(0.03), 1 + 40 * l, 0.5 + 0.6 * l, 10),
              { code: 500, median: 10.01, sigma: 0.02, exception: 'QueryTimeoutException' },
              0.03 * l,
            );
          },
        },
        {
          method: 'POST',
          route: '/api/claims',
          weight: 0.12,
          outcomes: (ctx) => slower(healthy(0.05, { ok: 201 }), 1 + 22 * locked(ctx.t), 0.5 + 0.5 * locked(ctx.t), 10),
        },
      ],
      clients: [],
      dbOps: [
        {
          operation: 'findById',
          collection: 'ClaimRepository',
          perRequest: 0.63,
          latency: () => ({ median: 0.0022, sigma: 0.5 }),
        },
        {
          operation: 'findByPolicyId',
          collection: 'ClaimRepository',
          perRequest: 0.25,
          latency: () => ({ median: 0.0061, sigma: 0.5 }),
        },
        {
          operation: 'updateStatus',
          collection: 'ClaimRepository',
          perRequest: 0.18,
          latency: (ctx) => writeLatency(ctx.t),
        },
        { operation: 'save', collection: 'ClaimRepository', perRequest: 0.12, latency: (ctx) => writeLatency(ctx.t) },
        {
          operation: 'findByClaimId',
          collection: 'ClaimDocumentRepository',
          perRequest: 0.45,
          latency: () => ({ median: 0.0031, sigma: 0.5 }),
        },
      ],
      pool: (ctx) => {
        const inFlight = ctx.rps * (0.3 * (0.0048 + 1.1 * locked(ctx.t) * 1.4) + 0.7 * 0.01);
        const used = clamp((0.6 + inFlight) * ctx.noise.factor(`pool:${ctx.pod.name}`, ctx.t, 0.12), 0, 30);
        return {
          max: 30,
          used,
          idle: Math.max(0, 10 - Math.round(used)),
          pending: 0,
          timeoutsPerSecond: 0,
          acquire: { median: 0.0003, sigma: 0.6 },
        };
      },
      appEmitters: [springDataRepositories()],
      exporters: [
        postgresExporter(
          {
            target: {
              job: 'claims-postgres',
              instance: `${ipOf('claims-postgres-0')}:9187`,
              namespace: 'claims-processing',
              service: 'claims-postgres',
              pod: 'claims-postgres-0',
              container: 'postgres-exporter',
              endpoint: 'metrics',
            },
          },
          {
            datname: 'claims',
            datid: '16401',
            usename: 'claims',
            applicationName: 'PostgreSQL JDBC Driver',
            connections: (t) => ({ active: 2 + 9 * locked(t), idle: 28 - 9 * locked(t), idleInTransaction: 0.4 }),
            maxTxSeconds: (t) => (t < onset ? 0.3 : 0.3 + (t - onset)),
            locks: (t) => ({
              accesssharelock: 9,
              rowexclusivelock: 3 + 14 * locked(t),
              sharelock: 9 * locked(t),
              exclusivelock: 2 * locked(t),
            }),
            commitsPerSecond: (t) => diurnal(45, 14)(t) * 0.35 + 2,
          },
          { maxConnections: 300, origin: at - 40 * DAY },
        ),
      ],
      resources: baseResources('jvm', { cpuPerRequest: 0.006 }),
      limits: baseLimits('jvm'),
      appHttp: true,
      scrape: { style: 'service-monitor', port: 8080 },
    }),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// healthy (Go promhttp + client_golang + dlmiddlecote/sqlstats; PgBouncer exporter in front of PostgreSQL).

function settlementsHealthy(): ScenarioDefinition {
  const at = sec('2026-10-19T21:30:00Z');
  const onset = sec('2026-10-19T21:15:00Z');
  const created = sec('2026-10-14T09:40:00Z');
  const rps = diurnal(38, 13);
  const scenario = scenarioOf(
    {
      id: 'healthy-sqlstats-pgbouncer',
      service: 'settlements',
      namespace: 'clearing',
      convention: 'prom-client',
      cause: 'healthy',
      symptom: 'settlements feels slow tonight',
      description:
        'A Go service (promhttp middleware, client_golang default collectors, database/sql stats through ' +
        'dlmiddlecote/sqlstats) talking to PostgreSQL through PgBouncer in transaction mode. Nothing is wrong: ' +
        'latency, errors, pool and PgBouncer are at their usual levels, and match the same time a day earlier.',
      extras: ['pgbouncer_exporter', 'sqlstats'],
      evidence: [
        'http_request_duration_seconds p99 ~60 ms, no 5xx; rate as a day earlier',
        'go_sql_stats_connections_in_use ~2–4 of go_sql_stats_connections_max_open 25; go_sql_stats_connections_waited_for flat (no _total suffix)',
        'pgbouncer_pools_client_waiting_connections{database="settlements"} 0, client_maxwait_seconds 0, server_active well under pool_size 40',
        'CPU ~10 % of the quota, memory flat',
      ],
    },
    at,
    onset,
    3,
    true,
  );
  const pool = (ctx: PodContext): AppPool => {
    const used = clamp(0.5 + ctx.rps * 0.006 * 1.4 * ctx.noise.factor(`pool:${ctx.pod.name}`, ctx.t, 0.2), 0, 25);
    return {
      max: 25,
      used,
      idle: Math.max(0, 4 - Math.round(used)),
      pending: 0,
      acquiresPerSecond: ctx.rps * 1.4,
      waitedShare: 0,
      acquire: { median: 0.00006, sigma: 0.5 },
      timeoutsPerSecond: 0,
      hold: { median: 0.006, sigma: 0.6 },
    };
  };
  return {
    scenario,
    build: () => ({
      service: 'settlements',
      namespace: 'clearing',
      runtime: 'go',
      seed: scenario.id,
      windows: windows(at, 3, true),
      pods: replicaSet('settlements', 'v0.48.3', '55d1ce0', created, { stagger: 15 }),
      deployment: steadyDeployment(23),
      rps,
      routes: [
        steadyRoute('GET', '/settlements/{id}', 0.55, 0.009, { clientErrors: 0.003 }),
        steadyRoute('POST', '/settlements', 0.25, 0.021, { ok: 201 }),
        steadyRoute('GET', '/batches/{date}', 0.2, 0.034),
      ],
      clients: [],
      dbOps: [],
      httpBuckets: BUCKETS.promClient,
      appEmitters: [
        clientGolangRuntime({ handlerMetrics: false }),
        promhttpServer(),
        goSqlStats('sqlstats', 'settlements', pool),
      ],
      exporters: [
        pgbouncerExporter(
          {
            target: {
              job: 'settlements-pgbouncer',
              instance: `${ipOf('settlements-pgbouncer')}:9127`,
              namespace: 'clearing',
              service: 'settlements-pgbouncer',
              pod: 'settlements-pgbouncer-7b9d6c5f48-x2m4t',
              container: 'pgbouncer-exporter',
              endpoint: 'metrics',
            },
          },
          {
            database: 'settlements',
            user: 'settlements',
            host: 'settlements-db.clearing.svc.cluster.local',
            poolSize: 40,
            maxClientConnections: 1000,
            clients: (t) => ({ active: 18 + 6 * Math.sin(t / 1800), waiting: 0, maxWaitSeconds: 0 }),
            serversActive: (t) => 2 + rps(t) * 0.006 * 1.4 * 3,
            queriesPerSecond: (t) => rps(t) * 1.4,
            queryTime: () => 0.0021,
          },
          at - 20 * DAY,
        ),
      ],
      resources: baseResources('go-otel', { cpuPerRequest: 0.002 }),
      limits: baseLimits('go-otel'),
      appHttp: true,
      scrape: { style: 'pods', port: 8080 },
    }),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// connection-pool-exhausted (Spring Boot + HikariCP's own Prometheus tracker; mysqld_exporter sidecar).

function quotesPool(): ScenarioDefinition {
  const at = sec('2026-10-04T19:10:00Z');
  const onset = sec('2026-10-04T18:57:00Z');
  const created = sec('2026-10-01T12:15:00Z');
  const busy = (t: number) => ramp(t, onset - 3 * MINUTE, 5 * MINUTE);
  const rps = (t: number) => diurnal(70, 18)(t) * (1 + 0.42 * busy(t));
  const max = 10;
  const hold = 0.6;
  const demand = (ctx: PodContext) =>
    ctx.rps * (0.4 * hold + 0.6 * 0.012) * ctx.noise.factor(`demand:${ctx.pod.name}`, ctx.t, 0.06);
  const pressure = (ctx: PodContext) => demand(ctx) / max;
  const timeoutFrac = (ctx: PodContext) => clamp((pressure(ctx) - 1) * 0.5, 0, 0.35);
  const pool = (ctx: PodContext): AppPool => {
    const d = demand(ctx);
    const p = d / max;
    const acquires = ctx.rps;
    const held = { median: 0.09, sigma: 1.3 };
    if (p < 0.95) {
      return {
        max,
        used: clamp(d, 0, max),
        idle: max - Math.round(clamp(d, 0, max)),
        pending: 0,
        acquiresPerSecond: acquires,
        waitedShare: 0,
        acquire: { median: 0.00004, sigma: 0.7 },
        timeoutsPerSecond: 0,
        hold: held,
      };
    }
    const excess = clamp((p - 0.95) * 4, 0, 1);
    return {
      max,
      used: max,
      idle: 0,
      pending: clamp((p - 0.95) * 60, 1, 40) * ctx.noise.factor(`pending:${ctx.pod.name}`, ctx.t, 0.2),
      acquiresPerSecond: acquires * (1 - timeoutFrac(ctx)),
      waitedShare: 0.5 + 0.4 * excess,
      acquire: { median: 0.3 + 1.2 * excess, sigma: 0.9, cap: 5 },
      timeoutsPerSecond: ctx.rps * timeoutFrac(ctx),
      hold: held,
    };
  };
  const scenario = scenarioOf(
    {
      id: 'connection-pool-exhausted-hikaricp',
      service: 'quotes',
      namespace: 'underwriting',
      convention: 'micrometer',
      cause: 'connection-pool-exhausted',
      symptom: 'quotes requests are timing out',
      description:
        'A comparison site starts its evening campaign at 18:54: traffic rises ~40 %. POST /api/quotes keeps a JDBC ' +
        'connection for its whole transaction (~0.6 s: rating tables, several inserts). With HikariCP ' +
        'maximumPoolSize 10 per pod, demand passes the pool from ~18:57: active == max, threads wait for a ' +
        'connection and give up after the 5 s connectionTimeout (503). MySQL is fast and far from max_connections; ' +
        "the pool reports through HikariCP's own Prometheus tracker (simpleclient names), not Micrometer.",
      extras: ['mysqld_exporter (sidecar)', 'hikaricp PrometheusMetricsTrackerFactory'],
      evidence: [
        'hikaricp_active_connections == hikaricp_max_connections (10){pool="HikariPool-1"}, hikaricp_idle_connections 0, hikaricp_pending_threads 2–30',
        'hikaricp_connection_timeout_total rising; hikaricp_connection_acquired_nanos{quantile="0.99"} ~1–5 s; connection_usage_millis flat',
        'http_server_requests_seconds_count{status="503"} ~5–15 %, _max ~5 s',
        'mysql_global_status_threads_connected ~40 of mysql_global_variables_max_connections 500; connection_errors_total flat',
        'traffic +40 % vs a day earlier (not a surge); no deploy; CPU < 50 %',
      ],
    },
    at,
    onset,
    3,
    false,
  );
  const route = (method: string, path: string, weight: number, median: number, ok = 200): RouteModel => ({
    method,
    route: path,
    weight,
    outcomes: (ctx) => {
      const p = pressure(ctx);
      const wait = p > 0.95 ? 0.3 + 1.5 * clamp((p - 0.95) * 4, 0, 1) : 0;
      const base = healthy(median + wait, { ok, sigma: wait > 0 ? 0.8 : 0.5 });
      const capped = wait > 0 ? base.map((o) => ({ ...o, cap: 5 + median })) : base;
      return withFailure(
        capped,
        { code: 503, median: 5.003, sigma: 0.01, exception: 'CannotCreateTransactionException' },
        timeoutFrac(ctx),
      );
    },
  });
  return {
    scenario,
    build: () => ({
      service: 'quotes',
      namespace: 'underwriting',
      runtime: 'jvm',
      seed: scenario.id,
      windows: windows(at, 3, false),
      pods: replicaSet('quotes', '2.9.1', '0d4f1aa', created, { stagger: 35, readySeconds: 28 }),
      deployment: steadyDeployment(37),
      rps,
      routes: [
        route('POST', '/api/quotes', 0.4, 0.64, 201),
        route('GET', '/api/quotes/{id}', 0.45, 0.014),
        route('GET', '/api/products', 0.15, 0.02),
      ],
      clients: [],
      dbOps: [],
      appEmitters: [hikariPrometheusTracker('HikariPool-1', pool)],
      exporters: [
        mysqldExporter(
          {
            target: {
              job: 'quotes-mysql',
              instance: `${ipOf('quotes-mysql-0')}:9104`,
              namespace: 'underwriting',
              service: 'quotes-mysql',
              pod: 'quotes-mysql-0',
              container: 'mysqld-exporter',
              endpoint: 'metrics',
            },
          },
          {
            maxConnections: 500,
            threadsConnected: (t) =>
              14 + 3 * Math.min(max, (rps(t) / 3) * (0.4 * hold + 0.6 * 0.012)) + 4 * Math.sin(t / 900),
            threadsRunning: (t) => 2 + rps(t) * 0.01,
            questionsPerSecond: (t) => rps(t) * 6.5,
            slowQueriesPerSecond: () => 0.0008,
            maxConnectionErrorsPerSecond: () => 0,
            uptimeOrigin: sec('2026-08-19T03:12:41Z'),
          },
          at - 20 * DAY,
        ),
      ],
      resources: baseResources('jvm', { cpuPerRequest: 0.005 }),
      limits: baseLimits('jvm'),
      appHttp: true,
      scrape: { style: 'service-monitor', port: 8080 },
    }),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// db-slow (OpenTelemetry Java agent: stable db pool names, db.client.operation.duration, JVM runtime metrics;
// a shared MongoDB tied to the service only through the server its client metrics call).

function profilesDbSlow(): ScenarioDefinition {
  const at = sec('2026-10-06T22:15:00Z');
  const onset = sec('2026-10-06T22:03:00Z');
  const created = sec('2026-10-02T16:30:00Z');
  const scan = (t: number) => ramp(t, onset, 120);
  const mongoRead = (t: number) => ({ median: 0.0011 + 0.16 * scan(t), sigma: 0.5 + 0.5 * scan(t), cap: 10 });
  const rps = diurnal(70, 19);
  const scenario = scenarioOf(
    {
      id: 'db-slow-otel-jvm-mongodb',
      service: 'profiles',
      namespace: 'members',
      convention: 'otel',
      cause: 'db-slow',
      symptom: 'profiles pages load slowly',
      description:
        'profiles is a Spring Boot app run with the OpenTelemetry Java agent (semconv-stability opt-in "database"), ' +
        "exported through the agent's Prometheus endpoint. Its documents live in a shared MongoDB replica set " +
        "(docstore-mongo, another team's). At 22:03 that team drops and rebuilds an index on member_documents: " +
        'finds become collection scans, reads take ~0.2 s instead of ~1 ms, and the profile pages slow down. The ' +
        'PostgreSQL pool (HikariCP, OTel stable names) is fine. The MongoDB exporter carries no trace of the ' +
        "profiles name: only the app's db_client_operation_duration_seconds{server_address} ties them.",
      lacks: ['process', 'build-info'],
      extras: ['percona mongodb_exporter', 'OpenTelemetry Java agent'],
      evidence: [
        'db_client_operation_duration_seconds{db_system_name="mongodb",db_collection_name="member_documents"} p99 from ~5 ms to ~1 s',
        'mongodb_ss_opLatencies_latency / mongodb_ss_opLatencies_ops {op_type="reads"} from ~1 ms to ~200 ms (µs counters)',
        'db_client_connection_count{db_client_connection_state="used"} ~2–5 of db_client_connection_max 20; pending 0',
        'http_server_request_duration_seconds p99 of GET /api/profiles/{id} ~1–2 s; no errors, no deploy, CPU normal',
        'jvm_memory_used_bytes{jvm_memory_type="heap"} flat against jvm_memory_limit_bytes',
      ],
    },
    at,
    onset,
    3,
    true,
  );
  const pool = (ctx: PodContext): AppPool => {
    const used = clamp(0.4 + ctx.rps * 0.45 * 0.004 * ctx.noise.factor(`pool:${ctx.pod.name}`, ctx.t, 0.2), 0, 20);
    return {
      max: 20,
      used,
      idle: 20 - Math.round(used),
      pending: 0,
      acquiresPerSecond: ctx.rps * 0.45,
      waitedShare: 0,
      acquire: { median: 0.0002, sigma: 0.5 },
      timeoutsPerSecond: 0,
      hold: { median: 0.004, sigma: 0.6 },
    };
  };
  const slowBy = (ctx: PodContext, reads: number) => 1 + (reads * 0.16 * scan(ctx.t)) / 0.02;
  return {
    scenario,
    build: () => ({
      service: 'profiles',
      namespace: 'members',
      runtime: 'jvm-otel',
      seed: scenario.id,
      windows: windows(at, 3, true),
      pods: replicaSet('profiles', '4.2.0', 'c93b7d1', created, { stagger: 30, readySeconds: 25 }),
      deployment: steadyDeployment(18),
      rps,
      routes: [
        {
          method: 'GET',
          route: '/api/profiles/{id}',
          weight: 0.6,
          outcomes: (ctx) =>
            slower(healthy(0.02, { clientErrors: 0.003 }), slowBy(ctx, 1.3), 0.5 + 0.4 * scan(ctx.t), 30),
        },
        {
          method: 'GET',
          route: '/api/profiles/{id}/documents',
          weight: 0.15,
          outcomes: (ctx) => slower(healthy(0.035), slowBy(ctx, 2.5), 0.5 + 0.4 * scan(ctx.t), 30),
        },
        steadyRoute('PUT', '/api/profiles/{id}', 0.25, 0.03),
      ],
      clients: [],
      dbOps: [
        { operation: 'find', collection: 'member_documents', perRequest: 1.1, latency: (ctx) => mongoRead(ctx.t) },
        {
          operation: 'update',
          collection: 'member_documents',
          perRequest: 0.25,
          latency: () => ({ median: 0.0017, sigma: 0.5 }),
        },
        {
          operation: 'SELECT',
          collection: 'members',
          perRequest: 0.75,
          latency: () => ({ median: 0.0013, sigma: 0.5 }),
        },
        {
          operation: 'UPDATE',
          collection: 'members',
          perRequest: 0.25,
          latency: () => ({ median: 0.0024, sigma: 0.5 }),
        },
      ],
      httpBuckets: BUCKETS.otel,
      appEmitters: [
        otelTargetInfo((model, podName, version) => ({
          host_name: podName,
          k8s_namespace_name: model.namespace,
          k8s_pod_name: podName,
          service_name: 'profiles',
          service_version: version,
          telemetry_sdk_language: 'java',
          telemetry_sdk_name: 'opentelemetry',
          telemetry_sdk_version: '1.45.0',
        })),
        otelJvmRuntime(),
        otelHttp(),
        otelPoolStable('HikariPool-1', pool),
        otelDbOperations({
          member_documents: {
            system: 'mongodb',
            namespace: 'members',
            serverAddress: 'docstore-mongo.data.svc.cluster.local',
            serverPort: 27017,
          },
          members: {
            system: 'postgresql',
            namespace: 'profiles',
            serverAddress: 'profiles-pg.members.svc.cluster.local',
            serverPort: 5432,
          },
        }),
      ],
      exporters: [
        mongodbExporter(
          {
            target: {
              job: 'docstore-mongo',
              instance: `${ipOf('docstore-mongo-0')}:9216`,
              namespace: 'data',
              service: 'docstore-mongo',
              pod: 'docstore-mongo-0',
              container: 'mongodb-exporter',
              endpoint: 'metrics',
            },
          },
          {
            replicaSet: 'rs0',
            current: (t) => 212 + 8 * Math.sin(t / 700) + 30 * scan(t),
            available: (t) => 51_200 - 212 - 30 * scan(t),
            ops: (t) => ({
              reads: {
                rate: rps(t) * 0.8 * 1.1 + 140,
                latency: (rps(t) * 0.88 * (0.0011 + 0.16 * scan(t)) * 1.6 + 140 * 0.0009) / (rps(t) * 0.88 + 140),
              },
              writes: { rate: rps(t) * 0.25 * 0.25 + 60, latency: 0.0016 },
              commands: { rate: 85, latency: 0.0004 },
            }),
            origin: at - 30 * DAY,
          },
        ),
      ],
      resources: baseResources('jvm', { cpuPerRequest: 0.005 }),
      limits: baseLimits('jvm'),
      appHttp: true,
      scrape: { style: 'pods', port: 9464 },
    }),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// dependency-failure (prom-client; redis_exporter as a sidecar of the service's own Redis: job="sessions-redis").

function sessionsRedisDown(): ScenarioDefinition {
  const at = sec('2026-10-08T17:45:00Z');
  const onset = sec('2026-10-08T17:33:00Z');
  const created = sec('2026-10-05T11:20:00Z');
  // The redis container is OOM-killed at 17:33 and crash-loops (a bad maxmemory edit left it above the pod limit):
  // it comes back for a minute or so between back-offs. The exporter sidecar keeps running.
  const restarts = [sec('2026-09-21T04:10:00Z'), onset + 95, onset + 260, onset + 520];
  const redisUp = (t: number) => {
    if (t < onset) return true;
    return restarts.some((s) => s > onset && t >= s && t < s + 55);
  };
  const down = (t: number) => (redisUp(t) ? 0 : 1);
  const rps = diurnal(85, 17);
  const scenario = scenarioOf(
    {
      id: 'dependency-failure-redis-sidecar',
      service: 'sessions',
      namespace: 'identity-sessions',
      convention: 'prom-client',
      cause: 'dependency-failure',
      symptom: 'sessions returns 503 errors, users are logged out',
      description:
        'sessions keeps login sessions in its own Redis (StatefulSet sessions-redis with the redis_exporter as a ' +
        'sidecar, scraped through the sessions-redis Service). At 17:33 the redis container is OOM-killed and ' +
        'crash-loops; between back-offs it answers for about a minute. While Redis is down every session lookup ' +
        'fails and sessions answers 503. The sessions pods themselves stay healthy.',
      extras: ['redis_exporter (sidecar)'],
      evidence: [
        'redis_up{job="sessions-redis"} 0 at most scrapes since 17:33 (1 for a minute after each restart); up{job="sessions-redis"} stays 1',
        'redis counters (redis_commands_processed_total, …) restart from 0 after each redis restart; redis_uptime_in_seconds small',
        'http_requests_total{job="sessions",code="503"} ~90 % of requests while Redis is down, 0 before 17:33',
        'sessions pods: no restarts, CPU and memory normal, no deploy',
      ],
    },
    at,
    onset,
    3,
    false,
  );
  const failing = (ctx: PodContext, share: number) => down(ctx.t) * share;
  return {
    scenario,
    build: () => ({
      service: 'sessions',
      namespace: 'identity-sessions',
      runtime: 'node',
      seed: scenario.id,
      windows: windows(at, 3, false),
      pods: replicaSet('sessions', '5.0.4', '8e2d61f', created, { stagger: 20 }),
      deployment: steadyDeployment(29),
      rps,
      routes: [
        {
          method: 'GET',
          route: '/v1/sessions/:id',
          weight: 0.7,
          outcomes: (ctx) =>
            withFailure(
              healthy(0.004, { clientErrors: 0.02 }),
              { code: 503, median: 0.0021, sigma: 0.4 },
              failing(ctx, 0.97),
            ),
        },
        {
          method: 'POST',
          route: '/v1/sessions',
          weight: 0.2,
          outcomes: (ctx) =>
            withFailure(
              healthy(0.045, { ok: 201, clientErrors: 0.03, clientErrorCode: 401 }),
              { code: 503, median: 0.0025, sigma: 0.4 },
              failing(ctx, 0.97),
            ),
        },
        {
          method: 'DELETE',
          route: '/v1/sessions/:id',
          weight: 0.1,
          outcomes: (ctx) =>
            withFailure(healthy(0.003, { ok: 204 }), { code: 503, median: 0.002, sigma: 0.4 }, failing(ctx, 0.97)),
        },
      ],
      clients: [],
      dbOps: [],
      exporters: [
        redisExporter(
          {
            target: {
              job: 'sessions-redis',
              instance: `${ipOf('sessions-redis-0')}:9121`,
              namespace: 'identity-sessions',
              service: 'sessions-redis',
              pod: 'sessions-redis-0',
              container: 'redis-exporter',
              endpoint: 'http-metrics',
            },
          },
          {
            up: redisUp,
            connectedClients: (t) => (t < onset ? 31 + 3 * Math.sin(t / 600) : 12),
            maxClients: 10000,
            commandsPerSecond: (t) => rps(t) * 2.1,
            commandTime: () => 0.0000031,
            usedMemoryBytes: (t) => (t < onset ? 1.41e9 : 2.2e8),
            maxMemoryBytes: 2147483648,
            starts: restarts,
            version: '7.2.5',
          },
        ),
      ],
      resources: baseResources('node', { cpuPerRequest: 0.0025 }),
      limits: baseLimits('node'),
      appHttp: true,
      scrape: { style: 'service-monitor', port: 3000 },
    }),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// memory-leak (.NET 8: prometheus-net HTTP and DotNetStats, prometheus-net.DotNetRuntime GC metrics).

function invoicingLeak(): ScenarioDefinition {
  const at = sec('2026-10-13T08:30:00Z');
  const onset = sec('2026-10-13T08:17:00Z');
  const limit = 1 * GIB;
  const base = 180 * MIB;
  const slopes = [68 * MIB, 71 * MIB, 66 * MIB];
  const uptimeAtAt = [10.9 * HOUR, 10.2 * HOUR, 5.5 * HOUR];
  const period = (slot: number) => ((limit * 0.99 - base) / (slopes[slot] ?? 68 * MIB)) * HOUR;
  const scenario = scenarioOf(
    {
      id: 'memory-leak-dotnet',
      service: 'invoicing',
      namespace: 'receivables',
      convention: 'prometheus-net',
      cause: 'memory-leak',
      symptom: 'invoicing memory keeps growing and pods get OOMKilled',
      description:
        'invoicing (ASP.NET Core 8, prometheus-net with DotNetRuntime) subscribes a handler to a static event for ' +
        'every PDF it renders and never unsubscribes, so each rendered invoice stays reachable: the gen-2 heap and ' +
        'the working set grow ~68 MiB/h until the 1 GiB limit and the pod is OOMKilled (~12 h). At 08:30 two pods ' +
        'are at ~90 % and GC runs hard on them; the third was OOMKilled at ~03:00.',
      extras: ['prometheus-net', 'prometheus-net.DotNetRuntime'],
      evidence: [
        'process_working_set_bytes, dotnet_total_memory_bytes and container_memory_working_set_bytes rise linearly (~68 MiB/h) for the whole 8 h history',
        'dotnet_gc_heap_size_bytes{gc_generation="2"} carries the growth; dotnet_gc_collection_count_total{gc_generation="2"} rate up on the fullest pods',
        'one OOM kill inside the window (pod 2 at ~03:00), last_terminated_reason="OOMKilled"',
        'http_request_duration_seconds p99 up on the fullest pods since ~08:17; request rate normal, no deploy',
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
    const starts = [current - 3 * p, current - 2 * p, current - p, current];
    const runs: Array<[number, number, ExitReason?]> = starts.map((s, i) =>
      i < starts.length - 1 ? [s, starts[i + 1] ?? s, 'OOMKilled'] : [s, Number.POSITIVE_INFINITY],
    );
    return makePod({
      service: 'invoicing',
      replicaSetSeed: '8.3.0',
      slot,
      created: starts[0] ?? current,
      version: '8.3.0',
      revision: 'f02a6c4',
      runs,
      readySeconds: 12,
    });
  });
  const fill = (ctx: PodContext) => (base + (slopes[ctx.pod.slot] ?? 68 * MIB) * (ctx.uptime / HOUR)) / limit;
  const pressure = (ctx: PodContext) => clamp((fill(ctx) - 0.86) / 0.05, 0, 1.5) ** 2;
  const resources = baseResources('jvm', { threads: 34, cpuPerRequest: 0.004 });
  const actions: Record<string, { controller: string; action: string }> = {
    '/api/invoices': { controller: 'Invoices', action: 'Create' },
    '/api/invoices/{id}': { controller: 'Invoices', action: 'Get' },
    '/api/invoices/{id}/pdf': { controller: 'InvoicePdf', action: 'Render' },
  };
  return {
    scenario,
    build: () => ({
      service: 'invoicing',
      namespace: 'receivables',
      runtime: 'dotnet',
      seed: scenario.id,
      windows: windows(at, 8, false),
      pods,
      deployment: steadyDeployment(12),
      rps: diurnal(30, 11),
      routes: [
        {
          method: 'POST',
          route: '/api/invoices',
          weight: 0.3,
          outcomes: (ctx) =>
            slower(healthy(0.045, { ok: 201, clientErrors: 0.01, clientErrorCode: 400 }), 1 + 4 * pressure(ctx)),
        },
        {
          method: 'GET',
          route: '/api/invoices/{id}',
          weight: 0.5,
          outcomes: (ctx) => slower(healthy(0.012, { clientErrors: 0.005 }), 1 + 4 * pressure(ctx)),
        },
        {
          method: 'GET',
          route: '/api/invoices/{id}/pdf',
          weight: 0.2,
          outcomes: (ctx) => slower(healthy(0.18), 1 + 4 * pressure(ctx)),
        },
      ],
      clients: [],
      dbOps: [],
      httpBuckets: PROMETHEUS_NET_BUCKETS,
      appEmitters: [
        prometheusNetHttp((r) => actions[r.route] ?? { controller: '', action: '' }),
        dotnetStats(),
        dotnetRuntimeStats('.NETCoreApp,Version=v8.0'),
      ],
      resources: {
        ...resources,
        rssBytes: (ctx) => fill(ctx) * limit * (1 + 0.004 * ctx.noise.white(`rss:${ctx.pod.name}`, ctx.t)),
        heapUsedBytes: (ctx) =>
          (fill(ctx) * limit - 95 * MIB) * (0.96 + 0.03 * ctx.noise.uniform(`heap:${ctx.pod.name}`, ctx.t)),
        cpuCores: (ctx) => resources.cpuCores(ctx) + 0.3 * clamp(pressure(ctx), 0, 1.5),
        gcPerSecond: (ctx) => 0.3 + 0.01 * ctx.rps + 2 * pressure(ctx),
        gcPause: () => ({ median: 0.0021, sigma: 0.6 }),
      },
      limits: baseLimits('go-otel', { memoryBytes: limit, memoryRequestBytes: 512 * MIB }),
      appHttp: true,
      scrape: { style: 'service-monitor', port: 8080 },
    }),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// cpu-saturation (Node.js prom-client event-loop lag; memcached_exporter for the service's cache).

function classifiedsCpu(): ScenarioDefinition {
  const at = sec('2026-10-15T21:40:00Z');
  const onset = sec('2026-10-15T21:28:00Z');
  const created = sec('2026-10-12T08:05:00Z');
  const cold = (t: number) => ramp(t, onset - MINUTE, 4 * MINUTE);
  const hitRatio = (t: number) => 0.94 - 0.5 * cold(t);
  const rps = diurnal(65, 20);
  const scenario = scenarioOf(
    {
      id: 'cpu-saturation-node-memcached',
      service: 'classifieds',
      namespace: 'marketplace',
      convention: 'prom-client',
      cause: 'cpu-saturation',
      symptom: 'classifieds search is very slow',
      description:
        'classifieds (Node.js) caches rendered search pages in memcached. At 21:27 an ops job resizes the slab ' +
        "classes and restarts memcached's LRU crawler with a much smaller item size limit: most rendered pages no " +
        'longer fit, the get hit ratio falls from ~94 % to ~44 % and classifieds renders the pages itself. Rendering is ' +
        'CPU-bound JSON/HTML work: the pods hit their 1-core limit, CFS throttles them and the event loop lags ' +
        '~0.4 s. Traffic is as usual; memcached itself is up and far from its connection limit.',
      extras: ['memcached_exporter'],
      evidence: [
        'container_cpu_usage_seconds_total ≈ 1 core = the limit; throttled periods ~60 %',
        'nodejs_eventloop_lag_p99_seconds from ~15 ms to ~0.4 s; p99 latency several seconds',
        'memcached_commands_total{command="get",status="miss"} / all gets from ~6 % to ~56 %; memcached_items_evicted_total rising',
        'memcached_current_connections ~90 of memcached_max_connections 1024; memcached_up 1',
        'request rate as a day earlier; no deploy, no restarts',
      ],
    },
    at,
    onset,
    3,
    true,
  );
  const resources = baseResources('node', { cpuPerRequest: 0.004, cpuIdle: 0.03 });
  const utilisation = (ctx: PodContext) => 0.03 + ctx.rps * (0.0035 + 0.9 * (1 - hitRatio(ctx.t)) * 0.07);
  const queueFactor = (ctx: PodContext) => 1 + (6 * clamp(utilisation(ctx) - 0.9, 0, 0.5)) / 0.5;
  return {
    scenario,
    build: () => ({
      service: 'classifieds',
      namespace: 'marketplace',
      runtime: 'node',
      seed: scenario.id,
      windows: windows(at, 3, true),
      pods: replicaSet('classifieds', '12.4.1', '7aa90d3', created, { stagger: 15 }),
      deployment: steadyDeployment(71),
      rps,
      routes: [
        {
          method: 'GET',
          route: '/search',
          weight: 0.45,
          outcomes: (ctx) => {
            const c = cold(ctx.t);
            return withFailure(
              slower(healthy(0.03), (1 + 2 * c) * queueFactor(ctx), 0.55 + 0.3 * c, 10),
              { code: 503, median: 10, sigma: 0.01 },
              0.01 * c,
            );
          },
        },
        {
          method: 'GET',
          route: '/classifieds/:id',
          weight: 0.45,
          outcomes: (ctx) =>
            slower(healthy(0.012, { clientErrors: 0.01 }), queueFactor(ctx), 0.55 + 0.3 * cold(ctx.t), 10),
        },
        {
          method: 'POST',
          route: '/classifieds',
          weight: 0.1,
          outcomes: (ctx) => slower(healthy(0.06, { ok: 201 }), queueFactor(ctx), 0.55 + 0.3 * cold(ctx.t), 10),
        },
      ],
      clients: [],
      dbOps: [],
      exporters: [
        memcachedExporter(
          {
            target: {
              job: 'classifieds-memcached',
              instance: `${ipOf('classifieds-memcached-0')}:9150`,
              namespace: 'marketplace',
              service: 'classifieds-memcached',
              pod: 'classifieds-memcached-0',
              container: 'memcached-exporter',
              endpoint: 'metrics',
            },
          },
          {
            currentConnections: (t) => 88 + 5 * Math.sin(t / 500),
            maxConnections: 1024,
            getsPerSecond: (t) => rps(t) * 0.9,
            hitRatio,
            setsPerSecond: (t) => rps(t) * 0.9 * (1 - hitRatio(t)),
            limitBytes: 4 * GIB,
            usedBytes: (t) => 3.71 * GIB - 1.2 * GIB * cold(t),
            evictionsPerSecond: (t) => 0.4 + 60 * cold(t),
            origin: at - 15 * DAY,
          },
        ),
      ],
      resources: {
        ...resources,
        cpuCores: (ctx) => utilisation(ctx) * ctx.noise.factor(`cpu:${ctx.pod.name}`, ctx.t, 0.05),
        eventLoopLagSeconds: (ctx) =>
          resources.eventLoopLagSeconds(ctx) +
          0.4 * cold(ctx.t) * (1 + 0.2 * ctx.noise.white(`lag2:${ctx.pod.name}`, ctx.t)),
      },
      limits: baseLimits('node'),
      appHttp: true,
      scrape: { style: 'pods', port: 3000 },
    }),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// resource-leak (Python: client_python process collector, prometheus-fastapi-instrumentator HTTP metrics).

function exportsFdLeak(): ScenarioDefinition {
  const at = sec('2026-10-16T23:50:00Z');
  const onset = sec('2026-10-16T23:38:00Z');
  const created = sec('2026-10-16T11:05:00Z');
  const maxFds = 16384;
  const perExport = [1.02, 0.97, 1.0];
  const rps = diurnal(12, 14);
  const scenario = scenarioOf(
    {
      id: 'resource-leak-python',
      service: 'exports',
      namespace: 'reporting-exports',
      convention: 'prom-client',
      cause: 'resource-leak',
      symptom: 'exports failing with too many open files',
      description:
        'exports (FastAPI, prometheus-fastapi-instrumentator, client_python process collector) writes every CSV ' +
        'export to a NamedTemporaryFile(delete=False) that is uploaded and never closed: one descriptor leaks per ' +
        'export. Open fds grow ~1 200/h on every pod since they started at 11:05 toward the 16 384 limit; from ' +
        '~23:38 the fullest pods hit EMFILE and POST /exports answers 500.',
      extras: ['client_python', 'prometheus-fastapi-instrumentator'],
      evidence: [
        'process_open_fds rising linearly ~1 200/h for 12 h; the fullest pods at process_max_fds (16384) at `at`, the third at ~95 %',
        'http_requests_total{handler="/exports",status="5xx"} from 0 to ~20 % of exports since ~23:38 (status classes, not codes)',
        'memory, CPU and restarts normal; no deploy during the window',
      ],
    },
    at,
    onset,
    8,
    false,
  );
  const exportsShare = 0.35;
  // Exports are queued by a scheduler at a steady ~1.4/s per pod; about one in four streams through a temp file.
  const fds = (ctx: PodContext) => {
    const leaked = (perExport[ctx.pod.slot] ?? 1) * 1233 * ((ctx.t - created - ctx.pod.slot * 20) / HOUR);
    return Math.min(maxFds - 3 - 20 * ctx.noise.uniform(`fdcap:${ctx.pod.name}`, ctx.t), 24 + Math.max(0, leaked));
  };
  const exhausted = (ctx: PodContext) => clamp((fds(ctx) - (maxFds - 900)) / 700, 0, 1);
  const resources = baseResources('python', { cpuPerRequest: 0.02 });
  return {
    scenario,
    build: () => ({
      service: 'exports',
      namespace: 'reporting-exports',
      runtime: 'python',
      seed: scenario.id,
      windows: windows(at, 8, false),
      pods: replicaSet('exports', '1.7.2', '2be95f0', created, { stagger: 20, readySeconds: 9 }),
      deployment: steadyDeployment(9),
      rps,
      routes: [
        {
          method: 'POST',
          route: '/exports',
          weight: exportsShare,
          outcomes: (ctx) =>
            withFailure(healthy(0.35, { ok: 202 }), { code: 500, median: 0.004, sigma: 0.4 }, 0.45 * exhausted(ctx)),
        },
        steadyRoute('GET', '/exports/{export_id}', 0.5, 0.011, { clientErrors: 0.02 }),
        steadyRoute('GET', '/health', 0.15, 0.001),
      ],
      clients: [],
      dbOps: [],
      httpBuckets: FASTAPI_HIGHR_BUCKETS,
      appEmitters: [fastapiInstrumentator()],
      resources: { ...resources, openFds: fds, rssBytes: (ctx) => resources.rssBytes(ctx) + fds(ctx) * 900 },
      limits: baseLimits('python', { maxFds }),
      appHttp: true,
      scrape: { style: 'pods', port: 8000 },
    }),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// traffic-surge (OpenTelemetry Go with contrib runtime metrics, pgxpool; Kafka consumer lag and RabbitMQ backlog).

function fulfillmentSurge(): ScenarioDefinition {
  const at = sec('2026-10-17T11:30:00Z');
  const onset = sec('2026-10-17T11:18:00Z');
  const created = sec('2026-10-13T15:45:00Z');
  const sale = (t: number) => ramp(t, onset - MINUTE, 3 * MINUTE);
  const rps = (t: number) => diurnal(50, 14)(t) * (1 + 2.6 * sale(t));
  const capacity = 3 * 150; // Kafka messages per second the three consumers handle at most
  const produced = (t: number) => diurnal(50, 14)(t) * 2.2 * (1 + 4.5 * sale(t));
  const backlog = (t: number) => Math.max(0, produced(t) - capacity) * Math.max(0, t - (onset + 60));
  const cpuCap = (ctx: PodContext) => 0.03 + 0.0115 * ctx.rps;
  const scenario = scenarioOf(
    {
      id: 'traffic-surge-kafka-rabbitmq',
      service: 'fulfillment',
      namespace: 'warehouse',
      convention: 'otel',
      cause: 'traffic-surge',
      symptom: 'fulfillment is falling behind and slow',
      description:
        "A flash sale starts at 11:17: fulfillment's HTTP traffic (stock reservations) rises ~3.5× and the " +
        'orders.created topic receives ~5× more messages than usual. The three consumers of consumer group ' +
        '"fulfillment" cannot keep up: lag climbs into the hundreds of thousands, and the RabbitMQ queue ' +
        'fulfillment.shipments, fed from that processing, piles up too. CPU is near the quota and latency rises. ' +
        'The pgx pool has room; PostgreSQL is fine.',
      extras: ['kafka_exporter', 'rabbitmq_prometheus (per-object)', 'pgxpoolprometheus', 'OpenTelemetry Go runtime'],
      evidence: [
        'request rate ~3.5× the same time a day earlier and the hour before',
        'sum(kafka_consumergroup_lag{consumergroup="fulfillment",topic="orders.created"}) from ~1 000 to > 200 000, rising',
        'rabbitmq_queue_messages_ready{queue="fulfillment.shipments"} from ~20 to tens of thousands; consumers 3',
        'CPU ~85–95 % of the quota; p99 latency up; a few 503 (shed by the reservation handler)',
        'pgxpool_acquired_conns well under pgxpool_max_conns 40; go_goroutine_count up with load; no deploy',
      ],
    },
    at,
    onset,
    3,
    true,
  );
  const load = (ctx: PodContext) => clamp(cpuCap(ctx) / 1, 0, 1.5);
  const queueFactor = (ctx: PodContext) => 1 + (4 * clamp(load(ctx) - 0.8, 0, 0.4)) / 0.4;
  const pool = (ctx: PodContext): AppPool => {
    const used = clamp(0.5 + ctx.rps * 1.5 * 0.003 * ctx.noise.factor(`pool:${ctx.pod.name}`, ctx.t, 0.2), 0, 40);
    return {
      max: 40,
      used,
      idle: Math.max(0, 6 - Math.round(used)),
      pending: 0,
      acquiresPerSecond: ctx.rps * 1.5,
      waitedShare: 0.00002,
      acquire: { median: 0.00005, sigma: 0.6 },
      timeoutsPerSecond: 0,
      hold: { median: 0.003, sigma: 0.6 },
    };
  };
  const base = baseResources('go-otel', { goroutines: 60 });
  return {
    scenario,
    build: () => ({
      service: 'fulfillment',
      namespace: 'warehouse',
      runtime: 'go-otel',
      seed: scenario.id,
      windows: windows(at, 3, true),
      pods: replicaSet('fulfillment', 'v3.8.2', 'e4471b9', created, { stagger: 25 }),
      deployment: steadyDeployment(47),
      rps,
      routes: [
        {
          method: 'POST',
          route: '/v1/reservations',
          weight: 0.6,
          outcomes: (ctx) =>
            withFailure(
              slower(healthy(0.018, { ok: 201, clientErrors: 0.01, clientErrorCode: 409 }), queueFactor(ctx), 0.55, 5),
              { code: 503, median: 0.002, sigma: 0.3 },
              (0.03 * clamp(load(ctx) - 0.8, 0, 0.3)) / 0.3,
            ),
        },
        {
          method: 'GET',
          route: '/v1/stock/{sku}',
          weight: 0.4,
          outcomes: (ctx) => slower(healthy(0.006), queueFactor(ctx), 0.55, 5),
        },
      ],
      clients: [],
      dbOps: [],
      appEmitters: [otelGoRuntime(), pgxpoolCollector({ db_name: 'fulfillment' }, pool)],
      exporters: [
        kafkaExporter(
          {
            target: {
              job: 'kafka-exporter',
              instance: `${ipOf('kafka-exporter')}:9308`,
              namespace: 'kafka',
              service: 'kafka-exporter',
              pod: 'kafka-exporter-5c8d7b9f6d-7wqnv',
              container: 'kafka-exporter',
              endpoint: 'metrics',
            },
          },
          [
            {
              consumergroup: 'fulfillment',
              topic: 'orders.created',
              partitions: 12,
              members: () => 3,
              lag: (t) => 600 + 300 * Math.abs(Math.sin(t / 97)) + backlog(t),
              producedPerSecond: produced,
              origin: at - 60 * DAY,
            },
          ],
        ),
        rabbitmqExporter(
          {
            target: {
              job: 'rabbitmq',
              instance: `${ipOf('rabbitmq-server-0')}:15692`,
              namespace: 'messaging-rabbitmq',
              service: 'rabbitmq',
              pod: 'rabbitmq-server-0',
              container: 'rabbitmq',
              endpoint: 'prometheus',
            },
          },
          'rabbit@rabbitmq-server-0.rabbitmq-nodes.messaging-rabbitmq',
          [
            {
              vhost: '/',
              queue: 'fulfillment.shipments',
              ready: (t) => 15 + 10 * Math.abs(Math.sin(t / 61)) + 0.35 * backlog(t),
              unacked: (t) => 30 + 20 * sale(t),
              consumers: () => 3,
            },
            {
              vhost: '/',
              queue: 'billing.invoices',
              ready: (t) => 4 + 6 * Math.abs(Math.sin(t / 43)),
              unacked: () => 5,
              consumers: () => 2,
            },
          ],
        ),
      ],
      resources: {
        ...base,
        cpuCores: (ctx) => cpuCap(ctx) * ctx.noise.factor(`cpu:${ctx.pod.name}`, ctx.t, 0.05),
        goroutines: (ctx) => 60 + ctx.rps * 0.09 + 3 * ctx.noise.uniform(`gr:${ctx.pod.name}`, ctx.t),
      },
      limits: baseLimits('go-otel'),
      appHttp: true,
      scrape: { style: 'pods', port: 9464 },
    }),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// healthy (Micrometer + HikariCP; redis_exporter sidecar job="giftlist-redis"; steady Kafka consumer lag).

function giftlistHealthy(): ScenarioDefinition {
  const at = sec('2026-10-20T20:00:00Z');
  const onset = sec('2026-10-20T19:45:00Z');
  const created = sec('2026-10-15T10:10:00Z');
  const rps = diurnal(55, 15);
  const scenario = scenarioOf(
    {
      id: 'healthy-micrometer-redis-kafka',
      service: 'giftlist',
      namespace: 'giftlists',
      convention: 'micrometer',
      cause: 'healthy',
      symptom: 'customers say giftlist is broken since 19:45',
      description:
        'A Spring Boot service with a Redis cache (its own StatefulSet giftlist-redis with the redis_exporter ' +
        'sidecar) that also consumes price-change events (Kafka consumer group "giftlist"). The report is ' +
        'unfounded: latency, errors, the HikariCP pool, Redis and the consumer lag are all at their usual levels.',
      extras: ['redis_exporter (sidecar)', 'kafka_exporter'],
      evidence: [
        'http_server_requests_seconds mean ~20 ms, _max < 0.5 s, no 5xx',
        'hikaricp_connections_active ~1–3 of 10',
        'redis_up 1, redis_connected_clients ~40 of 10000, mean command time ~3 µs, no rejected connections',
        'kafka_consumergroup_lag{consumergroup="giftlist"} steady in the hundreds',
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
      service: 'giftlist',
      namespace: 'giftlists',
      runtime: 'jvm',
      seed: scenario.id,
      windows: windows(at, 3, false),
      pods: replicaSet('giftlist', '1.31.0', '6d0c2e8', created, { stagger: 30, readySeconds: 26 }),
      deployment: steadyDeployment(44),
      rps,
      routes: [
        steadyRoute('GET', '/api/giftlists/{customerId}', 0.6, 0.014, { clientErrors: 0.004, serverErrors: 0.0002 }),
        steadyRoute('POST', '/api/giftlists/{customerId}/items', 0.25, 0.025, { ok: 201 }),
        steadyRoute('DELETE', '/api/giftlists/{customerId}/items/{sku}', 0.15, 0.019, { ok: 204 }),
      ],
      clients: [],
      dbOps: [],
      pool: steadyPool(10, 0.004),
      exporters: [
        redisExporter(
          {
            target: {
              job: 'giftlist-redis',
              instance: `${ipOf('giftlist-redis-0')}:9121`,
              namespace: 'giftlists',
              service: 'giftlist-redis',
              pod: 'giftlist-redis-0',
              container: 'redis-exporter',
              endpoint: 'http-metrics',
            },
          },
          {
            up: () => true,
            connectedClients: (t) => 41 + 3 * Math.sin(t / 800),
            maxClients: 10000,
            commandsPerSecond: (t) => rps(t) * 1.7,
            commandTime: () => 0.0000029,
            usedMemoryBytes: (t) => 6.1e8 + 2e7 * Math.sin(t / 3000),
            maxMemoryBytes: 2147483648,
            starts: [sec('2026-09-29T02:44:00Z')],
            version: '7.2.5',
          },
        ),
        kafkaExporter(
          {
            target: {
              job: 'kafka-exporter',
              instance: `${ipOf('kafka-exporter-giftlists')}:9308`,
              namespace: 'kafka',
              service: 'kafka-exporter',
              pod: 'kafka-exporter-6b4f9c7d8-k2v9p',
              container: 'kafka-exporter',
              endpoint: 'metrics',
            },
          },
          [
            {
              consumergroup: 'giftlist',
              topic: 'prices.changed',
              partitions: 6,
              members: () => 3,
              lag: (t) => 320 + 60 * Math.sin(t / 130),
              producedPerSecond: () => 140,
              origin: at - 60 * DAY,
            },
          ],
        ),
      ],
      resources: baseResources('jvm', { cpuPerRequest: 0.004 }),
      limits: baseLimits('jvm'),
      appHttp: true,
      scrape: { style: 'service-monitor', port: 8080 },
    }),
  };
}

export const DEFINITIONS: readonly ScenarioDefinition[] = [
  bookkeepingPool(),
  claimsDbSlow(),
  settlementsHealthy(),
  quotesPool(),
  profilesDbSlow(),
  sessionsRedisDown(),
  invoicingLeak(),
  classifiedsCpu(),
  exportsFdLeak(),
  fulfillmentSurge(),
  giftlistHealthy(),
];
