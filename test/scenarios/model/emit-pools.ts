/**
 * Connection pools and repository timings on the application's own scrape (`ServiceModel.appEmitters`):
 * Go database/sql through client_golang's DBStatsCollector or dlmiddlecote/sqlstats, pgx through
 * IBM/pgxpoolprometheus, HikariCP's own Prometheus tracker (simpleclient Summaries), OpenTelemetry pools with the
 * stable `db.client.connection.*` names, OpenTelemetry `db.client.operation.duration`, and Spring Data repository
 * timers (Micrometer).
 *
 * Names, types, labels and units follow /work/research/datastores.md. Counters are integrated from their rate
 * since the process started (per run), so they restart at 0 with the process, as the real collectors do.
 */
import type { Labels } from '../../support/prometheus/openmetrics-writer.js';
import { Integrator } from './emit-stores.js';
import type { RunState, ScrapeContext } from './simulate.js';
import { type Latency, lognormalCappedMean, lognormalQuantile } from './stats.js';
import type { AppEmitter, PodContext } from './types.js';
import { declare, round6 } from './write.js';

/** A pool as the application sees it at one instant. */
export interface AppPool {
  max: number;
  /** Connections checked out. */
  used: number;
  idle: number;
  /** Callers waiting for a connection. */
  pending: number;
  /** Acquisitions per second, and the share of them that found no idle connection and waited. */
  acquiresPerSecond: number;
  waitedShare: number;
  /** Time an acquisition takes (seconds; waits included). */
  acquire: Latency;
  /** Acquisitions that gave up per second (timeouts, cancelled contexts). */
  timeoutsPerSecond: number;
  /** How long a connection is held once acquired (seconds). */
  hold: Latency;
}

export type PoolModel = (ctx: PodContext) => AppPool;

/** The pod's context at another instant, with the request rate of an even share of the service's traffic. */
export function ctxAt(sc: ScrapeContext, ctx: PodContext, tau: number): PodContext {
  return {
    t: tau,
    pod: ctx.pod,
    run: ctx.run,
    uptime: tau - ctx.run.start,
    rps: sc.model.rps(tau) / Math.max(1, sc.model.deployment.replicas),
    noise: ctx.noise,
  };
}

/** Per-process counters: one integrator per name, restarting with the process. */
const COUNTERS = new WeakMap<RunState, Map<string, Integrator>>();

export function cumulative(
  sc: ScrapeContext,
  rs: RunState,
  ctx: PodContext,
  name: string,
  rate: (c: PodContext) => number,
): number {
  let map = COUNTERS.get(rs);
  if (!map) {
    map = new Map();
    COUNTERS.set(rs, map);
  }
  let integrator = map.get(name);
  if (!integrator) {
    integrator = new Integrator(rs.run.start);
    map.set(name, integrator);
  }
  return integrator.at(sc.t, (tau) => rate(ctxAt(sc, ctx, tau)));
}

function g(sc: ScrapeContext, family: string, key: string, labels: Labels, value: number): void {
  sc.handles.series(family, family, `${sc.pod.name}|${key}`, () => labels).add(sc.ts, value);
}

/** A counter; `bare` writes the sample without `_total` (collectors built with client_golang const metrics). */
function c(
  sc: ScrapeContext,
  rs: RunState,
  family: string,
  key: string,
  labels: Labels,
  value: number,
  bare = false,
): void {
  const reset = rs.firstWrite(`${family}|${key}`);
  sc.handles
    .series(family, bare ? family : `${family}_total`, `${sc.pod.name}|${key}`, () => labels)
    .add(sc.ts, value, reset);
}

// ---------------------------------------------------------------------------------------------------------------
// Go database/sql.

/**
 * client_golang `collectors.NewDBStatsCollector(db, dbName)` (`style: 'client_golang'`) or dlmiddlecote/sqlstats
 * `NewStatsCollector(dbName, db)` (`style: 'sqlstats'`, counters without `_total`).
 */
export function goSqlStats(style: 'client_golang' | 'sqlstats', dbName: string, pool: PoolModel): AppEmitter {
  const names =
    style === 'client_golang'
      ? {
          maxOpen: 'go_sql_max_open_connections',
          open: 'go_sql_open_connections',
          inUse: 'go_sql_in_use_connections',
          idle: 'go_sql_idle_connections',
          waitCount: 'go_sql_wait_count',
          waitDuration: 'go_sql_wait_duration_seconds',
          maxIdleClosed: 'go_sql_max_idle_closed',
          maxIdleTimeClosed: 'go_sql_max_idle_time_closed',
          maxLifetimeClosed: 'go_sql_max_lifetime_closed',
        }
      : {
          maxOpen: 'go_sql_stats_connections_max_open',
          open: 'go_sql_stats_connections_open',
          inUse: 'go_sql_stats_connections_in_use',
          idle: 'go_sql_stats_connections_idle',
          waitCount: 'go_sql_stats_connections_waited_for',
          waitDuration: 'go_sql_stats_connections_blocked_seconds',
          maxIdleClosed: 'go_sql_stats_connections_closed_max_idle',
          maxIdleTimeClosed: 'go_sql_stats_connections_closed_max_idle_time',
          maxLifetimeClosed: 'go_sql_stats_connections_closed_max_lifetime',
        };
  const bare = style === 'sqlstats';
  return (sc, rs, ctx, target) => {
    declare(sc.handles, [
      [names.maxOpen, 'gauge', 'Maximum number of open connections to the database.'],
      [names.open, 'gauge', 'The number of established connections both in use and idle.'],
      [names.inUse, 'gauge', 'The number of connections currently in use.'],
      [names.idle, 'gauge', 'The number of idle connections.'],
      [names.waitCount, 'counter', 'The total number of connections waited for.'],
      [names.waitDuration, 'counter', 'The total time blocked waiting for a new connection.'],
      [names.maxIdleClosed, 'counter', 'The total number of connections closed due to SetMaxIdleConns.'],
      [names.maxIdleTimeClosed, 'counter', 'The total number of connections closed due to SetConnMaxIdleTime.'],
      [names.maxLifetimeClosed, 'counter', 'The total number of connections closed due to SetConnMaxLifetime.'],
    ]);
    const p = pool(ctx);
    const labels = { ...target, db_name: dbName };
    const used = Math.min(p.max, Math.round(p.used));
    const idle = Math.max(0, Math.round(p.idle));
    g(sc, names.maxOpen, `${dbName}|max`, labels, p.max);
    g(sc, names.open, `${dbName}|open`, labels, used + idle);
    g(sc, names.inUse, `${dbName}|inuse`, labels, used);
    g(sc, names.idle, `${dbName}|idle`, labels, idle);
    const waits = cumulative(sc, rs, ctx, `${dbName}|waits`, (x) => {
      const q = pool(x);
      return q.acquiresPerSecond * q.waitedShare;
    });
    const blocked = cumulative(sc, rs, ctx, `${dbName}|blocked`, (x) => {
      const q = pool(x);
      return q.acquiresPerSecond * q.waitedShare * lognormalCappedMean(q.acquire);
    });
    // SetConnMaxLifetime(30 min) recycles every open connection twice an hour; idle ones beyond MaxIdle close.
    const lifetime = cumulative(sc, rs, ctx, `${dbName}|lifetime`, (x) => {
      const q = pool(x);
      return (q.used + q.idle) / 1800;
    });
    const idleClosed = cumulative(sc, rs, ctx, `${dbName}|idleclosed`, (x) => pool(x).acquiresPerSecond * 0.0004);
    c(sc, rs, names.waitCount, dbName, labels, Math.round(waits), bare);
    c(sc, rs, names.waitDuration, dbName, labels, round6(blocked), bare);
    c(sc, rs, names.maxIdleClosed, dbName, labels, Math.round(idleClosed), bare);
    c(sc, rs, names.maxIdleTimeClosed, dbName, labels, 0, bare);
    c(sc, rs, names.maxLifetimeClosed, dbName, labels, Math.round(lifetime), bare);
  };
}

// ---------------------------------------------------------------------------------------------------------------
// pgx (IBM/pgxpoolprometheus): the labels are whatever the application passes.

export function pgxpoolCollector(constLabels: Labels, pool: PoolModel): AppEmitter {
  const key = JSON.stringify(constLabels);
  return (sc, rs, ctx, target) => {
    const gauges: ReadonlyArray<readonly [string, string]> = [
      ['pgxpool_acquired_conns', 'Number of currently acquired connections in the pool.'],
      ['pgxpool_idle_conns', 'Number of currently idle conns in the pool.'],
      ['pgxpool_total_conns', 'Total number of resources currently in the pool.'],
      ['pgxpool_max_conns', 'Maximum size of the pool.'],
      ['pgxpool_constructing_conns', 'Number of conns with construction in progress in the pool.'],
    ];
    declare(
      sc.handles,
      gauges.map(([name, help]) => [name, 'gauge', help] as const),
    );
    const counters: ReadonlyArray<readonly [string, string]> = [
      ['pgxpool_acquire_count', 'Cumulative count of successful acquires from the pool.'],
      ['pgxpool_canceled_acquire_count', 'Cumulative count of acquires from the pool that were canceled by a context.'],
      [
        'pgxpool_empty_acquire',
        'Cumulative count of successful acquires from the pool that waited for a resource to be released or constructed because the pool was empty.',
      ],
      ['pgxpool_new_conns_count', 'Cumulative count of new connections opened.'],
      [
        'pgxpool_max_lifetime_destroy_count',
        'Cumulative count of connections destroyed because they exceeded MaxConnLifetime.',
      ],
      [
        'pgxpool_max_idle_destroy_count',
        'Cumulative count of connections destroyed because they exceeded MaxConnIdleTime.',
      ],
      ['pgxpool_acquire_duration_ns', 'Total duration of all successful acquires from the pool in nanoseconds.'],
      [
        'pgxpool_empty_acquire_wait_time_ns',
        'Cumulative time waited for successful acquires from the pool for a resource to be released or constructed because the pool was empty.',
      ],
    ];
    declare(
      sc.handles,
      counters.map(([name, help]) => [name, 'counter', help] as const),
    );
    const p = pool(ctx);
    const labels = { ...target, ...constLabels };
    const used = Math.min(p.max, Math.round(p.used));
    const idle = Math.max(0, Math.round(p.idle));
    g(sc, 'pgxpool_acquired_conns', key, labels, used);
    g(sc, 'pgxpool_idle_conns', key, labels, idle);
    g(sc, 'pgxpool_total_conns', key, labels, used + idle);
    g(sc, 'pgxpool_max_conns', key, labels, p.max);
    g(sc, 'pgxpool_constructing_conns', key, labels, 0);
    const acquires = cumulative(sc, rs, ctx, `${key}|acq`, (x) => pool(x).acquiresPerSecond);
    const empty = cumulative(sc, rs, ctx, `${key}|empty`, (x) => {
      const q = pool(x);
      return q.acquiresPerSecond * q.waitedShare;
    });
    const duration = cumulative(sc, rs, ctx, `${key}|dur`, (x) => {
      const q = pool(x);
      return q.acquiresPerSecond * lognormalCappedMean(q.acquire) * 1e9;
    });
    const emptyWait = cumulative(sc, rs, ctx, `${key}|wait`, (x) => {
      const q = pool(x);
      return q.acquiresPerSecond * q.waitedShare * lognormalCappedMean(q.acquire) * 1e9;
    });
    const canceled = cumulative(sc, rs, ctx, `${key}|cancel`, (x) => pool(x).timeoutsPerSecond);
    const lifetime = cumulative(sc, rs, ctx, `${key}|life`, (x) => {
      const q = pool(x);
      return (q.used + q.idle) / 3600;
    });
    c(sc, rs, 'pgxpool_acquire_count', key, labels, Math.round(acquires), true);
    c(sc, rs, 'pgxpool_canceled_acquire_count', key, labels, Math.round(canceled), true);
    c(sc, rs, 'pgxpool_empty_acquire', key, labels, Math.round(empty), true);
    c(sc, rs, 'pgxpool_new_conns_count', key, labels, Math.round(lifetime) + used + idle, true);
    c(sc, rs, 'pgxpool_max_lifetime_destroy_count', key, labels, Math.round(lifetime), true);
    c(sc, rs, 'pgxpool_max_idle_destroy_count', key, labels, 0, true);
    c(sc, rs, 'pgxpool_acquire_duration_ns', key, labels, Math.round(duration), true);
    c(sc, rs, 'pgxpool_empty_acquire_wait_time_ns', key, labels, Math.round(emptyWait), true);
  };
}

// ---------------------------------------------------------------------------------------------------------------
// HikariCP's own Prometheus tracker (PrometheusMetricsTrackerFactory: Summaries with quantiles 0.5/0.95/0.99).

export function hikariPrometheusTracker(poolName: string, pool: PoolModel, minIdle?: number): AppEmitter {
  return (sc, rs, ctx, target) => {
    const gauges: ReadonlyArray<readonly [string, string]> = [
      ['hikaricp_active_connections', 'Active connections'],
      ['hikaricp_idle_connections', 'Idle connections'],
      ['hikaricp_pending_threads', 'Pending threads'],
      ['hikaricp_connections', 'The number of current connections'],
      ['hikaricp_max_connections', 'Max connections'],
      ['hikaricp_min_connections', 'Min connections'],
    ];
    declare(
      sc.handles,
      gauges.map(([name, help]) => [name, 'gauge', help] as const),
    );
    declare(sc.handles, [
      ['hikaricp_connection_timeout', 'counter', 'Connection timeout total count'],
      ['hikaricp_connection_acquired_nanos', 'summary', 'Connection acquired time (ns)'],
      ['hikaricp_connection_usage_millis', 'summary', 'Connection usage (ms)'],
      ['hikaricp_connection_creation_millis', 'summary', 'Connection creation (ms)'],
    ]);
    const p = pool(ctx);
    const labels = { ...target, pool: poolName };
    const used = Math.min(p.max, Math.round(p.used));
    const idle = Math.max(0, Math.round(p.idle));
    g(sc, 'hikaricp_active_connections', poolName, labels, used);
    g(sc, 'hikaricp_idle_connections', poolName, labels, idle);
    g(sc, 'hikaricp_pending_threads', poolName, labels, Math.round(p.pending));
    g(sc, 'hikaricp_connections', poolName, labels, used + idle);
    g(sc, 'hikaricp_max_connections', poolName, labels, p.max);
    g(sc, 'hikaricp_min_connections', poolName, labels, minIdle ?? p.max);
    const timeouts = cumulative(sc, rs, ctx, `${poolName}|timeouts`, (x) => pool(x).timeoutsPerSecond);
    c(sc, rs, 'hikaricp_connection_timeout', poolName, labels, Math.round(timeouts));
    const summaries: ReadonlyArray<readonly [string, (q: AppPool) => Latency, number]> = [
      ['hikaricp_connection_acquired_nanos', (q) => q.acquire, 1e9],
      ['hikaricp_connection_usage_millis', (q) => q.hold, 1e3],
    ];
    for (const [family, latency, scale] of summaries) {
      const count = cumulative(sc, rs, ctx, `${family}|count`, (x) => pool(x).acquiresPerSecond);
      const sum = cumulative(sc, rs, ctx, `${family}|sum`, (x) => {
        const q = pool(x);
        return q.acquiresPerSecond * lognormalCappedMean(latency(q)) * scale;
      });
      const l = latency(p);
      for (const q of [0.5, 0.95, 0.99]) {
        const v = Math.min(l.cap ?? Number.POSITIVE_INFINITY, lognormalQuantile(l, q)) * scale;
        g(sc, family, `${poolName}|${q}`, { ...labels, quantile: String(q) }, scale > 1e6 ? Math.round(v) : round6(v));
      }
      const reset = rs.firstWrite(`${family}|${poolName}`);
      const k = `${sc.pod.name}|${poolName}`;
      sc.handles.series(family, `${family}_count`, k, () => labels).add(sc.ts, Math.round(count), reset);
      sc.handles.series(family, `${family}_sum`, k, () => labels).add(sc.ts, round6(sum), reset);
    }
    // Connections are created at start-up and when maxLifetime (30 min) retires them.
    const created = cumulative(sc, rs, ctx, 'creation|count', (x) => pool(x).max / 1800);
    const creation: Latency = { median: 0.004, sigma: 0.4 };
    for (const q of [0.5, 0.95, 0.99]) {
      g(
        sc,
        'hikaricp_connection_creation_millis',
        `${poolName}|${q}`,
        { ...labels, quantile: String(q) },
        round6(lognormalQuantile(creation, q) * 1e3),
      );
    }
    const reset = rs.firstWrite(`hikaricp_connection_creation_millis|${poolName}`);
    const k = `${sc.pod.name}|${poolName}`;
    sc.handles
      .series('hikaricp_connection_creation_millis', 'hikaricp_connection_creation_millis_count', k, () => labels)
      .add(sc.ts, Math.round(created) + p.max, reset);
    sc.handles
      .series('hikaricp_connection_creation_millis', 'hikaricp_connection_creation_millis_sum', k, () => labels)
      .add(sc.ts, round6((Math.round(created) + p.max) * 4.3), reset);
  };
}

// ---------------------------------------------------------------------------------------------------------------
// OpenTelemetry connection pools, stable database semconv (`otel.semconv-stability.opt-in=database`).

export function otelPoolStable(poolName: string, pool: PoolModel): AppEmitter {
  return (sc, rs, ctx, target) => {
    declare(sc.handles, [
      [
        'db_client_connection_count',
        'gauge',
        'The number of connections that are currently in state described by the state attribute.',
      ],
      ['db_client_connection_max', 'gauge', 'The maximum number of open connections allowed.'],
      ['db_client_connection_idle_max', 'gauge', 'The maximum number of idle open connections allowed.'],
      ['db_client_connection_idle_min', 'gauge', 'The minimum number of idle open connections allowed.'],
      [
        'db_client_connection_pending_requests',
        'gauge',
        'The number of current pending requests for an open connection.',
      ],
      [
        'db_client_connection_timeouts',
        'counter',
        'The number of connection timeouts that have occurred trying to obtain a connection from the pool.',
      ],
    ]);
    const p = pool(ctx);
    const base = { ...target, db_client_connection_pool_name: poolName };
    const used = Math.min(p.max, Math.round(p.used));
    const idle = Math.max(0, Math.round(p.idle));
    g(sc, 'db_client_connection_count', `${poolName}|used`, { ...base, db_client_connection_state: 'used' }, used);
    g(sc, 'db_client_connection_count', `${poolName}|idle`, { ...base, db_client_connection_state: 'idle' }, idle);
    g(sc, 'db_client_connection_max', poolName, base, p.max);
    g(sc, 'db_client_connection_idle_max', poolName, base, p.max);
    g(sc, 'db_client_connection_idle_min', poolName, base, p.max);
    g(sc, 'db_client_connection_pending_requests', poolName, base, Math.round(p.pending));
    const timeouts = cumulative(sc, rs, ctx, `${poolName}|otel-timeouts`, (x) => pool(x).timeoutsPerSecond);
    c(sc, rs, 'db_client_connection_timeouts', poolName, base, Math.round(timeouts));
  };
}

// ---------------------------------------------------------------------------------------------------------------
// OpenTelemetry db.client.operation.duration (stable) from the DB op accumulators (`dbOps`).

export interface DbTarget {
  /** `db.system.name`: postgresql, mongodb, redis … */
  system: string;
  /** `db.namespace`: the database (or Redis database index). */
  namespace: string;
  serverAddress: string;
  serverPort: number;
}

/** `targets` maps each dbOp's collection to the server it runs on; `db_collection_name` is omitted for Redis. */
export function otelDbOperations(targets: Readonly<Record<string, DbTarget>>): AppEmitter {
  return (sc, rs, _ctx, target) => {
    declare(sc.handles, [
      ['db_client_operation_duration_seconds', 'histogram', 'Duration of database client operations.'],
    ]);
    for (const [key, entry] of rs.db) {
      if (entry.acc.shownCount < 1) continue;
      const db = targets[entry.collection];
      if (!db) continue;
      const labels: Labels = {
        ...target,
        db_system_name: db.system,
        db_namespace: db.namespace,
        db_operation_name: entry.operation,
        ...(db.system === 'redis' ? {} : { db_collection_name: entry.collection }),
        server_address: db.serverAddress,
        server_port: String(db.serverPort),
      };
      const reset = rs.firstWrite(`db_client_operation_duration_seconds|${key}`);
      sc.handles
        .histogram('db_client_operation_duration_seconds', `${sc.pod.name}|${key}`, () => labels, entry.acc.bounds)
        .add(
          sc.ts,
          { cumulative: entry.acc.bucketCounts(), sum: round6(entry.acc.sum), count: entry.acc.shownCount },
          reset,
        );
    }
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Spring Data repository timers (Micrometer): dbOps with collection = repository, operation = method.

export function springDataRepositories(): AppEmitter {
  return (sc, rs, _ctx, target) => {
    declare(sc.handles, [
      ['spring_data_repository_invocations_seconds', 'summary', 'Duration of repository invocations'],
      ['spring_data_repository_invocations_seconds_max', 'gauge', 'Duration of repository invocations'],
    ]);
    for (const [key, entry] of rs.db) {
      if (entry.acc.shownCount < 1) continue;
      const labels = {
        ...target,
        repository: entry.collection,
        method: entry.operation,
        state: 'SUCCESS',
        exception: 'None',
      };
      const reset = rs.firstWrite(`spring_data_repository_invocations_seconds|${key}`);
      const k = `${sc.pod.name}|${key}`;
      const family = 'spring_data_repository_invocations_seconds';
      sc.handles.series(family, `${family}_count`, k, () => labels).add(sc.ts, entry.acc.shownCount, reset);
      sc.handles.series(family, `${family}_sum`, k, () => labels).add(sc.ts, round6(entry.acc.sum), reset);
      sc.handles.series(`${family}_max`, `${family}_max`, k, () => labels).add(sc.ts, round6(entry.acc.windowMax));
      entry.acc.windowMax = 0;
    }
  };
}
